import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFeedStatus, startTimetableFeed } from '../../../../src/server/app/timetable-feed-status.ts';
import { waitFor } from '../../../helpers/wait-for.ts';
import { describe, expect, it } from 'vitest';
import type { useApi } from '../harness.ts';
import { SCHOOL } from '../school.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/school-data/${name}`, import.meta.url), 'utf8');

/** The admin page's imports of the school's own data: the student export as the roster. */
export function schoolDataSuite(api: ReturnType<typeof useApi>): void {
  describe('the school\'s own data', () => {
    it('POST /api/v1/roster/import previews (dryRun) and imports a student export for the admin, audited; bad lines come back in nl and en', async () => {
      const server = await api.start();
      const admin = await server.login('beheer');
      const csv = fixture('somtoday-leerlingen.csv');
      const preview = await server.call('POST', '/api/v1/roster/import', { as: admin, body: { schoolId: SCHOOL.id, dryRun: true, csv } });
      expect(preview.status, preview.text).toBe(200);
      expect(preview.body).toMatchObject({ ok: true, stored: false, source: 'somtoday', lines: 4, students: 4, groups: 9, changes: { newStudents: 4, groupsRemoved: ['v4a', 'v4b'] } });
      expect(preview.body.preview[0]).toEqual({ id: '230110', name: 'Noah El Amrani', loginName: '230110', groups: ['m2.fa1', 'M2B', 'm2b.en', 'm2b.ne'] });
      expect(await server.store.groups(SCHOOL.id)).toHaveLength(2);

      const bad = await server.call('POST', '/api/v1/roster/import', { as: admin, body: { schoolId: SCHOOL.id, csv: 'Leerlingnummer,Stamgroep\n,M2B\n' } });
      expect(bad.body).toMatchObject({ ok: false, stored: false, errors: [{ line: 2, message: { nl: 'het leerlingnummer is leeg', en: 'the student number is empty' } }] });

      const done = await server.call('POST', '/api/v1/roster/import', { as: admin, body: { schoolId: SCHOOL.id, format: 'somtoday', csv } });
      expect(done.body).toMatchObject({ ok: true, stored: true });
      expect((await server.store.studentsInGroup(SCHOOL.id, 'M3A')).map((s) => s.id)).toEqual(['230240']);
      const audit = (await server.call('GET', '/api/v1/audit', { as: admin })).body.rows;
      expect(audit[0]).toMatchObject({ username: 'beheer', action: 'put-roster', detail: 'somtoday: 4 students, 9 groups' });

      const leader = await server.login('de-vries');
      expect((await server.call('POST', '/api/v1/roster/import', { as: leader, body: { csv } })).status).toBe(403);
    });

    it('POST /api/v1/device-rules/import records the MDM export\'s serials and names for the admin, keeping the hostname patterns', async () => {
      const server = await api.start();
      const admin = await server.login('beheer');
      const csv = 'Device name,Serial number,Primary user UPN\nLL-S1,SER-0001,sanne@svok-college.nl\nDOC-JNS,SER-0002,jansen@svok-college.nl\n';
      const reply = await server.call('POST', '/api/v1/device-rules/import', { as: admin, body: { schoolId: SCHOOL.id, csv } });
      expect(reply.status, reply.text).toBe(200);
      expect(reply.body).toEqual({
        ok: true, stored: true, errors: [], patternsKept: 1,
        skipped: [{ line: 3, message: 'no student with number or login name "jansen@svok-college.nl"' }],
        rules: [{ kind: 'serial', value: 'SER-0001', studentId: 's1' }, { kind: 'hostname', value: 'LL-S1', studentId: 's1' }],
      });
      expect((await server.store.deviceRules(SCHOOL.id)).map((r) => r.kind).sort()).toEqual(['hostname', 'hostname-pattern', 'serial']);
      const bad = await server.call('POST', '/api/v1/device-rules/import', { as: admin, body: { schoolId: SCHOOL.id, csv: 'Serial number,Username\n,sanne\n' } });
      expect(bad.body).toMatchObject({ ok: false, stored: false, errors: [{ line: 2, message: 'neither a serial number nor a hostname' }] });
    });

    it("GET /api/v1/timetable/feed shows the feed's last refresh; POST …/refresh runs it now, and a failing feed keeps the lessons and shows the error", async () => {
      let failing = false;
      const ics = readFileSync(new URL('../../../fixtures/timetables/zermelo-student-v4.ics', import.meta.url));
      const feedServer = createServer((_req, res) => {
        if (failing) res.writeHead(500).end();
        else res.writeHead(200, { 'content-type': 'text/calendar' }).end(ics);
      });
      await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
      const dir = mkdtempSync(join(tmpdir(), 'lesmodus-feed-'));
      const server = await api.start();
      const schedule = await startTimetableFeed(server.context, { schoolId: SCHOOL.id, url: `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/ical?token=geheim` }, dir);
      try {
        const admin = await server.login('beheer');
        const first = await waitFor(async () => {
          const reply = await server.call('GET', `/api/v1/timetable/feed?school=${SCHOOL.id}`, { as: admin });
          if (reply.status !== 200) throw new Error(reply.text);
          const feed = reply.body.feed;
          return feed?.last ? feed : undefined;
        }, 'the refresh at start');
        expect(first).toMatchObject({ schoolId: SCHOOL.id, expression: '30 5 * * *', last: { ok: true } });
        expect(first.source).not.toContain('geheim');
        const lessons = first.last.lessons as number;
        expect(lessons).toBeGreaterThan(0);
        await waitFor(async () => (await readFeedStatus(dir))?.last?.ok === true, 'the status file');

        failing = true;
        const run = (await server.call('POST', '/api/v1/timetable/feed/refresh', { as: admin, body: { schoolId: SCHOOL.id } })).body;
        expect(run).toMatchObject({ ok: false, lessons: 0 });
        expect(run.message).toContain('500');
        expect((await server.call('GET', `/api/v1/timetable/feed?school=${SCHOOL.id}`, { as: admin })).body.feed.last).toEqual(run);
        const stored = await server.store.lessons(SCHOOL.id, { from: 0, to: Date.UTC(2027, 0, 1) });
        expect(stored.filter((l) => l.uid.endsWith('@kennemerlyceum'))).toHaveLength(lessons);
        const jansen = await server.login('jansen');
        expect((await server.call('POST', '/api/v1/timetable/feed/refresh', { as: jansen, body: {} })).status).toBe(403);
      } finally {
        await schedule.stop();
        await new Promise<void>((resolve) => feedServer.close(() => resolve()));
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
