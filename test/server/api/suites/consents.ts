import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../../../src/adapters/signing.ts';
import type { ConsentInput } from '../../../../src/server/store/index.ts';
import { ams } from '../../../helpers/policy.ts';
import type { TestApi, useApi } from '../harness.ts';
import { JNS_NEXT, JNS_NOW, MINUTE, NOW, SCHOOL } from '../school.ts';

const lessonScope = (lesson: { uid: string; start: number }) => ({ kind: 'lesson', lessonUid: lesson.uid, lessonStart: lesson.start });
const REASON = 'Instagram-campagne analyseren voor het vak Nederlands';
/** NOW is in January 2026. */
const YEAR = '2025-2026';
const consent = (studentId: string, schoolYear = YEAR): ConsentInput =>
  ({ studentId, register: 'social-media', schoolYear, givenBy: 'parent', registeredAt: NOW - 100 * 86_400_000, source: 'magister' });

/** s1 (v4a) has the social-media consent for this school year; s2 (v4a) only for last year; s3 (v4b) none. */
async function register(server: TestApi): Promise<void> {
  await server.store.recordConsents(SCHOOL.id, [consent('s1'), consent('s2', '2024-2025')]);
}

export function consentSuite(api: ReturnType<typeof useApi>): void {
  describe('consent (art. III.B.9)', () => {
    it("signs the student's consents into the device's schedule, as school-year intervals; none for a student without, or no student", async () => {
      const server = await api.start();
      await register(server);
      await server.store.recordConsents(SCHOOL.id, [consent('s1', '2026-2027'), consent('s1', '2030-2031')]);
      const sanne = await server.enroll('sanne');
      const reply = await server.call('GET', '/api/v1/device/schedule', { as: sanne });
      expect(verifySignature(reply.body, server.signer.publicKeyPem)).toBe(true);
      // The schedule's 14 days lie in 2025-2026 only: other years are left out.
      expect(reply.body.payload.consents).toEqual([{ register: 'social-media', from: ams('2025-08-01 00:00'), to: ams('2026-08-01 00:00') }]);
      expect(verifySignature({ ...reply.body, payload: { ...reply.body.payload, consents: [] } }, server.signer.publicKeyPem)).toBe(false);

      const daan = await server.enroll('daan');
      expect((await server.call('GET', '/api/v1/device/schedule', { as: daan })).body.payload.consents).toEqual([]);
      const unassigned = await server.enroll(null);
      expect((await server.call('GET', '/api/v1/device/schedule', { as: unassigned })).body.payload.consents).toEqual([]);

      // Withdrawn: gone from the next schedule.
      expect(await server.store.withdrawConsent(SCHOOL.id, { studentId: 's1', register: 'social-media', schoolYear: YEAR })).toBe(true);
      expect((await server.call('GET', '/api/v1/device/schedule', { as: sanne })).body.payload.consents).toEqual([]);
    });

    it("tells a teacher, in counts only, how many students of each lesson and of a social-media grant lack consent", async () => {
      const server = await api.start();
      await register(server);
      const jansen = await server.login('jansen');
      const day = (await server.call('GET', '/api/v1/lessons', { as: jansen })).body;
      expect(day.schoolYear).toBe(YEAR);
      const byUid = Object.fromEntries(day.lessons.map((l: { uid: string; studentsWithoutConsent: unknown }) => [l.uid, l.studentsWithoutConsent]));
      expect(byUid[JNS_NOW.uid]).toEqual({ 'social-media': 1 });
      expect(byUid[JNS_NEXT.uid]).toEqual({ 'social-media': 1 });
      expect(JSON.stringify(day)).not.toMatch(/"s[123]"/);

      const social = (await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: { categories: ['social'] }, reason: REASON } })).body;
      expect((await server.call('GET', `/api/v1/grants/${social.id}`, { as: jansen })).body).toMatchObject({ studentsWithoutConsent: 1 });
      // A service in a social category needs it too; camera (III.A.3) needs none.
      const tiktok = (await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: { services: ['tiktok'] }, reason: REASON } }));
      expect(tiktok.status, tiktok.text).toBe(201);
      expect((await server.call('GET', `/api/v1/grants/${tiktok.body.id}`, { as: jansen })).body.studentsWithoutConsent).toBe(1);
      const video = (await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: { categories: ['camera'] }, reason: REASON } })).body;
      expect((await server.call('GET', `/api/v1/grants/${video.id}`, { as: jansen })).body).toMatchObject({ studentsWithoutConsent: 0 });

      await server.store.recordConsents(SCHOOL.id, [consent('s2')]);
      expect((await server.call('GET', `/api/v1/grants/${social.id}`, { as: jansen })).body.studentsWithoutConsent).toBe(0);
    });

    it("shows a leader, per device of an exception, whether its student's consent was registered (null when none is needed)", async () => {
      const server = await api.start();
      await register(server);
      const sanne = await server.enroll('sanne');
      const daan = await server.enroll('daan');
      const jansen = await server.login('jansen');
      const leader = await server.login('de-vries');
      const social = (await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: { categories: ['social'] }, reason: REASON } })).body;
      const video = (await server.call('POST', '/api/v1/grants', { as: jansen, body: { scope: lessonScope(JNS_NOW), allow: { categories: ['camera'] }, reason: REASON } })).body;
      for (const grant of [social, video]) {
        for (const device of [sanne, daan]) await server.applied(device, grant.id, NOW + 1000);
      }
      server.now += MINUTE;
      const detail = (await server.call('GET', `/api/v1/exceptions/${social.id}`, { as: leader })).body;
      expect(detail.consent).toEqual({ registers: [{ register: 'social-media', article: 'III.B.9' }], schoolYear: YEAR, studentsWithoutConsent: 1 });
      expect(detail.devices).toEqual(expect.arrayContaining([
        expect.objectContaining({ deviceId: sanne.deviceId, studentId: 's1', consent: true }),
        expect.objectContaining({ deviceId: daan.deviceId, studentId: 's2', consent: false }),
      ]));
      const plain = (await server.call('GET', `/api/v1/exceptions/${video.id}`, { as: leader })).body;
      expect(plain.consent).toEqual({ registers: [], schoolYear: YEAR, studentsWithoutConsent: 0 });
      expect(plain.devices.map((d: { consent: unknown }) => d.consent)).toEqual([null, null]);
    });

    it('lets a leader list, record and withdraw consents, audited; keeps teachers and other schools out', async () => {
      const server = await api.start();
      const leader = await server.login('de-vries');
      const recorded = await server.call('POST', '/api/v1/consents', { as: leader, body: { consents: [{ studentId: 's1', givenBy: 'student' }, { studentId: 's3', givenBy: 'parent', schoolYear: '2026-2027' }] } });
      expect(recorded.status, recorded.text).toBe(200);
      expect(recorded.body).toEqual({ added: 2, updated: 0, unchanged: 0, withdrawn: 0 });
      server.now += MINUTE;
      const again = await server.call('POST', '/api/v1/consents', { as: leader, body: { consents: [{ studentId: 's1', givenBy: 'student' }] } });
      expect(again.body).toEqual({ added: 0, updated: 0, unchanged: 1, withdrawn: 0 });
      const list = await server.call('GET', `/api/v1/consents?schoolYear=${YEAR}`, { as: leader });
      expect(list.body.consents).toEqual([{ schoolId: SCHOOL.id, studentId: 's1', register: 'social-media', schoolYear: YEAR, givenBy: 'student', registeredAt: NOW, source: 'manual' }]);
      expect((await server.call('GET', '/api/v1/audit', { as: leader })).body.rows.map((r: { action: string }) => r.action)).toEqual(['view-consents', 'record-consents', 'record-consents']);

      expect((await server.call('POST', '/api/v1/consents/withdraw', { as: leader, body: { studentId: 's1' } })).body).toEqual({ withdrawn: true });
      expect((await server.call('POST', '/api/v1/consents/withdraw', { as: leader, body: { studentId: 's1' } })).body).toEqual({ withdrawn: false });

      const unknown = await server.call('POST', '/api/v1/consents', { as: leader, body: { consents: [{ studentId: 'nobody', givenBy: 'parent' }] } });
      expect(unknown.status).toBe(400);
      expect((await server.call('POST', '/api/v1/consents', { as: leader, body: { consents: [{ studentId: 's1', givenBy: 'teacher' }] } })).status).toBe(400);
      expect((await server.call('GET', '/api/v1/consents?schoolYear=2026', { as: leader })).status).toBe(400);

      const jansen = await server.login('jansen');
      expect((await server.call('GET', '/api/v1/consents', { as: jansen })).status).toBe(403);
      expect((await server.call('POST', '/api/v1/consents', { as: jansen, body: { consents: [] } })).status).toBe(403);
      const other = await server.login('bakker');
      expect((await server.call('GET', `/api/v1/consents?school=${SCHOOL.id}`, { as: other })).status).toBe(403);
    });
  });
}
