import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../../../src/server/api/routes/index.ts';
import { USER_ROLES } from '../../../../src/server/store/index.ts';
import type { useApi } from '../harness.ts';
import { JNS_NEXT, JNS_NOW, JNS_CANCELLED, USERS } from '../school.ts';

const FEED = fileURLToPath(new URL('../../../fixtures/timetables/zermelo-student-v4.ics', import.meta.url));
const SESSION_OF_ROLE = { admin: USERS.admin.username, leader: USERS.leader.username, teacher: USERS.jansen.username } as const;

const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, 'x');

export function httpSuite(api: ReturnType<typeof useApi>): void {
  describe('access on every route', () => {
    it('answers 401 without a session or device credential, and 403 to every role the route does not allow', async () => {
      const server = await api.start();
      const sessions = Object.fromEntries(await Promise.all(USER_ROLES.map(async (role) => [role, await server.login(SESSION_OF_ROLE[role])] as const)));
      const device = await server.enroll('sanne');
      let checked = 0;
      for (const route of API_ROUTES) {
        const path = concrete(route.path);
        const body = route.method === 'GET' ? undefined : {};
        if (route.access.kind === 'public') continue;
        const anonymous = await server.call(route.method, path, { body });
        expect(anonymous.status, `${route.method} ${route.path} without credentials`).toBe(401);
        if (route.access.kind === 'device') {
          expect((await server.call(route.method, path, { body, as: sessions.leader })).status, `${route.method} ${route.path} as a user`).toBe(401);
          continue;
        }
        expect((await server.call(route.method, path, { body, as: device })).status, `${route.method} ${route.path} as a device`).toBe(401);
        for (const role of USER_ROLES.filter((r) => !(route.access as { roles: readonly string[] }).roles.includes(r))) {
          expect((await server.call(route.method, path, { body, as: sessions[role] })).status, `${route.method} ${route.path} as ${role}`).toBe(403);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(20);
    });
  });

  describe('bad requests', () => {
    it('answers 404 for an unknown path and 405 (with Allow) for a known path with another method', async () => {
      const server = await api.start();
      const missing = await server.call('GET', '/api/v1/nothing-here');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ error: 'not-found' });
      const method = await server.call('PUT', '/api/v1/session');
      expect(method.status).toBe(405);
      expect(method.headers.get('allow')).toBe('POST, DELETE');
    });

    it('answers 400 for JSON that does not parse, and 413 for a body over the limit, per route family', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const admin = await server.login('beheer');
      const device = await server.enroll('sanne');
      const json = { 'content-type': 'application/json' };
      expect((await server.call('POST', '/api/v1/grants', { as: jansen, raw: '{"scope":', headers: json })).body.issues).toEqual([{ path: 'body', message: 'is not valid JSON' }]);
      const big = `{"reason":"${'x'.repeat(70 * 1024)}"}`;
      expect((await server.call('POST', '/api/v1/session', { raw: big, headers: json })).status).toBe(413);
      expect((await server.call('POST', '/api/v1/grants', { as: jansen, raw: big, headers: json })).status).toBe(413);
      expect((await server.call('POST', '/api/v1/users', { as: admin, raw: big, headers: json })).status).toBe(413);
      expect((await server.call('POST', '/api/v1/devices/enroll', { raw: big, headers: json })).status).toBe(413);
      expect((await server.call('POST', '/api/v1/device/heartbeat', { as: device, raw: big, headers: json })).status).toBe(413);
      expect((await server.call('PUT', '/api/v1/roster', { as: admin, raw: `{"x":"${'x'.repeat(9 * 1024 * 1024)}"}`, headers: json })).status).toBe(413);
      // The server is fine afterwards.
      expect((await server.call('GET', '/healthz')).status).toBe(200);
    });

    it('answers 400 naming the field for a bad query or path parameter', async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      expect((await server.call('GET', '/api/v1/lessons?date=2026-02-30', { as: jansen })).body.issues).toEqual([{ path: 'query.date', message: 'must be a date as YYYY-MM-DD' }]);
      expect((await server.call('GET', `/api/v1/grants/${'x'.repeat(200)}`, { as: jansen })).body.issues[0].path).toBe('params.id');
      expect((await server.call('GET', '/api/v1/grants/%E0%A4%A', { as: jansen })).status).toBe(400);
    });

    it('answers an unexpected failure with 500 and a request id, logging the details only on the server', async () => {
      const server = await api.start();
      server.store.schools = async () => {
        throw new Error('connection to /var/lib/secret-host failed');
      };
      const reply = await server.call('GET', '/healthz');
      expect(reply.status).toBe(500);
      expect(reply.body).toEqual({ error: 'internal', message: expect.stringContaining(reply.body.requestId), requestId: expect.any(String) });
      expect(reply.text).not.toContain('secret-host');
      expect(reply.text).not.toMatch(/at .*\.ts/);
      const logged = server.logger.lines.find((l) => l.level === 'error');
      expect(logged?.fields).toMatchObject({ requestId: reply.body.requestId, error: expect.stringContaining('secret-host') });
    });

    it('hands paths outside the API to the web UI first, and never /api/ or /healthz', async () => {
      const seen: string[] = [];
      const server = await api.start({
        seed: false,
        site: async (req, res) => {
          seen.push(req.url ?? '');
          if (req.url !== '/portal') return false;
          res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Lesmodus</h1>');
          return true;
        },
      });
      expect((await server.call('GET', '/portal')).text).toBe('<h1>Lesmodus</h1>');
      expect((await server.call('GET', '/elsewhere')).status).toBe(404);
      expect((await server.call('GET', '/healthz')).status).toBe(200);
      expect((await server.call('GET', '/api/v1/me')).status).toBe(401);
      expect(seen).toEqual(['/portal', '/elsewhere']);
    });

    it('sends no-store and nosniff on every answer, and a request id', async () => {
      const server = await api.start();
      const reply = await server.call('GET', '/healthz');
      expect(reply.body).toMatchObject({ status: 'ok', database: server.store.dialect });
      expect(reply.headers.get('cache-control')).toBe('no-store');
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('lessons', () => {
    it("gives a teacher their own lessons of the day, and a leader anyone's", async () => {
      const server = await api.start();
      const jansen = await server.login('jansen');
      const today = await server.call('GET', '/api/v1/lessons', { as: jansen });
      expect(today.body).toMatchObject({ date: '2026-01-12', schoolId: 'svok-college', timeZone: 'Europe/Amsterdam' });
      expect(today.body.lessons.map((l: { uid: string }) => l.uid)).toEqual([JNS_NOW.uid, JNS_NEXT.uid, JNS_CANCELLED.uid]);
      expect((await server.call('GET', '/api/v1/lessons?date=2026-01-09', { as: jansen })).body.lessons).toHaveLength(1);
      expect((await server.call('GET', '/api/v1/lessons?teacher=PTR', { as: jansen })).status).toBe(403);
      const leader = await server.login('de-vries');
      const v4b = await server.call('GET', '/api/v1/lessons?group=v4b', { as: leader });
      expect(v4b.body.lessons.map((l: { subject: string }) => l.subject)).toEqual(['bi', 'ne']);
      const ptr = await server.call('GET', '/api/v1/lessons?teacher=ptr', { as: leader });
      expect(ptr.body.lessons).toHaveLength(1);
    });
  });

  describe('administration', () => {
    it('lets an admin upload an iCalendar timetable, replacing the days it covers', async () => {
      const server = await api.start();
      const admin = await server.login('beheer');
      const ics = readFileSync(FEED, 'utf8');
      const reply = await server.call('POST', '/api/v1/timetable', { as: admin, body: { schoolId: 'het-lyceum', ics } });
      expect(reply.status, reply.text).toBe(200);
      expect(reply.body.added).toBeGreaterThan(0);
      expect(reply.body.removed).toBe(0);
      const again = await server.call('POST', '/api/v1/timetable', { as: admin, body: { schoolId: 'het-lyceum', ics } });
      expect(again.body).toMatchObject({ added: reply.body.added, removed: reply.body.added });
      expect((await server.call('POST', '/api/v1/timetable', { as: admin, body: { schoolId: 'het-lyceum', ics: 'not a calendar' } })).body.issues[0].path).toBe('body.ics');
      const leader = await server.login('de-vries');
      expect((await server.call('POST', '/api/v1/timetable', { as: leader, body: { ics } })).status).toBe(403);
    });

    it("lets a leader list their school's staff, not another school's", async () => {
      const server = await api.start();
      const leader = await server.login('de-vries');
      const staff = await server.call('GET', '/api/v1/users?role=teacher', { as: leader });
      expect(staff.body.users.map((u: { teacherCode: string }) => u.teacherCode).sort()).toEqual(['JNS', 'PTR']);
      expect((await server.call('GET', '/api/v1/users?school=het-lyceum', { as: leader })).status).toBe(403);
    });

    it('lets an admin create accounts, refusing weak passwords, teachers without a code, and taken usernames', async () => {
      const server = await api.start();
      const admin = await server.login('beheer');
      const body = { username: 'smit', role: 'teacher', password: 'a long enough password', teacherCode: 'SMT', schoolId: 'svok-college', displayName: 'Mw. Smit' };
      const created = await server.call('POST', '/api/v1/users', { as: admin, body });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ username: 'smit', role: 'teacher', teacherCode: 'SMT' });
      expect(created.text).not.toContain('scrypt');
      expect((await server.login('smit', 'a long enough password')).username).toBe('smit');
      expect((await server.call('POST', '/api/v1/users', { as: admin, body })).status).toBe(409);
      expect((await server.call('POST', '/api/v1/users', { as: admin, body: { ...body, username: 'kort', password: 'short' } })).body.issues[0].path).toBe('body.password');
      expect((await server.call('POST', '/api/v1/users', { as: admin, body: { ...body, username: 'x2', teacherCode: null } })).body.issues[0].path).toBe('body.teacherCode');
      const list = await server.call('GET', '/api/v1/users?role=teacher', { as: admin });
      expect(list.body.users.map((u: { username: string }) => u.username).sort()).toEqual(['jansen', 'pieters', 'smit']);
    });

    it('lets an admin upload a roster and add a school', async () => {
      const server = await api.start();
      const admin = await server.login('beheer');
      const school = await server.call('PUT', '/api/v1/schools/nieuw', { as: admin, body: { name: 'Nieuwe School', timeZone: 'Europe/Amsterdam' } });
      expect(school.status).toBe(200);
      const roster = await server.call('PUT', '/api/v1/roster', {
        as: admin, body: { schoolId: 'nieuw', students: [{ id: 'n1', name: 'Noor', loginName: 'noor' }], groups: [{ code: 'h3a', studentIds: ['n1'] }] },
      });
      expect(roster.body).toEqual({ students: 1, groups: 1 });
      const groups = await server.call('GET', '/api/v1/groups?school=nieuw', { as: admin });
      expect(groups.body.groups).toEqual([{ schoolId: 'nieuw', code: 'h3a', name: null }]);
      const bad = await server.call('PUT', '/api/v1/roster', { as: admin, body: { schoolId: 'nieuw', students: [], groups: [{ code: 'h3a', studentIds: ['ghost'] }] } });
      expect(bad.status).toBe(400);
    });
  });
}
