import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DeviceStoreError, LATEST_SCHEMA_VERSION, openDeviceStore, type GrantIndex } from '../../../src/agent/store/index.ts';
import { MIGRATIONS, runMigrations } from '../../../src/agent/store/migrations.ts';
import { createTestStore, tamper, useTempDir } from './helpers.ts';

/**
 * The grants a laptop gives back to a school server restored from a backup:
 * kept as the server signed them (migration 5), offered once per restore
 * found, and the offer stays due through restarts until the server answered.
 */

const temp = useTempDir();
const T = Date.UTC(2025, 8, 15, 8, 0);
const MINUTE = 60_000;

function grant(id: string, expiresAt = T + 50 * MINUTE): [string, GrantIndex] {
  return [JSON.stringify({ id, reason: 'Filmpje voor biologie', issuedAt: T, expiresAt }), { id, issuedAt: T, expiresAt }];
}

function envelope(id: string, revokedAt?: number): string {
  return JSON.stringify({ keyId: 'k1', signature: 'c2lnbmVk', payload: { type: 'lesmodus.device-grant.v1', grant: { id, ...(revokedAt ? { revokedAt } : {}) } } });
}

/** A store that acknowledged one event, then found the server restored (what the push does). */
function restoreFound(store: ReturnType<typeof createTestStore>['store']): void {
  store.markSynced([store.appendEvent(tamper()).id]);
  store.resendAfter(0);
}

describe('grants kept for a restored server', () => {
  it('offers nothing until a restore is found, then every kept envelope, oldest first', () => {
    const { store } = createTestStore(temp);
    store.putGrant(...grant('g1'), undefined, envelope('g1'));
    store.putGrant(...grant('g2'), undefined, envelope('g2'));
    expect(store.grantsToOffer(0)).toBeNull();
    restoreFound(store);
    expect(store.grantsToOffer(0)).toEqual({ round: 1, envelopes: [envelope('g1'), envelope('g2')] });
  });

  it('keeps the offer due through a restart until the server answered for it', () => {
    const { store, reopen } = createTestStore(temp);
    store.putGrant(...grant('g1'), undefined, envelope('g1'));
    restoreFound(store);
    store.close();
    const again = reopen();
    const offer = again.grantsToOffer(0)!;
    expect(offer.envelopes).toEqual([envelope('g1')]);
    again.grantsOffered(offer.round);
    again.close();
    expect(reopen().grantsToOffer(0)).toBeNull();
  });

  it('keeps a second restore found during an offer due after the first is answered', () => {
    const { store } = createTestStore(temp);
    store.putGrant(...grant('g1'), undefined, envelope('g1'));
    restoreFound(store);
    const first = store.grantsToOffer(0)!;
    restoreFound(store);
    store.grantsOffered(first.round);
    expect(store.grantsToOffer(0)?.envelopes).toEqual([envelope('g1')]);
  });

  it('keeps the revocation\'s envelope once it comes, and the first one when the grant comes again unchanged', () => {
    const { store } = createTestStore(temp);
    store.putGrant(...grant('g1'), undefined, envelope('g1'));
    expect(store.putGrant(...grant('g1'), undefined, envelope('g1') + ' ')).toBe('unchanged');
    expect(store.putGrant(...grant('g1'), T + MINUTE, envelope('g1', T + MINUTE))).toBe('revoked');
    expect(store.putGrant(...grant('g1'), T + 2 * MINUTE, envelope('g1', T + 2 * MINUTE))).toBe('unchanged');
    restoreFound(store);
    expect(store.grantsToOffer(0)?.envelopes).toEqual([envelope('g1', T + MINUTE)]);
  });

  it('offers only grants that ended after the reach asked for', () => {
    const { store } = createTestStore(temp);
    store.putGrant(...grant('old', T + MINUTE), undefined, envelope('old'));
    store.putGrant(...grant('recent', T + 60 * MINUTE), undefined, envelope('recent'));
    restoreFound(store);
    expect(store.grantsToOffer(T + 30 * MINUTE)?.envelopes).toEqual([envelope('recent')]);
  });

  it('refuses an envelope that is not a JSON object, storing nothing', () => {
    const { store } = createTestStore(temp);
    expect(() => store.putGrant(...grant('g1'), undefined, 'not json')).toThrow(DeviceStoreError);
    expect(store.activeGrants(T)).toEqual([]);
  });
});

describe('migration 5', () => {
  it('brings a version 4 store up to date: its grants stay, without an envelope until the server sends one again', () => {
    const path = join(temp.dir(), 'v4.db');
    const db = new Database(path);
    runMigrations(db, MIGRATIONS.slice(0, 4));
    const [raw, index] = grant('g-old');
    db.prepare('INSERT INTO grants (id, issued_at, expires_at, raw, stored_at) VALUES (?, ?, ?, ?, 1)').run(index.id, index.issuedAt, index.expiresAt, raw);
    db.prepare('INSERT INTO resend (one, after_seq) VALUES (1, 0)').run();
    db.close();
    const store = temp.track(openDeviceStore({ path }));
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(store.activeGrants(T).map((g) => g.id)).toEqual(['g-old']);
    restoreFound(store);
    expect(store.grantsToOffer(0)?.envelopes).toEqual([]);
    expect(store.putGrant(raw, index, undefined, envelope('g-old'))).toBe('unchanged');
    expect(store.grantsToOffer(0)?.envelopes).toEqual([envelope('g-old')]);
  });

  it('refuses to keep an envelope that is not JSON (the column\'s check)', () => {
    const { path, store } = createTestStore(temp);
    store.putGrant(...grant('g1'));
    store.close();
    const db = new Database(path);
    try {
      expect(() => db.prepare("UPDATE grants SET signed = 'nope' WHERE id = 'g1'").run()).toThrow(/CHECK constraint failed/);
    } finally {
      db.close();
    }
  });
});
