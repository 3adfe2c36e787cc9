import { describe, expect, it } from 'vitest';
import { SESSION_LIFETIME_MS } from '../../../../src/server/auth/sessions.ts';
import { buildApi } from '../../../../src/server/app/server-app.ts';
import { FAST_SCRYPT_COST } from '../../../../src/server/auth/passwords.ts';
import { listen } from '../../../../src/server/http/listen.ts';
import { memoryLogger } from '../../../../src/server/http/logger.ts';
import { createSite } from '../../../../src/server/web/site.ts';
import { call, type useApi } from '../harness.ts';
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

    it('does not lock every account out of a shared address: after 100 wrong logins with random names from it, a right password still gets in', async () => {
      const server = await api.start();
      for (let i = 0; i < 100; i++) {
        expect((await server.call('POST', '/api/v1/session', { body: { username: `bestaat-niet-${i}`, password: 'fout wachtwoord' } })).status).toBe(401);
      }
      // Wrong guesses from there are now slowed down (429)…
      expect((await server.call('POST', '/api/v1/session', { body: { username: 'jansen', password: 'nog steeds fout' } })).status).toBe(429);
      // …but a teacher behind the same school NAT logs in.
      expect((await server.call('POST', '/api/v1/session', { body: { username: 'pieters', password: PASSWORD } })).status).toBe(200);
    });

    it('limits guessing one account from many addresses (via the trusted proxy), and believes X-Forwarded-For only from it', async () => {
      const server = await api.start({ settings: { trustedProxies: ['127.0.0.1'] } });
      const from = (client: string) => ({ 'x-forwarded-for': client });
      for (let i = 0; i < 20; i++) {
        expect((await server.call('POST', '/api/v1/session', { body: { username: 'jansen', password: `fout ${i}` }, headers: from(`203.0.113.${i + 1}`) })).status).toBe(401);
      }
      // The account is under attack: refused from everywhere for now, also with the right password.
      expect((await server.call('POST', '/api/v1/session', { body: { username: 'jansen', password: PASSWORD }, headers: from('198.51.100.7') })).status).toBe(429);
      // Another account is not affected.
      expect((await server.call('POST', '/api/v1/session', { body: { username: 'pieters', password: PASSWORD }, headers: from('203.0.113.1') })).status).toBe(200);
    });

    it('counts failed logins in the database: a second server process on it (or a restarted one) refuses what the first counted', async () => {
      const server = await api.start();
      for (let i = 0; i < 5; i++) expect((await server.call('POST', '/api/v1/session', { body: { username: 'jansen', password: `fout ${i}` } })).status).toBe(401);
      const second = buildApi({ store: server.store, signer: server.signer, enrollmentSecretsPath: server.enrollmentSecretsPath, logger: memoryLogger(),
        clock: () => server.now, settings: { passwordCost: FAST_SCRYPT_COST } });
      const listening = await listen(second.handler, { host: '127.0.0.1', port: 0 }, memoryLogger());
      try {
        expect((await call(listening.url, 'POST', '/api/v1/session', { body: { username: 'jansen', password: PASSWORD } })).status).toBe(429);
        expect((await call(listening.url, 'POST', '/api/v1/session', { body: { username: 'pieters', password: PASSWORD } })).status).toBe(200);
      } finally {
        await listening.close(() => second.context.hub.closeAll());
      }
    });

    it('marks the cookie Secure and sends HSTS when the trusted proxy says the client came over HTTPS, and not when anyone else says so', async () => {
      const proxied = await api.start({ settings: { trustedProxies: ['127.0.0.0/8'] } });
      const viaHttps = await proxied.call('POST', '/api/v1/session', { body: { username: 'jansen', password: PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
      expect(viaHttps.status).toBe(200);
      expect(viaHttps.headers.get('set-cookie')).toMatch(/; Secure/i);
      expect(viaHttps.headers.get('strict-transport-security')).toBe('max-age=31536000');
      // The portal's pages too: that is where a browser arrives first.
      const site = await api.start({ settings: { trustedProxies: ['127.0.0.0/8'] }, site: createSite() });
      const page = await fetch(`${site.url}/lessen`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('strict-transport-security')).toBe('max-age=31536000');
      expect((await fetch(`${site.url}/lessen`)).headers.get('strict-transport-security')).toBeNull();
      const direct = await api.start();
      const spoofed = await direct.call('POST', '/api/v1/session', { body: { username: 'jansen', password: PASSWORD }, headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' } });
      expect(spoofed.status).toBe(200);
      expect(spoofed.headers.get('set-cookie')).not.toMatch(/; Secure/i);
      expect(spoofed.headers.get('strict-transport-security')).toBeNull();
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
