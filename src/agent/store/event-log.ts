import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import { MAX_EVENTS_PER_BATCH } from '../../core/events/limits.ts';
import { describeIssues, parseNewEvent } from '../../core/events/parse.ts';
import type { DeviceEvent, NewEvent } from '../../core/events/schema.ts';
import { DeviceStoreError } from './errors.ts';
import type { AppendEventInput, AppliedException } from './types.ts';

/**
 * The most events one outbox batch returns: what the server accepts in one
 * push, so a batch can always be sent as it is. Asking for more gets this many.
 */
export const MAX_OUTBOX_BATCH = MAX_EVENTS_PER_BATCH;

interface EventRow {
  seq: number;
  id: string;
  type: string;
  occurred_at: number;
  policy_version: string;
  payload: string;
}

/**
 * Rows were validated with the core schema before they were written, and the
 * triggers keep them from changing, so they are not validated again on the
 * way out: one bad row (it cannot happen, but) would otherwise block the
 * outbox for good.
 */
function eventOf(row: EventRow): DeviceEvent {
  return {
    id: row.id,
    seq: row.seq,
    type: row.type,
    occurredAt: row.occurred_at,
    policyVersion: row.policy_version,
    payload: JSON.parse(row.payload),
  } as DeviceEvent;
}

const Uuid = z.uuid();
const Instant = z.number().int().nonnegative();

export interface EventLogOptions {
  readonly path: string;
  readonly now: () => number;
  readonly newId: () => string;
}

/** Appending, reading the outbox, acknowledging and pruning events. */
export class EventLog {
  readonly #db: Database;
  readonly #options: EventLogOptions;
  readonly #insert: Statement<[string, string, number, string, string, number]>;
  readonly #outbox: Statement<[number, number], EventRow>;
  readonly #outboxSize: Statement<[], number>;
  readonly #markSynced: Statement<[number, string]>;
  readonly #prune: Statement<[number]>;
  readonly #openExceptions: Statement<[], { payload: string }>;
  readonly #pruneEnded: Statement<[number]>;
  readonly #highestSynced: Statement<[], number | null>;
  readonly #resendFrom: Statement<[number]>;
  readonly #resentThrough: Statement<[number]>;
  readonly #resendDone: Statement<[]>;
  readonly #offerGrants: Statement<[]>;

