import { describe, expect, it } from 'vitest';
import { sql } from '../../../../src/server/store/sql.ts';
import { DAY, device, deviceApplied, grantFor, HOUR, LESSON_V4A, LESSON_V4B, MINUTE, MONDAY_0830, seedSchool, windowGrant } from '../fixtures.ts';
import type { Harness } from '../harness.ts';

export function grantContract(h: Harness): void {
  describe('grants', () => {
    it("stores a lesson grant with the lesson's groups, its effective start, and the signed text verbatim", async () => {
      const store = await h.fresh();
      await seedSchool(store);
      const record = grantFor('g1', LESSON_V4A);
      // Key order and spacing a re-serialisation would lose.
      const signed = '{"sig" : "abc",\n "grant":{"z":1,"a":2}}';
      const result = await store.createGrant({ ...record, signed }, MONDAY_0830 - 9 * MINUTE);
      expect(result.status).toBe('created');
      expect(result.record).toEqual({
        ...record,
        signed,
        groups: ['v4a'],
        startsAt: LESSON_V4A.start,
        revokedAt: null,
        revokedBy: null,
        createdAt: MONDAY_0830 - 9 * MINUTE,
      });
      expect((await store.grant('g1'))?.signed).toBe(signed);
      expect(await store.grant('nope')).toBeNull();
    });

    it('is idempotent on the id: the same grant again is already-stored, other content is a conflict', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.createGrant(grantFor('g1', LESSON_V4A), 1);
      expect((await store.createGrant(grantFor('g1', LESSON_V4A), 2)).status).toBe('already-stored');
      await expect(store.createGrant(grantFor('g1', LESSON_V4A, { reason: 'iets anders' }), 3)).rejects.toMatchObject({ code: 'conflict' });
      expect(await store.driver.all(sql`SELECT id FROM grants`)).toHaveLength(1);
    });

    describe('with an Idempotency-Key', () => {
      const jansenKey = (key: string, requestHash = 'hash-a') => ({ username: 'jansen', key, requestHash });
      const AT = MONDAY_0830 - 9 * MINUTE;

      it('stores the grant with the key, and gives that grant back for the same key and request, storing nothing', async () => {
        const store = await h.fresh();
        await seedSchool(store);
        const first = await store.createGrant(grantFor('g1', LESSON_V4A), AT, jansenKey('k-1'));
        expect(first.status).toBe('created');
        const again = await store.createGrant(grantFor('g2', LESSON_V4A), AT + MINUTE, jansenKey('k-1'));
        expect(again).toEqual({ status: 'replayed', record: first.record });
        expect(await store.grant('g2')).toBeNull();
        expect(await store.driver.all(sql`SELECT id FROM grants`)).toHaveLength(1);
        expect(await store.grantByIdempotencyKey('jansen', 'k-1', AT + MINUTE)).toEqual({ requestHash: 'hash-a', createdAt: AT, record: first.record });
        expect(await store.grantByIdempotencyKey('jansen', 'k-other', AT + MINUTE)).toBeNull();
      });

      it('refuses the same key with another request (conflict), and lets other users use the same key', async () => {
        const store = await h.fresh();
        await seedSchool(store);
        await store.createGrant(grantFor('g1', LESSON_V4A), AT, jansenKey('k-1'));
        await expect(store.createGrant(grantFor('g2', LESSON_V4A), AT, jansenKey('k-1', 'hash-b'))).rejects
          .toMatchObject({ code: 'conflict', message: expect.stringMatching(/Idempotency-Key was used for another exception/) });
        expect(await store.grant('g2')).toBeNull();
        const other = await store.createGrant(grantFor('g3', LESSON_V4B), AT, { username: 'pieters', key: 'k-1', requestHash: 'hash-b' });
        expect(other.status).toBe('created');
        expect(await store.grantByIdempotencyKey('jansen', 'k-1', AT)).toMatchObject({ record: { grant: { id: 'g1' } } });
        expect(await store.grantByIdempotencyKey('pieters', 'k-1', AT)).toMatchObject({ record: { grant: { id: 'g3' } } });
      });

      it('forgets a key after 24 hours: then it makes a new grant', async () => {
        const store = await h.fresh();
        await seedSchool(store);
        await store.createGrant(windowGrant('g1', AT, AT + 3 * DAY), AT, jansenKey('k-1'));
        expect(await store.grantByIdempotencyKey('jansen', 'k-1', AT + DAY - 1)).not.toBeNull();
        expect(await store.grantByIdempotencyKey('jansen', 'k-1', AT + DAY)).toBeNull();
        expect((await store.createGrant(windowGrant('g2', AT + DAY, AT + 3 * DAY), AT + DAY, jansenKey('k-1', 'hash-b'))).status).toBe('created');
        expect(await store.grantByIdempotencyKey('jansen', 'k-1', AT + DAY)).toMatchObject({ requestHash: 'hash-b', record: { grant: { id: 'g2' } } });
      });

      it('stores nothing, not even the key, when the grant is refused', async () => {
        const store = await h.fresh();
        await seedSchool(store);
        const ghost = { ...LESSON_V4A, start: LESSON_V4A.start + 7 * 24 * HOUR, end: LESSON_V4A.end + 7 * 24 * HOUR };
        await expect(store.createGrant(grantFor('g1', ghost), AT, jansenKey('k-1'))).rejects.toMatchObject({ code: 'not-found' });
        expect(await store.grantByIdempotencyKey('jansen', 'k-1', AT)).toBeNull();
        expect((await store.createGrant(grantFor('g2', LESSON_V4A), AT, jansenKey('k-1'))).status).toBe('created');
      });

      it('makes one grant when two calls with the same key race', async () => {
        const store = await h.fresh();
        await seedSchool(store);
        const other = await h.another(store);
        const results = await Promise.all([
          store.createGrant(grantFor('g1', LESSON_V4A), AT, jansenKey('k-race')),
          other.createGrant(grantFor('g2', LESSON_V4A), AT, jansenKey('k-race')),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual(['created', 'replayed']);
        expect(results[0].record.grant.id).toBe(results[1].record.grant.id);
        expect(await store.driver.all(sql`SELECT id FROM grants`)).toHaveLength(1);
      });

      it('refuses a malformed key or hash', async () => {
        const store = await h.fresh();
        await seedSchool(store);
        await expect(store.createGrant(grantFor('g1', LESSON_V4A), AT, jansenKey('has space'))).rejects.toMatchObject({ code: 'invalid-input' });
        await expect(store.createGrant(grantFor('g1', LESSON_V4A), AT, jansenKey('x'.repeat(129)))).rejects.toMatchObject({ code: 'invalid-input' });
        await expect(store.createGrant(grantFor('g1', LESSON_V4A), AT, jansenKey('k', ''))).rejects.toMatchObject({ code: 'invalid-input' });
        await expect(store.grantByIdempotencyKey('jansen', '', AT)).rejects.toMatchObject({ code: 'invalid-input' });
        expect(await store.grant('g1')).toBeNull();
      });
    });

    it('refuses a lesson grant for a lesson that is not in the timetable', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      const ghost = { ...LESSON_V4A, start: LESSON_V4A.start + 7 * 24 * HOUR, end: LESSON_V4A.end + 7 * 24 * HOUR };
      await expect(store.createGrant(grantFor('g1', ghost), 1)).rejects.toMatchObject({ code: 'not-found' });
      expect(await store.grant('g1')).toBeNull();
    });

    it('keeps the earliest revocation and who made it', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.createGrant(grantFor('g1', LESSON_V4A), 1);
      const revoked = await store.revokeGrant('g1', { at: MONDAY_0830 + 20 * MINUTE, by: 'jansen' });
      expect(revoked).toMatchObject({ revokedAt: MONDAY_0830 + 20 * MINUTE, revokedBy: 'jansen', grant: { revokedAt: MONDAY_0830 + 20 * MINUTE } });
      await store.revokeGrant('g1', { at: MONDAY_0830 + 30 * MINUTE, by: 'de-vries' });
      expect(await store.grant('g1')).toMatchObject({ revokedAt: MONDAY_0830 + 20 * MINUTE, revokedBy: 'jansen' });
      await store.revokeGrant('g1', { at: MONDAY_0830 + 10 * MINUTE, by: 'de-vries' });
      expect(await store.grant('g1')).toMatchObject({ revokedAt: MONDAY_0830 + 10 * MINUTE, revokedBy: 'de-vries' });
      expect(await store.revokeGrant('nope', { at: 1, by: 'x' })).toBeNull();
    });

    it('counts a device as applying a grant from its exception.applied event, at the earliest time it logged', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.createGrant(grantFor('g1', LESSON_V4A), 1);
      await deviceApplied(store, 'd1', 'g1', MONDAY_0830 + 2 * MINUTE);
      await deviceApplied(store, 'd1', 'g1', MONDAY_0830 + 5 * MINUTE);
      await deviceApplied(store, 'd2', 'g1', MONDAY_0830 + MINUTE);
      await deviceApplied(store, 'd1', 'nope', MONDAY_0830);
      const detail = await store.exceptionDetail('g1', MONDAY_0830);
      expect(detail?.devices.map((d) => [d.deviceId, d.appliedAt])).toEqual([['d1', MONDAY_0830 + 2 * MINUTE], ['d2', MONDAY_0830 + MINUTE]]);
      expect(detail?.devicesExpected).toBe(2);
    });

    it("does not count a device's exception.applied for a grant that does not reach it (another class's), and keeps the event", async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.createGrant(grantFor('g1', LESSON_V4A), 1);
      // d3 is s3's laptop, in v4b: v4a's exception is not for it, however often it says it applied it.
      await deviceApplied(store, 'd3', 'g1', MONDAY_0830 + MINUTE);
      expect((await store.exceptionLog({ at: MONDAY_0830 }, { limit: 10, offset: 0 })).rows[0]?.devicesApplied).toBe(0);
      expect((await store.exceptionDetail('g1', MONDAY_0830))?.devices.filter((d) => d.appliedAt !== null)).toEqual([]);
      expect((await store.deviceEvents('d3', { from: 0, to: MONDAY_0830 + DAY }, { limit: 10, offset: 0 })).total).toBe(1);
    });

    it('gives a device the unexpired grants that reach it through its group, its student or itself, revoked ones included', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.createGrant(grantFor('for-v4a', LESSON_V4A), 1);
      await store.createGrant(grantFor('for-v4b', LESSON_V4B, { issuedBy: { username: 'pieters', role: 'teacher', teacherCode: 'PTR' } }), 1);
      await store.createGrant(windowGrant('for-s1', MONDAY_0830, MONDAY_0830 + 3 * HOUR, {}, { audience: { kind: 'student', studentId: 's1' } }), 1);
      await store.createGrant(windowGrant('for-d2', MONDAY_0830, MONDAY_0830 + 3 * HOUR, {}, { audience: { kind: 'device', deviceId: 'd2' } }), 1);
      await store.createGrant(windowGrant('revoked', MONDAY_0830, MONDAY_0830 + 3 * HOUR, {}, { audience: { kind: 'groups', groups: ['v4a'] } }), 1);
      await store.revokeGrant('revoked', { at: MONDAY_0830, by: 'de-vries' });
      const ids = async (deviceId: string, at: number) => (await store.grantsForDevice(deviceId, at)).map((g) => g.grant.id).sort();
      expect(await ids('d1', MONDAY_0830)).toEqual(['for-s1', 'for-v4a', 'revoked']);
      expect(await ids('d2', MONDAY_0830)).toEqual(['for-d2', 'for-v4a', 'revoked']);
      expect(await ids('d3', MONDAY_0830)).toEqual(['for-v4b']);
      // After the first lesson has ended, its grant is no longer sent.
      expect(await ids('d1', LESSON_V4A.end)).toEqual(['for-s1', 'revoked']);
      await store.enrollDevice(device('loose'), 1);
      expect(await ids('loose', MONDAY_0830)).toEqual([]);
      expect(await ids('ghost', MONDAY_0830)).toEqual([]);
    });

    it("records a student grant with the student's groups, so the log can filter it by group", async () => {
      const store = await h.fresh();
      await seedSchool(store);
      const { record } = await store.createGrant(windowGrant('s3', MONDAY_0830, MONDAY_0830 + HOUR, {}, { audience: { kind: 'student', studentId: 's3' } }), 1);
      expect(record.groups).toEqual(['v4b']);
      await expect(store.createGrant(windowGrant('x', MONDAY_0830, MONDAY_0830 + HOUR, {}, { audience: { kind: 'student', studentId: 'ghost' } }), 1))
        .rejects.toMatchObject({ code: 'not-found' });
    });
  });
}
