import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DeviceStoreError, MAX_OUTBOX_BATCH, openDeviceStore } from '../../../src/agent/store/index.ts';
import { createTestStore, LESSON, POLICY_VERSION, tamper, useTempDir } from './helpers.ts';

const temp = useTempDir();

/** A second, raw connection to the file, as a support script or the sqlite3 shell would have. */
function rawConnection(path: string): Database.Database {
  const db = new Database(path);
  temp.onClose(() => db.close());
  return db;
}

function countRows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM events').pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('appending events', () => {
  it('returns the stored event with a UUID id and the next seq', () => {
    const { store, clock } = createTestStore(temp);
    const first = store.appendEvent(tamper());
    expect(first).toEqual({
      id: '00000000-0000-4000-8000-000000000001',
      seq: 1,
      type: 'tamper',
      occurredAt: clock.now(),
      policyVersion: POLICY_VERSION,
      payload: { kind: 'clock-jump', detail: 'clock moved back 3 h' },
    });
    expect(store.appendEvent({ ...tamper(), occurredAt: 1234 })).toMatchObject({ seq: 2, occurredAt: 1234 });
  });

  it('refuses an invalid event with an error naming the field, and stores nothing', () => {
    const { store, path } = createTestStore(temp);
    const invalid = { type: 'enforcement.started', policyVersion: POLICY_VERSION, payload: { reason: 'Lesson Started!', lesson: { uid: '', start: LESSON.start } } };
    let error: unknown;
    try {
      store.appendEvent(invalid as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeviceStoreError);
    expect((error as DeviceStoreError).code).toBe('invalid-event');
    expect((error as DeviceStoreError).issues.map((i) => i.path)).toEqual(['payload.reason', 'payload.lesson.uid']);
    expect((error as DeviceStoreError).message).toMatch(/^Refused to store an invalid "enforcement.started" event: payload\.reason: use kebab-case/);
    expect(store.outboxSize()).toBe(0);
    expect(countRows(path)).toBe(0);
  });

  it('requires a policy version on every event', () => {
    const { store } = createTestStore(temp);
    const { policyVersion: _, ...withoutVersion } = tamper();
    expect(() => store.appendEvent(withoutVersion as never)).toThrow(/policyVersion: is required/);
  });

  it('refuses an id generator that does not make UUIDs, storing nothing', () => {
    const store = temp.track(openDeviceStore({ path: join(temp.dir(), 'device.db'), newId: () => 'event-1' }));
    expect(() => store.appendEvent(tamper())).toThrow(/The id generator returned "event-1", which is not a UUID; nothing was stored/);
    expect(store.outboxSize()).toBe(0);
  });
});

describe('telling the sync loop', () => {
  it('calls onAppend listeners after an event is committed, not for refused input, and not after unsubscribing', () => {
    const { store } = createTestStore(temp);
    const seen: number[] = [];
    const unsubscribe = store.onAppend(() => seen.push(store.outboxSize()));
    store.appendEvent(tamper());
    expect(seen).toEqual([1]); // the event is already in the outbox when the listener runs
    expect(() => store.appendEvent({ ...tamper(), policyVersion: '' })).toThrow(DeviceStoreError);
    expect(seen).toEqual([1]);
    unsubscribe();
    store.appendEvent(tamper());
    expect(seen).toEqual([1]);
  });

  it('keeps the event when a listener throws', () => {
    const { store } = createTestStore(temp);
    store.onAppend(() => { throw new Error('listener bug'); });
    const event = store.appendEvent(tamper());
    expect(store.outboxBatch(10).map((e) => e.id)).toEqual([event.id]);
  });
});

