import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openDeviceStore, type AppendEventInput, type BlockInput, type DeviceStore } from '../../../src/agent/store/index.ts';

/** A fresh folder per test, removed afterwards (with every store opened in it closed first). */
export interface TempDir {
  readonly dir: () => string;
  /** Closes the store after the test. */
  readonly track: (store: DeviceStore) => DeviceStore;
  /** Runs `close` after the test, before the folder is removed. */
  readonly onClose: (close: () => void) => void;
}

export function useTempDir(): TempDir {
  let dir: string | undefined;
  const stores: DeviceStore[] = [];
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
    for (const store of stores.splice(0)) store.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return {
    dir: () => (dir ??= mkdtempSync(join(tmpdir(), 'lesmodus-store-'))),
    track: (store) => {
      stores.push(store);
      return store;
    },
    onClose: (close) => {
      closers.push(close);
    },
  };
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2025, 8, 15, 8, 30)): { now: () => number; set: (t: number) => void; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, set: (value) => { t = value; }, advance: (ms) => { t += ms; } };
}

/** UUIDs 00000000-0000-4000-8000-000000000001, …2, … */
export function sequentialIds(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}

export interface TestStore {
  readonly store: DeviceStore;
  readonly path: string;
  readonly clock: ReturnType<typeof manualClock>;
  /** Opens the same file again with the same clock (after closing the first). */
  readonly reopen: () => DeviceStore;
}

/** A store in the test's temp folder with a manual clock and sequential ids. */
export function createTestStore(temp: TempDir, name = 'device.db'): TestStore {
  const path = join(temp.dir(), name);
  const clock = manualClock();
  const ids = sequentialIds();
  const store = temp.track(openDeviceStore({ path, now: clock.now, newId: ids }));
  return { store, path, clock, reopen: () => temp.track(openDeviceStore({ path, now: clock.now, newId: ids })) };
}

export const POLICY_VERSION = '2025.1';
export const LESSON = { uid: 'zermelo-123456@school.example', start: Date.UTC(2025, 8, 15, 8, 30) };

export function tamper(detail = 'clock moved back 3 h'): AppendEventInput {
  return { type: 'tamper', policyVersion: POLICY_VERSION, payload: { kind: 'clock-jump', detail } };
}

export function tiktokBlock(overrides: Partial<Extract<BlockInput, { type: 'app.blocked' }>['payload']> = {}): BlockInput {
  return {
    type: 'app.blocked',
    policyVersion: POLICY_VERSION,
    payload: { service: 'tiktok', category: 'social', os: 'win32', rule: 'social-media', article: 'III.A.1', lesson: LESSON, ...overrides },
  };
}
