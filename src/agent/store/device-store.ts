import { randomUUID } from 'node:crypto';
import { BlockCoalescer } from './block-coalescer.ts';
import { DeviceStoreError } from './errors.ts';
import { EventLog } from './event-log.ts';
import { GrantStore } from './grants.ts';
import { schemaVersionOf } from './migrations.ts';
import { DEFAULT_TUNING, openDatabase, type DatabaseTuning } from './open-database.ts';
import { ScheduleCache } from './schedule.ts';
import type { DeviceStore } from './types.ts';

export interface DeviceStoreOptions {
  /** The SQLite file; created (with its folder's -wal and -shm companions) when missing. */
  readonly path: string;
  /** Epoch ms; injected so tests and the coalescer are deterministic. Default Date.now. */
  readonly now?: () => number;
  /** Event ids; must return UUIDs. Default crypto.randomUUID. */
  readonly newId?: () => string;
}

/**
 * Opens the device store: checks that the file is a healthy Lesmodus store
 * of a schema this code knows (or new), migrates it, and returns the store.
 * Throws DeviceStoreError, leaving a file it refuses untouched.
 *
 * `tuning` is for the benchmark only (it measures what synchronous=FULL costs);
 * it is not exported from the package index.
 */
export function openDeviceStore(options: DeviceStoreOptions, tuning: DatabaseTuning = DEFAULT_TUNING): DeviceStore {
  const { path } = options;
  const now = options.now ?? Date.now;
  const newId = options.newId ?? randomUUID;
  const db = openDatabase(path, tuning);

  const log = new EventLog(db, { path, now, newId });
  const blocks = new BlockCoalescer(db, log, { path, now });
  const schedule = new ScheduleCache(db, path);
  const grants = new GrantStore(db, path, now);
  const schemaVersion = schemaVersionOf(db);

  let closed = false;
  /** Wraps a method so that a call after close() says so instead of a driver TypeError. */
  const open = <A extends unknown[], R>(name: string, fn: (...args: A) => R) => (...args: A): R => {
    if (closed) throw new DeviceStoreError('closed', path, `${name}: the device store ${path} is closed.`);
    return fn(...args);
  };

  const listeners = new Set<() => void>();
  /** Listeners hear of events only after they are committed, and a failing listener never undoes one. */
  const written = <E>(events: E): E => {
    for (const listener of listeners) {
      try {
        listener();
      } catch {
        // The event is stored; telling the sync loop is a courtesy.
      }
    }
    return events;
  };

  return {
    path,
    schemaVersion,
    appendEvent: open('appendEvent', (input) => written(log.append(input))),
    recordBlock: open('recordBlock', (input) => blocks.record(input)),
    flushBlocks: open('flushBlocks', (flushOptions?: { readonly all?: boolean }) => {
      const flushed = blocks.flush(flushOptions?.all === true);
      return flushed.length > 0 ? written(flushed) : flushed;
    }),
    pendingBlockCount: open('pendingBlockCount', () => blocks.pendingCount()),
    outboxBatch: open('outboxBatch', (limit: number, afterSeq?: number) => {
      blocks.flush(false);
      return log.batch(limit, afterSeq);
    }),
    markSynced: open('markSynced', (ids: readonly string[], at?: number) => log.markSynced(ids, at ?? now())),
    outboxSize: open('outboxSize', () => log.size()),
    highestSyncedSeq: open('highestSyncedSeq', () => log.highestSyncedSeq()),
    resendAfter: open('resendAfter', (afterSeq: number) => log.resendAfter(afterSeq)),
    resentThrough: open('resentThrough', (seq: number) => log.resentThrough(seq)),
    openExceptions: open('openExceptions', () => log.openExceptions()),
    pruneSyncedEvents: open('pruneSyncedEvents', (olderThan: number) => log.pruneSynced(olderThan)),
    replaceSchedule: open('replaceSchedule', (lessons, meta) => schedule.replace(lessons, meta)),
    lessonsBetween: open('lessonsBetween', (from: number, to: number) => schedule.between(from, to)),
    scheduleMeta: open('scheduleMeta', () => schedule.meta()),
    putGrant: open('putGrant', (raw, index, revokedAt, signed) => grants.put(raw, index, revokedAt, signed)),
    grantsToOffer: open('grantsToOffer', (expiredAfter: number) => grants.toOffer(expiredAfter)),
    grantsOffered: open('grantsOffered', (round: number) => grants.offered(round)),
    activeGrants: open('activeGrants', (at: number) => grants.activeAt(at)),
    pruneExpiredGrants: open('pruneExpiredGrants', (olderThan: number) => grants.pruneExpired(olderThan)),
    onAppend: (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => {
      if (closed) return;
      listeners.clear();
      closed = true;
      db.close();
    },
  };
}