  constructor(db: Database, options: EventLogOptions) {
    this.#db = db;
    this.#options = options;
    this.#insert = db.prepare<[string, string, number, string, string, number]>(
      'INSERT INTO events (id, type, occurred_at, policy_version, payload, recorded_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.#outbox = db.prepare<[number, number], EventRow>(
      'SELECT seq, id, type, occurred_at, policy_version, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?');
    this.#outboxSize = db.prepare<[], number>('SELECT count(*) FROM outbox').pluck();
    this.#markSynced = db.prepare<[number, string]>('UPDATE events SET synced_at = ? WHERE id = ? AND synced_at IS NULL');
    this.#prune = db.prepare<[number]>('DELETE FROM events WHERE synced_at IS NOT NULL AND occurred_at < ?');
    this.#openExceptions = db.prepare<[], { payload: string }>(
      'SELECT applied AS payload FROM exception_lifecycle WHERE ended_seq IS NULL ORDER BY applied_seq');
    // Exceptions that ended before the cut-off: nothing will ever be logged about them again.
    this.#pruneEnded = db.prepare<[number]>(
      "DELETE FROM exception_lifecycle WHERE ended_seq IS NOT NULL AND json_extract(applied, '$.until') < ?");
    this.#highestSynced = db.prepare<[], number | null>('SELECT max(seq) FROM events WHERE synced_at IS NOT NULL').pluck();
    // An earlier marker wins: a second restore found mid-resend must not skip what the first one still needs.
    this.#resendFrom = db.prepare<[number]>(
      'INSERT INTO resend (one, after_seq) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET after_seq = min(after_seq, excluded.after_seq)');
    this.#resentThrough = db.prepare<[number]>('UPDATE resend SET after_seq = max(after_seq, ?)');
    // The grants issued after the server's backup are gone from it too: offer it what this laptop holds (grants.ts).
    this.#offerGrants = db.prepare<[]>(
      'INSERT INTO grant_offer (one, round) VALUES (1, 1) ON CONFLICT (one) DO UPDATE SET round = round + 1');
    this.#resendDone = db.prepare<[]>('DELETE FROM resend WHERE NOT EXISTS (SELECT 1 FROM events WHERE synced_at IS NOT NULL AND seq > resend.after_seq)');
  }

  /**
   * Exceptions logged as applied and not (yet) as expired or revoked: what a
   * restarted agent (after kill -9, a crash, a reboot) already told the
   * server, so it logs each grant once per laptop, not once per start.
   */
  openExceptions(): AppliedException[] {
    return this.#openExceptions.all().map(({ payload }) => {
      const p = JSON.parse(payload) as { grantId: string; articles: string[]; allowed: AppliedException['allowed']; until: number; lesson: AppliedException['lesson'] };
      return { grantId: p.grantId, articles: p.articles, allowed: p.allowed, until: p.until, lesson: p.lesson };
    });
  }

  /** Validates and writes one event; returns it with its id and seq. Nothing is written if it is invalid. */
  append(input: AppendEventInput): DeviceEvent {
    const draft = { ...input, occurredAt: input.occurredAt ?? this.#options.now() };
    const parsed = parseNewEvent(draft);
    if (!parsed.ok) {
      throw new DeviceStoreError('invalid-event', this.#options.path,
        `Refused to store an invalid "${String((input as { type?: unknown }).type)}" event: ${describeIssues(parsed.issues)}`,
        { issues: parsed.issues });
    }
    return this.appendValid(parsed.value);
  }

  /** Writes an event that has already passed the core schema (the coalescer uses this inside its own transaction). */
  appendValid(event: NewEvent): DeviceEvent {
    const id = this.#options.newId();
    if (!Uuid.safeParse(id).success) {
      throw new DeviceStoreError('invalid-event', this.#options.path, `The id generator returned "${id}", which is not a UUID; nothing was stored.`);
    }
    const info = this.#insert.run(id, event.type, event.occurredAt, event.policyVersion, JSON.stringify(event.payload), this.#options.now());
    return { id, seq: Number(info.lastInsertRowid), ...event } as DeviceEvent;
  }

  /** Unsynced events after `afterSeq`, oldest first, at most `limit` (capped at MAX_OUTBOX_BATCH). */
  batch(limit: number, afterSeq = 0): DeviceEvent[] {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`outboxBatch: limit must be a whole number of at least 1, got ${limit}`);
    if (!Number.isInteger(afterSeq) || afterSeq < 0) throw new RangeError(`outboxBatch: afterSeq must be a whole number of at least 0, got ${afterSeq}`);
    return this.#outbox.all(afterSeq, Math.min(limit, MAX_OUTBOX_BATCH)).map(eventOf);
  }

  size(): number {
    return this.#outboxSize.get()!;
  }

  /**
   * Records that the server has the events with these ids. Idempotent: ids
   * already marked keep their first synced_at, unknown ids are ignored (the
   * server may acknowledge an event pruned since). Returns how many were newly marked.
   */
  markSynced(ids: readonly string[], at: number): number {
    if (!Instant.safeParse(at).success) throw new RangeError(`markSynced: at must be epoch milliseconds, got ${at}`);
    return this.#db.transaction(() => ids.reduce((marked, id) => marked + this.#markSynced.run(at, id).changes, 0))();
  }

  /** The highest seq the server ever acknowledged that this log still holds (0: none). */
  highestSyncedSeq(): number {
    return this.#highestSynced.get() ?? 0;
  }

  /**
   * The server holds this device's events only up to `afterSeq` (it was
   * restored from a backup): the synced events after it go back in the
   * outbox until the server holds them again, and the grants this laptop
   * holds are to be offered to it. Returns how many events.
   */
  resendAfter(afterSeq: number): number {
    if (!Number.isInteger(afterSeq) || afterSeq < 0) throw new RangeError(`resendAfter: afterSeq must be a whole number of at least 0, got ${afterSeq}`);
    return this.#db.transaction(() => {
      this.#resendFrom.run(afterSeq);
      this.#offerGrants.run();
      this.#resendDone.run();
      return this.size();
    }).immediate();
  }

  /** The server now holds every event up to `seq` it did not refuse: those leave the resend (refused ones stay unsynced). */
  resentThrough(seq: number): void {
    this.#db.transaction(() => {
      this.#resentThrough.run(seq);
      this.#resendDone.run();
    }).immediate();
  }

  /**
   * Deletes synced events that occurred before `olderThan` (retention: the
   * device keeps a record of the student only as long as it must). Events
   * the server has not acknowledged are never deleted, by this query and by
   * the trigger behind it. Returns how many were deleted.
   */
  pruneSynced(olderThan: number): number {
    if (!Instant.safeParse(olderThan).success) throw new RangeError(`pruneSyncedEvents: olderThan must be epoch milliseconds, got ${olderThan}`);
    return this.#db.transaction(() => {
      this.#pruneEnded.run(olderThan);
      return this.#prune.run(olderThan).changes;
    }).immediate();
  }
}
