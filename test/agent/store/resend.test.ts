import { describe, expect, it } from 'vitest';
import { createTestStore, tamper, useTempDir } from './helpers.ts';

/**
 * Sending again what a school server restored from a backup lost: the synced
 * events after its last seq go back in the outbox, without changing an event
 * (synced_at is still set once), until the server holds them again.
 */

const temp = useTempDir();

function fiveSynced() {
  const made = createTestStore(temp);
  const ids = [1, 2, 3, 4, 5].map(() => made.store.appendEvent(tamper()).id);
  made.store.markSynced(ids);
  made.store.appendEvent(tamper()); // #6, never sent
  return { ...made, ids };
}

describe('resending after a server restore', () => {
  it('knows the highest seq the server acknowledged that it still holds', () => {
    const { store } = createTestStore(temp);
    store.appendEvent(tamper());
    expect(store.highestSyncedSeq()).toBe(0);
    const later = store.appendEvent(tamper());
    store.markSynced([later.id]);
    expect(store.highestSyncedSeq()).toBe(2);
  });

  it('puts the synced events after the server\'s last seq back in the outbox, in order, with the unsent ones', () => {
    const { store } = fiveSynced();
    expect(store.outboxSize()).toBe(1);
    expect(store.resendAfter(3)).toBe(3);
    expect(store.outboxBatch(10).map((e) => e.seq)).toEqual([4, 5, 6]);
  });

  it('drains as the server holds them again; an event it refuses stays unsynced; the marker goes when nothing is left', () => {
    const { store } = fiveSynced();
    store.resendAfter(3);
    store.resentThrough(4);
    expect(store.outboxBatch(10).map((e) => e.seq)).toEqual([5, 6]);
    store.resentThrough(6); // #6 refused: not marked synced
    expect(store.outboxBatch(10).map((e) => e.seq)).toEqual([6]);
    expect(store.outboxSize()).toBe(1);
  });

  it('keeps the earlier of two markers: a second restore found while resending does not skip what the first still needs', () => {
    const { store } = fiveSynced();
    store.resendAfter(2);
    store.resendAfter(4);
    expect(store.outboxBatch(10).map((e) => e.seq)).toEqual([3, 4, 5, 6]);
  });

  it('sends nothing again when the server already holds everything acknowledged', () => {
    const { store } = fiveSynced();
    expect(store.resendAfter(5)).toBe(1);
    expect(store.outboxBatch(10).map((e) => e.seq)).toEqual([6]);
  });

  it('refuses a marker that is no seq', () => {
    const { store } = fiveSynced();
    expect(() => store.resendAfter(-1)).toThrow(/whole number of at least 0/);
    expect(() => store.resendAfter(1.5)).toThrow(/whole number of at least 0/);
  });
});
