import { describe, expect, it } from 'vitest';
import { SESSION_LIFETIME_MS } from '../../../../src/server/auth/sessions.ts';
import type { useApi } from '../harness.ts';
import { MINUTE, PASSWORD, USERS } from '../school.ts';

export function sessionSuite(api: ReturnType<typeof useApi>): void {
  describe('sessions', () => {
    it('logs in with an HttpOnly SameSite=Strict cookie and answers the user and a CSRF token, never the hash', async () => {
      const server = await api.start();
      const reply = await server.call('POST', '/api/v1/session', { body: { username: 'jansen', password: PASSWORD } });
      expect(reply.status).toBe(200);
      const cookie = reply.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^lesmodus_session=[A-Za-z0-9_-]{43}; /);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      expect(reply.body.user).toEqual({ username: 'jansen', role: 'teacher', displayName: 'Dhr. Jansen', teacherCode: 'JNS', schoolId: 'svok-college', createdAt: 1 });
      expect(reply.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(reply.text).not.toContain('scrypt');
    });

    it('answers /me for the session and 401 without one', async () => {
      const server = await api.start();
      const session = await server.login('de-vries');
      const me = await server.call('GET', '/api/v1/me', { as: session });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ user: { username: 'de-vries', role: 'leader' }, csrfToken: session.csrf });
      expect((await server.call('GET', '/api/v1/me')).status).toBe(401);
      expect((await server.call('GET', '/api/v1/me', { headers: { cookie: 'lesmodus_session=forged' } })).status).toBe(401);
    });

    it('refuses a wrong password and an unknown user alike', async () => {
      const server = await api.start();
      const wrong = await server.call('POST', '/api/v1/session', { body: { username: 'jansen', password: 'not it at all' } });
      const unknown = await server.call('POST', '/api/v1/session', { body: { username: 'nobody', password: PASSWORD } });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body.message).toBe(unknown.body.message);
      expect(wrong.headers.get('set-cookie')).toBeNull();
    });

    it('logs out: the cookie is cleared and the old token no longer works', async () => {
      const server = await api.start();
      const session = await server.login('jansen');
      const out = await server.call('DELETE', '/api/v1/session', { as: session });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/^lesmodus_session=; .*Max-Age=0/);
      expect((await server.call('GET', '/api/v1/me', { as: session })).status).toBe(401);
    });

    it('expires a session after its lifetime', async () => {
      const server = await api.start();
      const session = await server.login('jansen');
      server.now += SESSION_LIFETIME_MS + MINUTE;
      expect((await server.call('GET', '/api/v1/me', { as: session })).status).toBe(401);
    });

    it('refuses a state-changing request without the CSRF token, with a wrong one, or with another session\'s', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const pieters = await server.login('pieters');
      const missing = await server.call('DELETE', '/api/v1/session', { as: jansen, noCsrf: true });
      expect(missing.status).toBe(403);
      expect(missing.body.error).toBe('csrf-failed');
      const wrong = await server.call('DELETE', '/api/v1/session', { as: jansen, noCsrf: true, headers: { 'x-csrf-token': 'x'.repeat(43) } });
      expect(wrong.status).toBe(403);
      const crossed = await server.call('DELETE', '/api/v1/session', { as: { ...jansen, csrf: pieters.csrf } });
      expect(crossed.status).toBe(403);
      // Still logged in: none of them did anything.
      expect((await server.call('GET', '/api/v1/me', { as: jansen })).status).toBe(200);
    });

    it('refuses a request another site makes, even with the token', async () => {
      const server = await api.start();
      const session = await server.login('jansen');
      const reply = await server.call('DELETE', '/api/v1/session', { as: session, headers: { origin: 'https://evil.example' } });
      expect(reply.status).toBe(403);
      const fetchSite = await server.call('DELETE', '/api/v1/session', { as: session, headers: { 'sec-fetch-site': 'cross-site' } });
      expect(fetchSite.status).toBe(403);
      const login = await server.call('POST', '/api/v1/session', { body: { username: 'jansen', password: PASSWORD }, headers: { origin: 'https://evil.example' } });
      expect(login.status).toBe(403);
    });

    it('refuses a login body that is not JSON (a cross-site form cannot send JSON)', async () => {
      const server = await api.start();
      const form = await server.call('POST', '/api/v1/session', { raw: `username=jansen&password=${PASSWORD}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(form.status).toBe(415);
    });

    it('rate limits wrong passwords per username and address, and a right password does not get through while limited', async () => {
      const server = await api.start();
      for (let i = 0; i < 5; i++) {
        expect((await server.call('POST', '/api/v1/session', { body: { username: 'jansen', password: `wrong ${i} attempt` } })).status).toBe(401);
      }
      const limited = await server.call('POST', '/api/v1/session', { body: { username: 'jansen', password: PASSWORD } });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another account from the same address is not locked out.
      expect((await server.call('POST', '/api/v1/session', { body: { username: 'pieters', password: PASSWORD } })).status).toBe(200);
      // After the window, the right password works again.
      server.now += 16 * MINUTE;
      expect((await server.call('POST', '/api/v1/session', { body: { username: 'jansen', password: PASSWORD } })).status).toBe(200);
    });

    it('names the wrong field of a login body', async () => {
      const server = await api.start();
      const reply = await server.call('POST', '/api/v1/session', { body: { username: 'jansen' } });
      expect(reply.status).toBe(400);
      expect(reply.body.issues).toEqual([{ path: 'body.password', message: 'is required' }]);
      expect(reply.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(Object.keys(USERS)).toContain('jansen');
    });
  });
}
