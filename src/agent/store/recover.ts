import { existsSync, renameSync } from 'node:fs';
import { openDeviceStore } from './device-store.ts';
import { DeviceStoreError } from './errors.ts';
import type { DeviceStore } from './types.ts';

/**
 * A damaged device store must not stop enforcement: an agent that exits
 * blocks nothing until IT comes. What the store holds (events not yet synced,
 * the cached schedule and grants) is worth keeping for IT, so the damaged file
 * is moved aside, never deleted, and a fresh store is started; the schedule
 * and grants come again from the server at the first pull, and the move is
 * logged as tamper (a student may have damaged it on purpose).
 */

/** Errors that moving the file aside cures (a disk or permission problem is not one: the new file would fail too). */
const MOVE_ASIDE: ReadonlySet<DeviceStoreError['code']> = new Set(['corrupt', 'foreign-database', 'newer-schema']);

export interface RecoveredStore {
  readonly store: DeviceStore;
  /** What was moved aside and why; null when the store opened as it was. */
  readonly recovered: { readonly movedTo: string; readonly code: DeviceStoreError['code']; readonly message: string } | null;
}

export function openOrRecoverDeviceStore(path: string, now: () => number): RecoveredStore {
  try {
    return { store: openDeviceStore({ path, now }), recovered: null };
  } catch (error) {
    if (!(error instanceof DeviceStoreError) || !MOVE_ASIDE.has(error.code)) throw error;
    const movedTo = `${path}.damaged-${new Date(now()).toISOString().replace(/[:.]/g, '-')}`;
    renameSync(path, movedTo);
    // The journal belongs to the damaged file: replayed into a new store it would damage that too.
    for (const suffix of ['-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, movedTo + suffix);
    return { store: openDeviceStore({ path, now }), recovered: { movedTo, code: error.code, message: error.message } };
  }
}
