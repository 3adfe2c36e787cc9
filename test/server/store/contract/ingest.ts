import { describe, expect, it } from 'vitest';
import type { DeviceEvent } from '../../../../src/core/events/schema.ts';
import { sql } from '../../../../src/server/store/sql.ts';
import { appliedEvent, device, expiredEvent, grantFor, LESSON_V4A, MINUTE, MONDAY_0830, SCHOOL, seedSchool, tamperBatch, tamperEvent, uuid } from '../fixtures.ts';
import type { Harness } from '../harness.ts';

const RECEIVED = MONDAY_0830 + 60 * MINUTE;

async function enrolled(h: Harness) {
  const store = await h.fresh();
  await store.putSchool(SCHOOL, 1);
  await store.enrollDevice(device('d1'), 1);
  await store.enrollDevice(device('d2'), 1);
  return store;
}

async function storedIds(store: Awaited<ReturnType<Harness['fresh']>>, deviceId: string): Promise<string[]> {
  const rows = await store.driver.all<{ event_id: string }>(sql`SELECT event_id FROM device_events WHERE device_id = ${deviceId} ORDER BY event_id`);
  return rows.map((r) => r.event_id);
}

export function ingestContract(h: Harness): void {
  describe('event ingest', () => {
    it('stores a batch and answers accepted for each event, in order', async () => {
      const store = await enrolled(h);
      const batch = tamperBatch(1, 5);
      const result = await store.ingestEvents('d1', batch, RECEIVED);
      expect(result).toMatchObject({ accepted: 5, duplicates: 0, rejected: 0, lastEventSeq: 5 });
      expect(result.outcomes).toEqual(batch.map((e, index) => ({ index, id: e.id, status: 'accepted' })));
      expect((await store.device('d1'))?.lastEventSeq).toBe(5);
    });

    it('stores a batch sent twice once: the second time every event is a duplicate', async () => {
      const store = await enrolled(h);
      const batch = tamperBatch(1, 20);
      await store.ingestEvents('d1', batch, RECEIVED);
      const again = await store.ingestEvents('d1', batch, RECEIVED + 1);
      expect(again).toMatchObject({ accepted: 0, duplicates: 20, rejected: 0 });
      expect(await storedIds(store, 'd1')).toHaveLength(20);
    });

    it('stores only the new events of a batch that overlaps one already stored', async () => {
      const store = await enrolled(h);
      await store.ingestEvents('d1', tamperBatch(1, 10), RECEIVED);
      const result = await store.ingestEvents('d1', tamperBatch(6, 10), RECEIVED);
      expect(result.outcomes.map((o) => o.status)).toEqual([...Array(5).fill('duplicate'), ...Array(5).fill('accepted')]);
      expect(await storedIds(store, 'd1')).toEqual(tamperBatch(1, 15).map((e) => e.id));
      expect(result.lastEventSeq).toBe(15);
    });

    it('stores an event id repeated within one batch once', async () => {
      const store = await enrolled(h);
      const [a, b] = tamperBatch(1, 2) as [DeviceEvent, DeviceEvent];
      const result = await store.ingestEvents('d1', [a, b, a], RECEIVED);
      expect(result.outcomes.map((o) => o.status)).toEqual(['accepted', 'accepted', 'duplicate']);
      expect(await storedIds(store, 'd1')).toHaveLength(2);
    });

    it('keys idempotency on the device too: another device may use the same event id', async () => {
      const store = await enrolled(h);
      await store.ingestEvents('d1', tamperBatch(1, 3), RECEIVED);
      expect((await store.ingestEvents('d2', tamperBatch(1, 3), RECEIVED)).accepted).toBe(3);
    });

    it('rejects a malformed event with its issues and keeps the valid rest', async () => {
      const store = await enrolled(h);
      const [good1, bad, good2] = tamperBatch(1, 3) as [DeviceEvent, DeviceEvent, DeviceEvent];
      const malformed = { ...bad, payload: { kind: 'clock-jump', detail: 'x', url: 'https://tiktok.com' } } as unknown as DeviceEvent;
      const result = await store.ingestEvents('d1', [good1, malformed, good2], RECEIVED);
      expect(result).toMatchObject({ accepted: 2, rejected: 1 });
      expect(result.outcomes[1]).toEqual({ index: 1, id: bad.id, status: 'rejected', issues: [expect.objectContaining({ path: 'payload.url' })] });
      expect(await storedIds(store, 'd1')).toEqual([good1.id, good2.id]);
    });

    it('refuses a batch from an unknown device and stores nothing', async () => {
      const store = await enrolled(h);
      await expect(store.ingestEvents('ghost', tamperBatch(1, 2), RECEIVED)).rejects.toMatchObject({ code: 'not-found' });
      expect(await store.driver.all(sql`SELECT event_id FROM device_events`)).toEqual([]);
    });

    it('stores each event exactly once when two connections ingest overlapping batches at the same time', async () => {
      const first = await enrolled(h);
      const second = await h.another(first);
      const events = tamperBatch(1, 1_200);
      const batches = (offset: number) => Array.from({ length: 8 }, (_, i) => events.slice(offset + i * 150, offset + i * 150 + 300));
      // Each connection pushes the whole log in overlapping windows, one starting 75 events after the other.
      const results = await Promise.all([
        ...batches(0).map((batch) => first.ingestEvents('d1', batch, RECEIVED)),
        ...batches(75).map((batch) => second.ingestEvents('d1', batch, RECEIVED)),
      ]);
      const ids = await storedIds(first, 'd1');
      expect(ids).toEqual(events.map((e) => e.id).sort());
      const accepted = results.reduce((sum, r) => sum + r.accepted, 0);
      expect(accepted).toBe(events.length);
    });

    it('counts an exception.applied event as the acknowledgement of a known grant, and keeps events naming unknown grants', async () => {
      const store = await h.fresh();
      await seedSchool(store);
      await store.createGrant(grantFor('g1', LESSON_V4A), 1);
      await store.ingestEvents('d1', [
        appliedEvent(1, 1, 'g1', MONDAY_0830 + MINUTE, LESSON_V4A.end),
        appliedEvent(2, 2, 'never-issued', MONDAY_0830 + MINUTE, LESSON_V4A.end),
        expiredEvent(3, 3, 'g1', LESSON_V4A.end),
      ], RECEIVED);
      const detail = await store.exceptionDetail('g1', RECEIVED);
      expect(detail?.devices).toEqual([{ deviceId: 'd1', hostname: 'laptop-d1', studentId: 's1', studentName: 'Student 1', appliedAt: MONDAY_0830 + MINUTE,
        expiredAt: LESSON_V4A.end, revokedAt: null }]);
      expect(await storedIds(store, 'd1')).toHaveLength(3);
    });

    it("reads a device's events back newest first, a page at a time", async () => {
      const store = await enrolled(h);
      const batch = tamperBatch(1, 7);
      await store.ingestEvents('d1', batch, RECEIVED);
      const page = await store.deviceEvents('d1', { from: 0, to: RECEIVED * 2 }, { limit: 3, offset: 0 });
      expect(page.total).toBe(7);
      expect(page.rows.map((r) => r.event)).toEqual([batch[6], batch[5], batch[4]]);
      expect(page.rows[0]).toMatchObject({ deviceId: 'd1', receivedAt: RECEIVED });
    });

    it('never changes or deletes a stored event, even by hand', async () => {
      const store = await enrolled(h);
      await store.ingestEvents('d1', [tamperEvent(1, 1, MONDAY_0830)], RECEIVED);
      await expect(store.driver.run(sql`UPDATE device_events SET seq = 9`)).rejects.toThrow(/append-only/);
      await expect(store.driver.run(sql`DELETE FROM device_events`)).rejects.toThrow(/append-only/);
      expect(await storedIds(store, 'd1')).toEqual([uuid(1)]);
    });
  });
}
