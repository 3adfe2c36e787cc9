import { readFileSync } from 'node:fs';
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
  });
}