describe('the event log is append-only', () => {
  it('refuses an UPDATE of anything but the sync marker, even through raw SQL', () => {
    const { store, path } = createTestStore(temp);
    store.appendEvent(tamper());
    const db = rawConnection(path);
    for (const change of ["payload = '{}'", "type = 'app.blocked'", 'occurred_at = 0', "policy_version = 'x'", 'seq = 99', "id = 'other'"]) {
      expect(() => db.exec(`UPDATE events SET ${change}`), change).toThrow('events are append-only: only synced_at may be set, and only once');
    }
    expect(store.outboxBatch(1)[0]?.payload).toEqual({ kind: 'clock-jump', detail: 'clock moved back 3 h' });
  });

  it('lets synced_at be set once and never changed or cleared', () => {
    const { store, path } = createTestStore(temp);
    store.appendEvent(tamper());
    const db = rawConnection(path);
    db.exec('UPDATE events SET synced_at = 100');
    expect(() => db.exec('UPDATE events SET synced_at = 200')).toThrow(/only synced_at may be set, and only once/);
    expect(() => db.exec('UPDATE events SET synced_at = NULL')).toThrow(/only once/);
  });

  it('refuses to DELETE an event the server has not acknowledged', () => {
    const { store, path } = createTestStore(temp);
    store.appendEvent(tamper());
    const db = rawConnection(path);
    expect(() => db.exec('DELETE FROM events')).toThrow('an event the school server has not acknowledged is never deleted');
    expect(store.outboxSize()).toBe(1);
  });

  it('refuses INSERT OR REPLACE over an existing event (whose hidden delete would skip the delete trigger)', () => {
    const { store, path } = createTestStore(temp);
    const event = store.appendEvent(tamper());
    const db = rawConnection(path);
    const replace = db.prepare(
      "INSERT OR REPLACE INTO events (seq, id, type, occurred_at, policy_version, payload, recorded_at) VALUES (?, ?, 'tamper', 0, 'x', '{}', 0)");
    expect(() => replace.run(event.seq, 'f0000000-0000-4000-8000-000000000000')).toThrow(/never stored twice or reused/);
    expect(() => replace.run(null, event.id)).toThrow(/never stored twice or reused/);
    expect(store.outboxBatch(10)).toEqual([event]);
  });

  it('hands out strictly increasing seqs and never reuses one, even after the newest synced events are pruned', () => {
    const { store, path, clock } = createTestStore(temp);
    const seqs = Array.from({ length: 5 }, () => store.appendEvent(tamper()).seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    store.markSynced(store.outboxBatch(10).map((e) => e.id));
    clock.advance(1);
    expect(store.pruneSyncedEvents(clock.now())).toBe(5);
    expect(store.appendEvent(tamper()).seq).toBe(6);

    // Not even by hand: an explicit seq at or below the highest ever used is refused.
    store.markSynced(store.outboxBatch(10).map((e) => e.id));
    clock.advance(1);
    store.pruneSyncedEvents(clock.now());
    const db = rawConnection(path);
    expect(() => db.prepare(
      "INSERT INTO events (seq, id, type, occurred_at, policy_version, payload, recorded_at) VALUES (3, 'f0000000-0000-4000-8000-000000000003', 'tamper', 0, 'x', '{}', 0)",
    ).run()).toThrow(/never stored twice or reused/);
    expect(store.appendEvent(tamper()).seq).toBe(7);
  });
});

describe('the outbox', () => {
  it('gives unsynced events in seq order, in batches, continuing after a given seq', () => {
    const { store } = createTestStore(temp);
    const events = Array.from({ length: 7 }, (_, i) => store.appendEvent(tamper(`event ${i}`)));
    expect(store.outboxSize()).toBe(7);
    const first = store.outboxBatch(3);
    expect(first).toEqual(events.slice(0, 3));
    // Pipelining: read the next batch before the first is acknowledged.
    expect(store.outboxBatch(3, first.at(-1)!.seq)).toEqual(events.slice(3, 6));
    store.markSynced(first.map((e) => e.id));
    expect(store.outboxBatch(100)).toEqual(events.slice(3));
    expect(store.outboxSize()).toBe(4);
  });

  it(`never returns more than ${MAX_OUTBOX_BATCH} events, the most the server takes at once`, () => {
    const { store } = createTestStore(temp);
    for (let i = 0; i < MAX_OUTBOX_BATCH + 3; i++) store.appendEvent(tamper());
    expect(store.outboxBatch(10_000)).toHaveLength(MAX_OUTBOX_BATCH);
    expect(() => store.outboxBatch(0)).toThrow(RangeError);
  });

  it('marks events synced idempotently: repeats and unknown ids change nothing', () => {
    const { store, path, clock } = createTestStore(temp);
    const [a, b] = [store.appendEvent(tamper('a')), store.appendEvent(tamper('b'))];
    const firstAck = clock.now();
    expect(store.markSynced([a.id])).toBe(1);
    clock.advance(60_000);
    expect(store.markSynced([a.id, b.id, 'ffffffff-ffff-4fff-bfff-ffffffffffff'])).toBe(1);
    expect(store.markSynced([a.id, b.id])).toBe(0);
    expect(store.outboxSize()).toBe(0);
    const db = rawConnection(path);
    expect(db.prepare('SELECT id, synced_at FROM events ORDER BY seq').all()).toEqual([
      { id: a.id, synced_at: firstAck },
      { id: b.id, synced_at: firstAck + 60_000 },
    ]);
  });
});

describe('retention', () => {
  it('prunes synced events older than the cut-off and never an unsynced one, however old', () => {
    const { store, clock } = createTestStore(temp);
    const day = 86_400_000;
    const oldSynced = store.appendEvent({ ...tamper('old, synced'), occurredAt: clock.now() - 40 * day });
    const oldUnsynced = store.appendEvent({ ...tamper('old, never synced'), occurredAt: clock.now() - 400 * day });
    const recentSynced = store.appendEvent({ ...tamper('recent, synced'), occurredAt: clock.now() - day });
    store.markSynced([oldSynced.id, recentSynced.id]);

    expect(store.pruneSyncedEvents(clock.now() - 30 * day)).toBe(1);
    expect(store.pruneSyncedEvents(clock.now() - 30 * day)).toBe(0);
    expect(store.outboxBatch(10)).toEqual([oldUnsynced]);
    expect(store.pruneSyncedEvents(clock.now() + day)).toBe(1);
    expect(store.outboxBatch(10)).toEqual([oldUnsynced]);
  });

  it('remembers an exception still in force as applied after its event is pruned, and forgets it once it ended (a 120-day window outlives 30-day retention)', () => {
    const { store, clock, reopen } = createTestStore(temp);
    const day = 86_400_000;
    const allowed = { categories: ['social' as const], services: [], capture: [] };
    const exception = (grantId: string) => ({ grantId, articles: ['III.A.1'], allowed, lesson: null });
    const long = store.appendEvent({ type: 'exception.applied', policyVersion: POLICY_VERSION, occurredAt: clock.now() - 40 * day,
      payload: { ...exception('g-window'), until: clock.now() + 80 * day } });
    const short = store.appendEvent({ type: 'exception.applied', policyVersion: POLICY_VERSION, occurredAt: clock.now() - 40 * day,
      payload: { ...exception('g-lesson'), until: clock.now() - 40 * day + 3_600_000 } });
    const ended = store.appendEvent({ type: 'exception.expired', policyVersion: POLICY_VERSION, occurredAt: clock.now() - 40 * day + 3_600_000,
      payload: exception('g-lesson') });
    store.markSynced([long.id, short.id, ended.id]);
    expect(store.pruneSyncedEvents(clock.now() - 30 * day)).toBe(3);
    store.close();
    // What a restarted agent reads: the window grant is still applied (logged once), the lesson's is over.
    expect(reopen().openExceptions()).toEqual([{ grantId: 'g-window', articles: ['III.A.1'], allowed, lesson: null, until: clock.now() + 80 * day }]);
  });
});
