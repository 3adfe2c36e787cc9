import type { Database, Statement } from 'better-sqlite3';
import { MAX_BLOCK_COUNT } from '../../core/events/limits.ts';
import { describeIssues, parseNewEvent } from '../../core/events/parse.ts';
import { BLOCK_EVENT_TYPES, type BlockEvent } from '../../core/events/schema.ts';
import { DeviceStoreError } from './errors.ts';
import type { EventLog } from './event-log.ts';
import type { BlockInput, RecordBlockResult } from './types.ts';

/**
 * Rate limiting for block events, done in the store so every caller gets it
 * and no count is lost when the agent dies: a student who relaunches TikTok
 * a hundred times in five minutes produces one `app.blocked` event with
 * count 100, not a hundred rows to sync.
 *
 * How: the first block of a kind (same type, policy version and payload apart
 * from the count) opens a window of BLOCK_COALESCE_WINDOW_MS on the store's
 * clock and is kept in `pending_blocks`; repeats inside the window only raise
 * its count. When the window has closed, the next recordBlock, flushBlocks or
 * outboxBatch writes it as one event, occurredAt = first block, payload
 * lastOccurredAt = last block, and removes the pending row in the same
 * transaction. Because pending rows are in the file, a crash or kill loses no
 * block; the cost is that the server hears of a block up to one window late.
 */

/**
 * Long enough to fold a relaunch loop or a reload storm into one row, short
 * enough that the school sees the block while the lesson (at least 45 min) is
 * still going.
 */
export const BLOCK_COALESCE_WINDOW_MS = 5 * 60_000;

interface PendingRow {
  key: string;
  type: string;
  policy_version: string;
  payload: string;
  first_at: number;
  last_at: number;
  count: number;
  window_ends_at: number;
}

export interface BlockCoalescerOptions {
  readonly path: string;
  readonly now: () => number;
}

export class BlockCoalescer {
  readonly #db: Database;
  readonly #log: EventLog;
  readonly #options: BlockCoalescerOptions;
  readonly #find: Statement<[string], PendingRow>;
  readonly #insert: Statement<[string, string, string, string, number, number, number]>;
  readonly #repeat: Statement<[number, number, string]>;
  readonly #due: Statement<[number, number], PendingRow>;
  readonly #all: Statement<[], PendingRow>;
  readonly #remove: Statement<[string]>;
  readonly #count: Statement<[], number>;

  constructor(db: Database, log: EventLog, options: BlockCoalescerOptions) {
    this.#db = db;
    this.#log = log;
    this.#options = options;
    this.#find = db.prepare<[string], PendingRow>('SELECT * FROM pending_blocks WHERE key = ?');
    this.#insert = db.prepare<[string, string, string, string, number, number, number]>(
      'INSERT INTO pending_blocks (key, type, policy_version, payload, first_at, last_at, count, window_ends_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)');
    this.#repeat = db.prepare<[number, number, string]>(
      'UPDATE pending_blocks SET count = count + 1, first_at = min(first_at, ?), last_at = max(last_at, ?) WHERE key = ?');
    // A window that ends further ahead than one whole window can only mean
    // the clock was set back after it opened; flush it rather than wait for
    // the clock to catch up (which could take days).
    this.#due = db.prepare<[number, number], PendingRow>(
      'SELECT * FROM pending_blocks WHERE window_ends_at <= ? OR window_ends_at > ? ORDER BY first_at, rowid');
    this.#all = db.prepare<[], PendingRow>('SELECT * FROM pending_blocks ORDER BY first_at, rowid');
    this.#remove = db.prepare<[string]>('DELETE FROM pending_blocks WHERE key = ?');
    this.#count = db.prepare<[], number>('SELECT count(*) FROM pending_blocks').pluck();
  }

  record(input: BlockInput): RecordBlockResult {
    const { path, now } = this.#options;
    if (!(BLOCK_EVENT_TYPES as readonly string[]).includes(input.type)) {
      throw new DeviceStoreError('invalid-event', path,
        `recordBlock takes ${BLOCK_EVENT_TYPES.join(', ')}; got "${String(input.type)}" (use appendEvent for other events). Nothing was stored.`,
        { issues: [{ path: 'type', message: `must be one of ${BLOCK_EVENT_TYPES.join(', ')}` }] });
    }
    const at = input.occurredAt ?? now();
    // Validate as the single block it is, so errors name the caller's fields.
    const parsed = parseNewEvent({ ...input, occurredAt: at, payload: { ...input.payload, count: 1, lastOccurredAt: at } });
    if (!parsed.ok) {
      throw new DeviceStoreError('invalid-event', path, `Refused to record an invalid "${input.type}" block: ${describeIssues(parsed.issues)}`,
        { issues: parsed.issues });
    }
    const { count: _count, lastOccurredAt: _last, ...details } = parsed.value.payload as { count: number; lastOccurredAt: number };
    // The schema's output has its fields in schema order, so equal blocks give equal keys.
    const key = JSON.stringify([parsed.value.type, parsed.value.policyVersion, details]);

    return this.#db.transaction((): RecordBlockResult => {
      const clock = now();
      const flushed = this.#flush(this.#due.all(clock, clock + BLOCK_COALESCE_WINDOW_MS));
      let pending = this.#find.get(key);
      if (pending !== undefined && pending.count >= MAX_BLOCK_COUNT) {
        flushed.push(...this.#flush([pending]));
        pending = undefined;
      }
      if (pending === undefined) {
        const windowEndsAt = clock + BLOCK_COALESCE_WINDOW_MS;
        this.#insert.run(key, parsed.value.type, parsed.value.policyVersion, JSON.stringify(details), at, at, windowEndsAt);
        return { count: 1, windowEndsAt, flushed };
      }
      this.#repeat.run(at, at, key);
      return { count: pending.count + 1, windowEndsAt: pending.window_ends_at, flushed };
    }).immediate();
  }

  /** Writes closed windows (or every window) as events. */
  flush(all: boolean): BlockEvent[] {
    // Look first without the write lock: outboxBatch calls this on every sync,
    // and usually nothing is due.
    const clock = this.#options.now();
    if (!all && this.#due.all(clock, clock + BLOCK_COALESCE_WINDOW_MS).length === 0) return [];
    return this.#db.transaction(() => {
      const clock = this.#options.now();
      return this.#flush(all ? this.#all.all() : this.#due.all(clock, clock + BLOCK_COALESCE_WINDOW_MS));
    }).immediate();
  }

  pendingCount(): number {
    return this.#count.get()!;
  }

  /** Must run inside a transaction: each event and the removal of its pending row commit together. */
  #flush(rows: readonly PendingRow[]): BlockEvent[] {
    return rows.map((row) => {
      const parsed = parseNewEvent({
        type: row.type,
        occurredAt: row.first_at,
        policyVersion: row.policy_version,
        payload: { ...JSON.parse(row.payload), count: row.count, lastOccurredAt: row.last_at },
      });
      if (!parsed.ok) {
        // Rows are validated when recorded, so this means the file was edited by hand.
        throw new DeviceStoreError('invalid-event', this.#options.path,
          `A pending block in the store is no longer a valid event (${describeIssues(parsed.issues)}); it was kept as it is.`,
          { issues: parsed.issues });
      }
      const event = this.#log.appendValid(parsed.value) as BlockEvent;
      this.#remove.run(row.key);
      return event;
    });
  }
}
