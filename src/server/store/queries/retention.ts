import type { SqlDriver, SqlExecutor } from '../driver.ts';
import { Instant, RetentionPolicySchema, validate } from '../inputs.ts';
import { sql, trusted, type Sql } from '../sql.ts';
import { ServerStoreError } from '../errors.ts';
import { IDEMPOTENCY_WINDOW_MS, type PruneCounts, type RetentionPolicy } from '../types.ts';

/**
 * Retention: deleting what the server no longer needs (AVG, "log the minimum;
 * retention is enforced"). Counting and deleting share one WHERE clause per
 * kind, so a dry run reports exactly what a prune would delete.
 *
 * "Older than N days" is strictly before `now − N days`: a row exactly at the
 * cut-off stays. Lessons, users, students and devices are never touched.
 * Consents go when their school year ended more than exceptionDays ago.
 * Idempotency-Keys of exception requests go after 24 hours, whatever the
 * policy: past that window they mean nothing.
 */

const DAY_MS = 86_400_000;
/**
 * How far the clock may run past the newest thing stored (a device event
 * received, an exception made, an audit entry) before pruning by age is
 * refused. Longer than the summer holidays, when laptops stay off and the
 * server hears nothing; a clock set years ahead (a dead CMOS battery, a typo
 * in a VM's time) would otherwise delete every record at the next prune.
 */
export const MAX_CLOCK_LEAD_MS = 75 * DAY_MS;

/** Refuses to prune by a clock that is far past everything the store holds (see MAX_CLOCK_LEAD_MS). */
async function checkClock(db: SqlExecutor, now: number): Promise<void> {
  const newest = await db.get<{ at: number | null }>(sql`SELECT max(at) AS at FROM (
    SELECT max(received_at) AS at FROM device_events
    UNION ALL SELECT max(created_at) FROM grants
    UNION ALL SELECT max(at) FROM audit_log) AS newest`);
  const at = newest?.at === null || newest?.at === undefined ? null : Number(newest.at);
  if (at === null || now - at <= MAX_CLOCK_LEAD_MS) return;
  const days = Math.floor((now - at) / DAY_MS);
  throw new ServerStoreError('clock-ahead', `Not pruning: the server's clock (${new Date(now).toISOString()}) is ${days} days past the newest record `
    + `(${new Date(at).toISOString()}); a clock that far ahead would delete records that are still needed. Check the server's time (NTP), then prune again.`);
}

interface Cutoffs {
  /** Device events and contact intervals before this go. */
  readonly events: number;
  /** Exceptions that expired before this, and audit entries before this, go. */
  readonly exceptions: number;
  /** Sessions expired by this go. */
  readonly now: number;
  /** Idempotency-Keys made before this go (a key exactly 24 hours old is already forgotten by the store, but stays, as every row at its cut-off). */
  readonly idempotencyKeys: number;
}

function cutoffsOf(policyInput: RetentionPolicy, now: number): Cutoffs {
  const policy = validate(RetentionPolicySchema, policyInput, 'the retention policy');
  validate(Instant, now, 'the time of pruning');
  return { events: now - policy.eventDays * DAY_MS, exceptions: now - policy.exceptionDays * DAY_MS, now, idempotencyKeys: now - IDEMPOTENCY_WINDOW_MS };
}

/** The rows of each kind past retention: FROM … WHERE …, shared by the count and the delete. */
const expired = {
  deviceEvents: (c: Cutoffs) => sql`device_events WHERE occurred_at < ${c.events}`,
  // An interval goes once it ended before the cut-off; one still running across it stays whole.
  contactIntervals: (c: Cutoffs) => sql`device_contact WHERE until_at < ${c.events}`,
  // An exception counts from when it ended (its expiry; a revocation ends it earlier, never later).
  exceptions: (c: Cutoffs) => sql`grants WHERE expires_at < ${c.exceptions}`,
  auditEntries: (c: Cutoffs) => sql`audit_log WHERE at < ${c.exceptions}`,
  // A consent is evidence for the exceptions of its school year: it goes as they do, counted from the year's end.
  consents: (c: Cutoffs) => sql`consents WHERE ends_at < ${c.exceptions}`,
  // As deleteExpiredSessions: a session is expired by `at` when expires_at <= at.
  sessions: (c: Cutoffs) => sql`sessions WHERE expires_at <= ${c.now}`,
  idempotencyKeys: (c: Cutoffs) => sql`grant_idempotency WHERE created_at < ${c.idempotencyKeys}`,
} as const satisfies Record<keyof PruneCounts, (c: Cutoffs) => Sql>;

