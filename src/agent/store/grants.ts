import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import { describeIssues, fieldIssues } from '../../core/events/parse.ts';
import { DeviceStoreError } from './errors.ts';
import type { GrantIndex, GrantOffer, PutGrantResult, StoredGrant } from './types.ts';

/**
 * Teachers' exceptions as the agent received them. The grant's full shape is
 * the grant module's business (the caller validates it); the store keeps the
 * JSON text as it came and indexes what it queries on.
 */

const Instant = z.number().int().nonnegative();
const GrantIndexSchema = z.object({
  id: z.string().min(1).max(128),
  issuedAt: Instant,
  expiresAt: Instant,
}).refine((g) => g.expiresAt > g.issuedAt, { message: 'a grant must expire after it was issued', path: ['expiresAt'] });

interface GrantRow {
  id: string;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
  raw: string;
}

function grantOf(row: GrantRow): StoredGrant {
  return { id: row.id, issuedAt: row.issued_at, expiresAt: row.expires_at, revokedAt: row.revoked_at, raw: row.raw };
}

export class GrantStore {
  readonly #db: Database;
  readonly #path: string;
  readonly #now: () => number;
  readonly #find: Statement<[string], GrantRow & { signed: string | null }>;
  readonly #insert: Statement<[string, number, number, string, number, string | null]>;
  readonly #revoke: Statement<[number, string]>;
  readonly #active: Statement<[number, number, number], GrantRow>;
  readonly #keepSigned: Statement<[string, string]>;
  readonly #offerRound: Statement<[], number | undefined>;
  readonly #toOffer: Statement<[number], string>;
  readonly #offered: Statement<[number]>;
  readonly #pruneExpired: Statement<[number]>;

  constructor(db: Database, path: string, now: () => number) {
    this.#db = db;
    this.#path = path;
    this.#now = now;
    this.#find = db.prepare<[string], GrantRow & { signed: string | null }>('SELECT id, issued_at, expires_at, revoked_at, raw, signed FROM grants WHERE id = ?');
    this.#insert = db.prepare<[string, number, number, string, number, string | null]>(
      'INSERT INTO grants (id, issued_at, expires_at, raw, stored_at, signed) VALUES (?, ?, ?, ?, ?, ?)');
    this.#keepSigned = db.prepare<[string, string]>('UPDATE grants SET signed = ? WHERE id = ?');
    this.#offerRound = db.prepare<[], number | undefined>('SELECT round FROM grant_offer').pluck();
    this.#toOffer = db.prepare<[number], string>(
      'SELECT signed FROM grants WHERE signed IS NOT NULL AND expires_at > ? ORDER BY issued_at, id').pluck();
    this.#offered = db.prepare<[number]>('DELETE FROM grant_offer WHERE round = ?');
    this.#revoke = db.prepare<[number, string]>('UPDATE grants SET revoked_at = ? WHERE id = ?');
    this.#pruneExpired = db.prepare<[number]>('DELETE FROM grants WHERE expires_at < ?');
    this.#active = db.prepare<[number, number, number], GrantRow>(
      `SELECT id, issued_at, expires_at, revoked_at, raw FROM grants
       WHERE issued_at <= ? AND expires_at > ? AND (revoked_at IS NULL OR revoked_at > ?)
       ORDER BY issued_at, id`);
  }

  /**
   * `signed`: the envelope the grant came in (kept to give back to a server
   * restored from a backup). A known grant keeps the one it has, unless this
   * call brings its revocation or it had none.
   */
  put(raw: string, index: GrantIndex, revokedAt?: number, signed?: string): PutGrantResult {
    const parsed = GrantIndexSchema.safeParse(index);
    const issues = parsed.success ? [] : fieldIssues(parsed.error);
    if (revokedAt !== undefined && !Instant.safeParse(revokedAt).success) issues.push({ path: 'revokedAt', message: 'must be epoch milliseconds' });
    if (!isJsonObject(raw)) issues.push({ path: 'raw', message: 'must be the grant as JSON text (an object)' });
    else if ((JSON.parse(raw) as { id?: unknown }).id !== index.id) issues.push({ path: 'raw.id', message: 'must be the same id as the index' });
    if (signed !== undefined && !isJsonObject(signed)) issues.push({ path: 'signed', message: 'must be the signed envelope as JSON text (an object)' });
    if (issues.length > 0) {
      throw new DeviceStoreError('invalid-grant', this.#path, `Refused to store an invalid grant: ${describeIssues(issues)}`, { issues });
    }
    return this.#db.transaction((): PutGrantResult => {
      const existing = this.#find.get(index.id);
      if (existing === undefined) {
        this.#insert.run(index.id, index.issuedAt, index.expiresAt, raw, this.#now(), signed ?? null);
      } else if (existing.raw !== raw || existing.issued_at !== index.issuedAt || existing.expires_at !== index.expiresAt) {
        throw new DeviceStoreError('grant-conflict', this.#path,
          `Grant "${index.id}" is already stored with different content; a grant never changes once issued, so the stored one was kept.`);
      }
      // The earliest revocation wins: a later, repeated one must not extend the grant.
      const known = existing?.revoked_at ?? null;
      if (revokedAt !== undefined && (known === null || revokedAt < known)) {
        this.#revoke.run(revokedAt, index.id);
        if (signed !== undefined) this.#keepSigned.run(signed, index.id);
        return 'revoked';
      }
      if (existing !== undefined && existing.signed === null && signed !== undefined) this.#keepSigned.run(signed, index.id);
      return existing === undefined ? 'stored' : 'unchanged';
    }).immediate();
  }

  /**
   * When a restored server is still to be offered the grants (the marker
   * survives a restart): the round, and each kept envelope of a grant that
   * expired after `expiredAfter`, oldest first. Null when nothing is due.
   */
  toOffer(expiredAfter: number): GrantOffer | null {
    const round = this.#offerRound.get();
    return round === undefined ? null : { round, envelopes: this.#toOffer.all(expiredAfter) };
  }

  /** The server answered for every grant of this round: done, unless another restore was found since. */
  offered(round: number): void {
    this.#offered.run(round);
  }

  /**
   * Deletes grants that expired before `olderThan`: the server never sends an
   * expired one again, and a restored server is only offered grants of the
   * last 30 days (the events' reach). Returns how many.
   */
  pruneExpired(olderThan: number): number {
    if (!Instant.safeParse(olderThan).success) throw new RangeError(`pruneExpiredGrants: olderThan must be epoch milliseconds, got ${olderThan}`);
    return this.#pruneExpired.run(olderThan).changes;
  }

  activeAt(at: number): StoredGrant[] {
    return this.#active.all(at, at, at).map(grantOf);
  }
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
