import { describe, expect, it } from 'vitest';
import { BLOCK_COALESCE_WINDOW_MS, DeviceStoreError } from '../../../src/agent/store/index.ts';
import { createTestStore, LESSON, POLICY_VERSION, tiktokBlock, useTempDir } from './helpers.ts';

const temp = useTempDir();

describe('coalescing repeated blocks', () => {
  it('turns 100 relaunches within a window into one app.blocked event with count 100', () => {
    const { store, clock } = createTestStore(temp);
    const first = clock.now();
    for (let i = 0; i < 100; i++) {
      expect(store.recordBlock(tiktokBlock())).toMatchObject({ count: i + 1, windowEndsAt: first + BLOCK_COALESCE_WINDOW_MS, flushed: [] });
      clock.advance(2_000);
    }
    expect(store.outboxSize()).toBe(0);
    expect(store.pendingBlockCount()).toBe(1);

    clock.set(first + BLOCK_COALESCE_WINDOW_MS);
    const events = store.outboxBatch(10);
    expect(events).toEqual([{
      id: '00000000-0000-4000-8000-000000000001',
      seq: 1,
      type: 'app.blocked',
      occurredAt: first,
      policyVersion: POLICY_VERSION,
      payload: { service: 'tiktok', category: 'social', os: 'win32', rule: 'social-media', article: 'III.A.1', lesson: LESSON, count: 100, lastOccurredAt: first + 99 * 2_000 },
    }]);
    expect(store.pendingBlockCount()).toBe(0);
  });

  it('counts different apps, lessons and block kinds separately, and writes them in the order they began', () => {
    const { store, clock } = createTestStore(temp);
    store.recordBlock(tiktokBlock());
    store.recordBlock(tiktokBlock());
    store.recordBlock(tiktokBlock({ service: 'snapchat' }));
    store.recordBlock(tiktokBlock({ lesson: { ...LESSON, start: LESSON.start + 3_600_000 } }));
    store.recordBlock({ type: 'site.blocked', policyVersion: POLICY_VERSION, payload: { service: 'tiktok', category: 'social', rule: 'social-media', article: 'III.A.1', lesson: LESSON } });
    store.recordBlock({ type: 'capture.blocked', policyVersion: POLICY_VERSION, payload: { capture: 'camera', rule: 'recording', article: 'III.A.2', lesson: null } });
    expect(store.pendingBlockCount()).toBe(5);
    clock.advance(BLOCK_COALESCE_WINDOW_MS);
    const events = store.flushBlocks();
    expect(events.map((e) => [e.type, e.payload.count])).toEqual([
      ['app.blocked', 2], ['app.blocked', 1], ['app.blocked', 1], ['site.blocked', 1], ['capture.blocked', 1],
    ]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('writes the closed window when the same block comes back after it, and opens a new one', () => {
    const { store, clock } = createTestStore(temp);
    store.recordBlock(tiktokBlock());
    store.recordBlock(tiktokBlock());
    clock.advance(BLOCK_COALESCE_WINDOW_MS + 1);
    const result = store.recordBlock(tiktokBlock());
    expect(result.count).toBe(1);
    expect(result.flushed).toHaveLength(1);
    expect(result.flushed[0]?.payload.count).toBe(2);
    expect(store.pendingBlockCount()).toBe(1);
  });

  it('keeps counting only until the window closes, not while flushes are not asked for', () => {
    const { store, clock } = createTestStore(temp);
    store.recordBlock(tiktokBlock());
    clock.advance(BLOCK_COALESCE_WINDOW_MS - 1);
    expect(store.flushBlocks()).toEqual([]);
    clock.advance(1);
    expect(store.flushBlocks()).toHaveLength(1);
  });

  it('flushes every open window on request, e.g. when the agent stops', () => {
    const { store } = createTestStore(temp);
    store.recordBlock(tiktokBlock());
    store.recordBlock(tiktokBlock({ service: 'snapchat' }));
    expect(store.flushBlocks({ all: true })).toHaveLength(2);
    expect(store.pendingBlockCount()).toBe(0);
    expect(store.outboxSize()).toBe(2);
  });

  it('loses no count when the agent dies: open windows are in the file', () => {
    const { store, clock, reopen } = createTestStore(temp);
    for (let i = 0; i < 7; i++) store.recordBlock(tiktokBlock());
    store.close();
    const again = reopen();
    again.recordBlock(tiktokBlock());
    clock.advance(BLOCK_COALESCE_WINDOW_MS);
    expect(again.outboxBatch(10)).toMatchObject([{ type: 'app.blocked', payload: { count: 8 } }]);
  });

  it('does not hold a window open for days when the clock is set back', () => {
    const { store, clock } = createTestStore(temp);
    store.recordBlock(tiktokBlock());
    clock.advance(-3 * 86_400_000);
    expect(store.flushBlocks()).toHaveLength(1);
  });

  it('records the real first and last instants, even out of order', () => {
    const { store, clock } = createTestStore(temp);
    const t = clock.now();
    store.recordBlock({ ...tiktokBlock(), occurredAt: t });
    store.recordBlock({ ...tiktokBlock(), occurredAt: t + 5_000 });
    store.recordBlock({ ...tiktokBlock(), occurredAt: t - 1_000 });
    const [event] = store.flushBlocks({ all: true });
    expect(event).toMatchObject({ occurredAt: t - 1_000, payload: { count: 3, lastOccurredAt: t + 5_000 } });
  });

  it('refuses an invalid block, naming the field, and counts nothing', () => {
    const { store } = createTestStore(temp);
    let error: unknown;
    try {
      store.recordBlock(tiktokBlock({ service: 'TikTok.exe' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeviceStoreError);
    expect((error as DeviceStoreError).issues).toEqual([{ path: 'payload.service', message: 'a service id is kebab-case, e.g. "tiktok" or "windows-camera"' }]);
    expect(store.pendingBlockCount()).toBe(0);
  });

  it('takes only block events', () => {
    const { store } = createTestStore(temp);
    expect(() => store.recordBlock({ type: 'tamper', policyVersion: POLICY_VERSION, payload: {} } as never))
      .toThrow(/recordBlock takes app\.blocked, site\.blocked, capture\.blocked; got "tamper"/);
  });
});
