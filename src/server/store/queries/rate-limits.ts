import type { SqlDriver } from '../driver.ts';
import { Instant, text, validate } from '../inputs.ts';
import { sql } from '../sql.ts';

/**
 * The moments a limiter counted for a key (a failed login, an enrollment),
 * in the database so that several server processes behind one address, and
 * a restarted one, count together. See src/server/auth/failure-limiter.ts.
 */

const Limiter = text(64);
/** Keys are usernames, addresses and combinations of them: bounded like every other key. */
const LimiterKey = text(400);

/** The latest `max` hits of the key after `since`, oldest first. */
export async function rateLimitHits(db: SqlDriver, limiter: string, key: string, since: number, max: number): Promise<number[]> {
  validate(Limiter, limiter, 'a limiter');
  validate(LimiterKey, key, 'a limiter key');
  const rows = await db.all<{ at: number }>(sql`SELECT at FROM rate_limit_hits
    WHERE limiter = ${limiter} AND key = ${key} AND at > ${since} ORDER BY at DESC LIMIT ${max}`);
  return rows.map((r) => Number(r.at)).reverse();
}

export async function recordRateLimitHit(db: SqlDriver, limiter: string, key: string, at: number): Promise<void> {
  validate(Limiter, limiter, 'a limiter');
  validate(LimiterKey, key, 'a limiter key');
  validate(Instant, at, 'a time');
  await db.run(sql`INSERT INTO rate_limit_hits (limiter, key, at) VALUES (${limiter}, ${key}, ${at})`);
}

export async function clearRateLimitHits(db: SqlDriver, limiter: string, key: string): Promise<void> {
  validate(Limiter, limiter, 'a limiter');
  await db.run(sql`DELETE FROM rate_limit_hits WHERE limiter = ${limiter} AND key = ${key}`);
}

/** Forgets every hit at or before `before` (older than the longest window); returns how many. */
export async function pruneRateLimitHits(db: SqlDriver, before: number): Promise<number> {
  validate(Instant, before, 'a time');
  return db.run(sql`DELETE FROM rate_limit_hits WHERE at <= ${before}`);
}
