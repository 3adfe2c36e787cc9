import { describe, expect, it } from 'vitest';
import type { PruneCounts, RetentionPolicy } from '../../../../src/server/store/index.ts';
import { sql, trusted } from '../../../../src/server/store/sql.ts';
import type { SqlServerStore } from '../../../../src/server/store/sql-server-store.ts';
import { appliedEvent, DAY, deviceApplied, HOUR, MINUTE, MONDAY_0830, SCHOOL, seedSchool, tamperEvent, windowGrant } from '../fixtures.ts';
import type { Harness } from '../harness.ts';

const POLICY: RetentionPolicy = { eventDays: 180, exceptionDays: 730 };
/** Long after the fixtures' Monday, so both cut-offs fall after it. */
const NOW = MONDAY_0830 + 1_000 * DAY;
const EVENT_CUTOFF = NOW - 180 * DAY;
const EXCEPTION_CUTOFF = NOW - 730 * DAY;
const NOTHING: PruneCounts = { deviceEvents: 0, contactIntervals: 0, exceptions: 0, auditEntries: 0, sessions: 0, consents: 0, idempotencyKeys: 0 };
const EVERYTHING = { from: 0, to: NOW + DAY };
const PAGE = { limit: 100, offset: 0 };

const rowsOf = async (store: SqlServerStore, table: 'grant_groups' | 'grant_articles' | 'grant_allow' | 'grant_acks', grantId: string) =>
  (await store.driver.all<{ total: number }>(sql`SELECT count(*) AS total FROM ${trusted(table)} WHERE grant_id = ${grantId}`))
    .map((r) => Number(r.total))[0];

/** A leader's one-hour window grant to v4b that expires at `expiresAt`. */
const grantExpiringAt = (id: string, expiresAt: number) => windowGrant(id, expiresAt - HOUR, expiresAt);

/** Everything the prune must never touch, to compare before and after. */
async function administration(store: SqlServerStore) {
  return {
    schools: await store.schools(),
    users: await store.users(),
    groups: await store.groups(SCHOOL.id),
    students: await store.studentsInGroup(SCHOOL.id, 'v4a'),
    lessons: await store.lessons(SCHOOL.id, { from: 0, to: NOW + DAY }),
    devices: (await store.deviceHealth(null)).map((d) => d.deviceId),
  };
}

