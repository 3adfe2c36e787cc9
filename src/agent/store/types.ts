import type { ConsentInterval } from '../../core/protocol/signed-payloads.ts';
import type { BlockEvent, BlockEventType, DeviceEvent, NewEvent } from '../../core/events/schema.ts';
import type { Lesson } from '../../core/timetable/lesson.ts';
import type { CaptureKind, Category } from '../../core/categories.ts';

type OccurredAtOptional<E> = E extends unknown ? Omit<E, 'occurredAt'> & { readonly occurredAt?: number } : never;

/** An event to append: the store adds `id` and `seq`, and `occurredAt` (its clock) when left out. */
export type AppendEventInput = OccurredAtOptional<NewEvent>;

type BlockOf<E> = E extends { type: BlockEventType; payload: infer P }
  ? { readonly type: E['type']; readonly policyVersion: string; readonly occurredAt?: number; readonly payload: Omit<P, 'count' | 'lastOccurredAt'> }
  : never;

/** One block as the enforcer saw it: a block event without `count` and `lastOccurredAt`, which the store keeps. */
export type BlockInput = BlockOf<NewEvent>;

export interface RecordBlockResult {
  /** How many times this block has been seen in its current window, this one included. */
  readonly count: number;
  /** When the window closes and the block becomes one event. */
  readonly windowEndsAt: number;
  /** Events written by this call: blocks whose window had closed (this one's earlier window among them). */
  readonly flushed: readonly BlockEvent[];
}

/** Where the cached timetable came from. */
export interface ScheduleMeta {
  /** E.g. "zermelo" or the feed's name. */
  readonly source: string;
  readonly fetchedAt: number;
  /** After this instant the agent should not trust the cache without a fresh fetch. */
  readonly validUntil: number;
  /** The server's signature over the schedule; null for a local timetable. */
  readonly signature: string | null;
  readonly keyId: string | null;
  /** The student's consents (III.B.9) signed with the schedule; null or absent where no register is kept. */
  readonly consents?: readonly ConsentInterval[] | null;
}

/** What the store indexes a grant on; the grant itself is the raw JSON, validated by the caller. */
export interface GrantIndex {
  readonly id: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export interface StoredGrant extends GrantIndex {
  /** The earliest revocation putGrant was given; wins over anything in `raw`. */
  readonly revokedAt: number | null;
  /** The grant as the server sent it. */
  readonly raw: string;
}

/**
 * What storing a grant changed: 'stored' (new), 'revoked' (its revocation is
 * new, or earlier than the one kept), 'unchanged' (known, nothing new).
 * Stored is not applied: a grant is applied when it takes effect for the
 * student, which the agent's decision tells (its exception.applied event).
 */
export type PutGrantResult = 'stored' | 'unchanged' | 'revoked';

/** Grants to give back to a school server restored from a backup: the envelopes as it signed them, and which restore found. */
export interface GrantOffer {
  readonly round: number;
  readonly envelopes: readonly string[];
}

/** An `exception.applied` event's facts, for an exception not yet logged as expired or revoked. */
export interface AppliedException {
  readonly grantId: string;
  readonly articles: readonly string[];
  readonly allowed: { readonly categories: readonly Category[]; readonly services: readonly string[]; readonly capture: readonly CaptureKind[] };
  readonly until: number;
  readonly lesson: { readonly uid: string; readonly start: number } | null;
}

export interface DeviceStore {
  /** The store file. */
  readonly path: string;
  /** The file's schema version (PRAGMA user_version) after migrations. */
  readonly schemaVersion: number;

  // Event log ---------------------------------------------------------------

  /**
   * Validates the event with the core schema and appends it; returns it with
   * its id and seq. When this returns, the event is on disk (synchronous=FULL).
   * Invalid input: DeviceStoreError 'invalid-event' naming each bad field; nothing is written.
   */
  appendEvent(input: AppendEventInput): DeviceEvent;

  /**
   * Counts a repeated block instead of logging each one: the first block of a
   * kind opens a window, repeats within it add to its count, and when the
   * window closes the whole window becomes one block event with `count`.
   * See block-coalescer.ts.
   */
  recordBlock(input: BlockInput): RecordBlockResult;

  /**
   * Turns blocks whose window has closed into events (all of them with
   * `{ all: true }`, e.g. when the agent stops). Returns the events written.
   */
  flushBlocks(options?: { readonly all?: boolean }): BlockEvent[];

  /** Blocks still being counted (not yet events). */
  pendingBlockCount(): number;

  /**
   * Unsynced events in seq order after `afterSeq` (default: from the start), at
   * most `limit` (capped at MAX_OUTBOX_BATCH). Flushes blocks whose window has
   * closed first, so they are never held back from a sync.
   */
  outboxBatch(limit: number, afterSeq?: number): DeviceEvent[];

  /**
   * Calls `listener` after appendEvent or flushBlocks has committed new events
   * (the sync loop pushes them sooner). Returns the unsubscribe function.
   */
  onAppend(listener: () => void): () => void;

  /** Marks events as acknowledged by the server (default `at`: the store's clock). Idempotent; returns how many were newly marked. */
  markSynced(ids: readonly string[], at?: number): number;

  /** How many events wait for the server. */
  outboxSize(): number;
  /** The highest seq the server acknowledged that the log still holds (0: none). */
  highestSyncedSeq(): number;
  /** The server lost the events after `afterSeq` (restored from a backup): synced ones after it go in the outbox again. Returns the outbox size. */
  resendAfter(afterSeq: number): number;
  /** The server holds everything up to `seq` again (what it refused stays unsynced). */
  resentThrough(seq: number): void;
  /** Exceptions logged as applied and not yet as expired or revoked (a restarted agent logs each grant once). */
  openExceptions(): AppliedException[];

  /** Deletes synced events that occurred before `olderThan`; never an unsynced one. Returns how many. */
  pruneSyncedEvents(olderThan: number): number;
  /** Deletes grants (with the envelopes they came in) that expired before `olderThan`. Returns how many. */
  pruneExpiredGrants(olderThan: number): number;

  // Schedule ----------------------------------------------------------------

  /** Replaces the cached timetable in one transaction: a reader sees the old one or the new one, never a mix. */
  replaceSchedule(lessons: readonly Lesson[], meta: ScheduleMeta): void;

  /** Lessons overlapping [from, to), by start then uid. */
  lessonsBetween(from: number, to: number): Lesson[];

  /** Where the cached timetable came from; null before the first replaceSchedule. */
  scheduleMeta(): ScheduleMeta | null;

  // Grants ------------------------------------------------------------------

  /**
   * Stores a grant, and its revocation when `revokedAt` is given, in one
   * transaction. Idempotent: the same id with the same content again is
   * 'unchanged' (and stays revoked if it was; the earliest revocation
   * counts); the same id with other content is refused ('grant-conflict'),
   * since a grant never changes after it is issued.
   */
  putGrant(raw: string, index: GrantIndex, revokedAt?: number, signed?: string): PutGrantResult;

  /**
   * After a restore of the server was found (resendAfter): the signed grants
   * to give back, of grants that expired after `expiredAfter`; null when no
   * offer is due. The marker survives restarts until grantsOffered(round).
   */
  grantsToOffer(expiredAfter: number): GrantOffer | null;
  /** The server answered for every grant offered in `round`. */
  grantsOffered(round: number): void;

  /** Grants in force at `at`: issued at or before it, not yet expired, not revoked by then. */
  activeGrants(at: number): StoredGrant[];

  /** Closes the file. Idempotent; any other call afterwards throws DeviceStoreError 'closed'. */
  close(): void;
}