/** The rows stored with a grant, none of which means anything without it (no ON DELETE CASCADE in the schema: deleted first, by hand). */
const GRANT_CHILD_TABLES = [trusted('grant_groups'), trusted('grant_articles'), trusted('grant_allow'), trusted('grant_acks')] as const;

async function count(db: SqlExecutor, rows: Sql): Promise<number> {
  return Number((await db.get<{ total: number }>(sql`SELECT count(*) AS total FROM ${rows}`))?.total ?? 0);
}

/** What a prune at `now` would delete, per kind. */
export async function countExpired(db: SqlDriver, policy: RetentionPolicy, now: number): Promise<PruneCounts> {
  const c = cutoffsOf(policy, now);
  await checkClock(db, now);
  return {
    deviceEvents: await count(db, expired.deviceEvents(c)),
    contactIntervals: await count(db, expired.contactIntervals(c)),
    exceptions: await count(db, expired.exceptions(c)),
    auditEntries: await count(db, expired.auditEntries(c)),
    sessions: await count(db, expired.sessions(c)),
    consents: await count(db, expired.consents(c)),
    idempotencyKeys: await count(db, expired.idempotencyKeys(c)),
  };
}

/**
 * Deletes from an append-only table (device_events, audit_log): its DELETE
 * trigger lets through only rows older than the cut-off written here, in
 * this transaction, and removed again before it commits. No other
 * connection ever sees the cut-off.
 */
async function deleteAppendOnly(tx: SqlExecutor, table: 'device_events' | 'audit_log', before: number, rows: Sql): Promise<number> {
  await tx.run(sql`INSERT INTO retention_cutoffs (table_name, before_at) VALUES (${table}, ${before})
    ON CONFLICT (table_name) DO UPDATE SET before_at = excluded.before_at`);
  const deleted = await tx.run(sql`DELETE FROM ${rows}`);
  await tx.run(sql`DELETE FROM retention_cutoffs WHERE table_name = ${table}`);
  return deleted;
}

/**
 * Deletes everything past retention, one transaction per group of tables
 * (device activity; exceptions with their rows; audit log; sessions), so a
 * failure never leaves a group half pruned. Returns what was deleted, per kind.
 */
export async function pruneExpired(db: SqlDriver, policy: RetentionPolicy, now: number): Promise<PruneCounts> {
  const c = cutoffsOf(policy, now);
  await checkClock(db, now);
  const activity = await db.transaction(async (tx) => ({
    deviceEvents: await deleteAppendOnly(tx, 'device_events', c.events, expired.deviceEvents(c)),
    contactIntervals: await tx.run(sql`DELETE FROM ${expired.contactIntervals(c)}`),
  }));
  // Before the exceptions: a key of a pruned exception (always far older than 24 hours) is counted here, not dropped with it unseen.
  const idempotencyKeys = await db.run(sql`DELETE FROM ${expired.idempotencyKeys(c)}`);
  const exceptions = await db.transaction(async (tx) => {
    // Any key still pointing at a pruned exception (only with a clock far off) goes with it.
    await tx.run(sql`DELETE FROM grant_idempotency WHERE grant_id IN (SELECT id FROM ${expired.exceptions(c)})`);
    for (const child of GRANT_CHILD_TABLES) {
      await tx.run(sql`DELETE FROM ${child} WHERE grant_id IN (SELECT id FROM ${expired.exceptions(c)})`);
    }
    return tx.run(sql`DELETE FROM ${expired.exceptions(c)}`);
  });
  const auditEntries = await db.transaction(async (tx) => deleteAppendOnly(tx, 'audit_log', c.exceptions, expired.auditEntries(c)));
  const sessions = await db.run(sql`DELETE FROM ${expired.sessions(c)}`);
  const consents = await db.run(sql`DELETE FROM ${expired.consents(c)}`);
  return { ...activity, exceptions, auditEntries, sessions, consents, idempotencyKeys };
}