export function retentionContract(h: Harness): void {
  describe('retention', () => {
    it('deletes device events and contact intervals older than eventDays and keeps those at or after the cut-off', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.ingestEvents('d1', [
        tamperEvent(1, 1, EVENT_CUTOFF - 1),
        tamperEvent(2, 2, EVENT_CUTOFF),
        tamperEvent(3, 3, EVENT_CUTOFF + 1),
        appliedEvent(4, 4, 'g-unknown', EVENT_CUTOFF - DAY, EVENT_CUTOFF - DAY + HOUR),
      ], NOW - DAY);
      await store.ingestEvents('d2', [tamperEvent(5, 1, EVENT_CUTOFF - 2 * DAY, 1)], NOW - DAY);
      // d1: an interval that ended ten minutes before the cut-off, then a new one starting exactly at it.
      await store.recordDeviceContact('d1', EVENT_CUTOFF - 10 * MINUTE);
      await store.recordDeviceContact('d1', EVENT_CUTOFF);
      // d2: one interval running across the cut-off stays whole.
      await store.recordDeviceContact('d2', EVENT_CUTOFF - 2 * MINUTE);
      await store.recordDeviceContact('d2', EVENT_CUTOFF + 2 * MINUTE);
      const before = await administration(store);

      const expected = { ...NOTHING, deviceEvents: 3, contactIntervals: 1 };
      expect(await store.countExpired(POLICY, NOW)).toEqual(expected);
      expect(await store.pruneExpired(POLICY, NOW)).toEqual(expected);

      expect((await store.deviceEvents('d1', EVERYTHING, PAGE)).rows.map((r) => r.event.seq)).toEqual([3, 2]);
      expect((await store.deviceEvents('d2', EVERYTHING, PAGE)).total).toBe(0);
      const contact = await store.driver.all<{ device_id: string; from_at: number; until_at: number }>(
        sql`SELECT device_id, from_at, until_at FROM device_contact ORDER BY device_id, from_at`);
      expect(contact.map((c) => ({ ...c, from_at: Number(c.from_at), until_at: Number(c.until_at) }))).toEqual([
        { device_id: 'd1', from_at: EVENT_CUTOFF, until_at: EVENT_CUTOFF },
        { device_id: 'd2', from_at: EVENT_CUTOFF - 2 * MINUTE, until_at: EVENT_CUTOFF + 2 * MINUTE },
      ]);
      // Lessons, users, students, groups and devices are the school's administration, never pruned.
      expect(await administration(store)).toEqual(before);

      expect(await store.countExpired(POLICY, NOW)).toEqual(NOTHING);
      expect(await store.pruneExpired(POLICY, NOW)).toEqual(NOTHING);
    });

    it('deletes exceptions that expired more than exceptionDays ago with every row stored with them, and keeps the rest', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.createGrant(grantExpiringAt('g-old', EXCEPTION_CUTOFF - 1), EXCEPTION_CUTOFF - 2 * HOUR);
      await store.createGrant(grantExpiringAt('g-edge', EXCEPTION_CUTOFF), EXCEPTION_CUTOFF - 2 * HOUR);
      await store.createGrant(grantExpiringAt('g-new', NOW - DAY), NOW - 2 * DAY);
      for (const id of ['g-old', 'g-edge']) await deviceApplied(store, 'd3', id, EXCEPTION_CUTOFF - 90 * MINUTE);
      await store.revokeGrant('g-old', { at: EXCEPTION_CUTOFF - 80 * MINUTE, by: 'de-vries' });
      const log = async () => (await store.exceptionLog({ at: NOW }, PAGE)).rows.map((r) => r.id).sort();
      expect(await log()).toEqual(['g-edge', 'g-new', 'g-old']);
      for (const table of ['grant_groups', 'grant_articles', 'grant_allow', 'grant_acks'] as const) expect(await rowsOf(store, table, 'g-old'), table).toBeGreaterThan(0);
      const before = await administration(store);

      // The laptop's exception.applied events are as old, so past the event retention too.
      const expected = { ...NOTHING, exceptions: 1, deviceEvents: 2 };
      expect(await store.countExpired(POLICY, NOW)).toEqual(expected);
      expect(await store.pruneExpired(POLICY, NOW)).toEqual(expected);

      expect(await log()).toEqual(['g-edge', 'g-new']);
      expect(await store.grant('g-old')).toBeNull();
      expect(await store.exceptionDetail('g-old', NOW)).toBeNull();
      expect((await store.exceptionsPerWeek({ at: NOW })).reduce((sum, w) => sum + w.count, 0)).toBe(2);
      for (const table of ['grant_groups', 'grant_articles', 'grant_allow', 'grant_acks'] as const) {
        expect(await rowsOf(store, table, 'g-old'), table).toBe(0);
        expect(await rowsOf(store, table, 'g-edge'), table).toBeGreaterThan(0);
      }
      expect((await store.exceptionDetail('g-edge', NOW))?.record.grant.id).toBe('g-edge');
      expect(await administration(store)).toEqual(before);
      expect(await store.pruneExpired(POLICY, NOW)).toEqual(NOTHING);
    });

    it('deletes audit entries older than exceptionDays and leaves the audit log append-only for everything else', async () => {
      const store = await h.fresh();
      const entry = (at: number) => ({ at, username: 'de-vries', action: 'view-device-events', subject: { kind: 'student', id: 's1' }, schoolId: SCHOOL.id, detail: null });
      for (const at of [EXCEPTION_CUTOFF - DAY, EXCEPTION_CUTOFF - 1, EXCEPTION_CUTOFF, EXCEPTION_CUTOFF + 1, NOW]) await store.recordAudit(entry(at));

      expect(await store.pruneExpired(POLICY, NOW)).toEqual({ ...NOTHING, auditEntries: 2 });
      expect((await store.auditLog({}, PAGE)).rows.map((e) => e.at)).toEqual([NOW, EXCEPTION_CUTOFF + 1, EXCEPTION_CUTOFF]);
      // The prune's cut-off does not outlive its transaction: deleting by hand is refused as before.
      expect(await store.driver.all(sql`SELECT table_name FROM retention_cutoffs`)).toEqual([]);
      await expect(store.driver.run(sql`DELETE FROM audit_log WHERE at < ${NOW}`)).rejects.toThrow(/append-only/);
      expect((await store.auditLog({}, PAGE)).total).toBe(3);
      expect(await store.pruneExpired(POLICY, NOW)).toEqual(NOTHING);
    });

    it('refuses a hand-made delete of recent rows even while a prune cut-off is set', async () => {
      const store = await h.fresh();
      await store.recordAudit({ at: NOW, username: 'de-vries', action: 'export-log', subject: { kind: 'exception-log', id: 'all' }, schoolId: null, detail: null });
      await expect(store.driver.transaction(async (tx) => {
        await tx.run(sql`INSERT INTO retention_cutoffs (table_name, before_at) VALUES ('audit_log', ${NOW})`);
        await tx.run(sql`DELETE FROM audit_log`);
      })).rejects.toThrow(/append-only/);
      expect((await store.auditLog({}, PAGE)).total).toBe(1);
    });

    it('deletes expired sessions and keeps the others', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.createSession({ tokenHash: 'expired', username: 'de-vries', createdAt: NOW - HOUR, expiresAt: NOW });
      await store.createSession({ tokenHash: 'valid', username: 'de-vries', createdAt: NOW - HOUR, expiresAt: NOW + 1 });
      expect(await store.pruneExpired(POLICY, NOW)).toEqual({ ...NOTHING, sessions: 1 });
      expect(await store.session('valid', NOW)).not.toBeNull();
      expect(await store.driver.all(sql`SELECT token_hash FROM sessions`)).toEqual([{ token_hash: 'valid' }]);
    });

    it('deletes Idempotency-Keys older than 24 hours, whatever the policy, keeping their exceptions', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      const key = (k: string) => ({ username: 'de-vries', key: k, requestHash: 'h' });
      await store.createGrant(windowGrant('g-old', NOW - DAY - 1, NOW + DAY), NOW - DAY - 1, key('old'));
      await store.createGrant(windowGrant('g-edge', NOW - DAY, NOW + DAY), NOW - DAY, key('edge'));
      await store.createGrant(windowGrant('g-new', NOW - HOUR, NOW + DAY), NOW - HOUR, key('new'));
      expect(await store.countExpired(POLICY, NOW)).toEqual({ ...NOTHING, idempotencyKeys: 1 });
      expect(await store.pruneExpired(POLICY, NOW)).toEqual({ ...NOTHING, idempotencyKeys: 1 });
      const keys = await store.driver.all<{ idempotency_key: string }>(sql`SELECT idempotency_key FROM grant_idempotency ORDER BY idempotency_key`);
      expect(keys.map((k) => k.idempotency_key)).toEqual(['edge', 'new']);
      expect(await store.grant('g-old')).not.toBeNull();
    });

    it('refuses to prune by a clock far past everything stored (a server clock set ahead), and deletes nothing', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.ingestEvents('d1', [tamperEvent(1, 1, NOW - 2 * DAY), tamperEvent(2, 2, NOW - 400 * DAY)], NOW - DAY);
      const ahead = NOW + 3 * 365 * DAY;
      for (const call of [store.pruneExpired, store.countExpired]) {
        const error = await call.call(store, POLICY, ahead).then(() => undefined, (e: unknown) => e);
        expect(error).toMatchObject({ code: 'clock-ahead' });
        expect((error as Error).message).toMatch(/days past the newest record .* Check the server's time \(NTP\)/);
      }
      expect((await store.deviceEvents('d1', { from: 0, to: ahead }, PAGE)).total).toBe(2);
      // The summer holidays: weeks without a laptop are no reason to refuse.
      expect((await store.pruneExpired(POLICY, NOW + 60 * DAY)).deviceEvents).toBe(1);
    });

    it('refuses a policy that is not whole days or below the minimums, and deletes nothing', async () => {
      const store = await h.fresh();
      await store.recordAudit({ at: 1, username: 'de-vries', action: 'export-log', subject: { kind: 'exception-log', id: 'all' }, schoolId: null, detail: null });
      const invalid: [unknown, string][] = [
        [{ eventDays: -1, exceptionDays: 730 }, 'eventDays'],
        [{ eventDays: 180, exceptionDays: -730 }, 'exceptionDays'],
        [{ eventDays: 180.5, exceptionDays: 730 }, 'eventDays'],
        [{ eventDays: 180, exceptionDays: 730.25 }, 'exceptionDays'],
        [{ eventDays: Number.NaN, exceptionDays: 730 }, 'eventDays'],
        [{ eventDays: 29, exceptionDays: 730 }, 'eventDays'],
        [{ eventDays: 180, exceptionDays: 364 }, 'exceptionDays'],
        [{ eventDays: 180 }, 'exceptionDays'],
        [{ eventDays: '180', exceptionDays: 730 }, 'eventDays'],
      ];
      for (const [policy, field] of invalid) {
        for (const call of [store.pruneExpired, store.countExpired]) {
          const error = await call(policy as RetentionPolicy, NOW).then(() => undefined, (e: unknown) => e);
          expect(error, JSON.stringify(policy)).toMatchObject({ code: 'invalid-input' });
          expect((error as { issues: { path: string }[] }).issues.map((i) => i.path), JSON.stringify(policy)).toContain(field);
        }
      }
      await expect(store.pruneExpired(POLICY, -1)).rejects.toMatchObject({ code: 'invalid-input' });
      await expect(store.pruneExpired(POLICY, 1.5)).rejects.toMatchObject({ code: 'invalid-input' });
      expect((await store.auditLog({}, PAGE)).total).toBe(1);
    });
  });
}
