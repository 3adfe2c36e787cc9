import { describe, expect, it } from 'vitest';
import { DeviceStoreError, type GrantIndex } from '../../../src/agent/store/index.ts';
import { createTestStore, useTempDir } from './helpers.ts';

const temp = useTempDir();
const T = Date.UTC(2025, 8, 15, 8, 0);
const MINUTE = 60_000;

function grant(id: string, issuedAt = T, expiresAt = T + 50 * MINUTE): [string, GrantIndex] {
  const raw = JSON.stringify({ id, issuedBy: { username: 'jjansen', role: 'teacher', teacherCode: 'JNS' }, reason: 'Filmpje voor biologie', issuedAt, expiresAt });
  return [raw, { id, issuedAt, expiresAt }];
}

describe('grants', () => {
  it('stores a grant once: putting it again is a no-op', () => {
    const { store } = createTestStore(temp);
    expect(store.putGrant(...grant('g1'))).toBe('stored');
    expect(store.putGrant(...grant('g1'))).toBe('unchanged');
    expect(store.activeGrants(T)).toEqual([{ id: 'g1', issuedAt: T, expiresAt: T + 50 * MINUTE, revokedAt: null, raw: grant('g1')[0] }]);
  });

  it('keeps grants and revocations when the store is opened again', () => {
    const { store, reopen } = createTestStore(temp);
    store.putGrant(...grant('g1'));
    store.putGrant(...grant('g2'));
    expect(store.putGrant(...grant('g2'), T + MINUTE)).toBe('revoked');
    store.close();
    expect(reopen().activeGrants(T + 2 * MINUTE).map((g) => g.id)).toEqual(['g1']);
  });

  it('refuses the same grant id with other content, keeping the first', () => {
    const { store } = createTestStore(temp);
    store.putGrant(...grant('g1'));
    const [, index] = grant('g1');
    expect(() => store.putGrant(grant('g1', T, T + 500 * MINUTE)[0], { ...index, expiresAt: T + 500 * MINUTE }))
      .toThrow(/Grant "g1" is already stored with different content/);
    expect(store.activeGrants(T)[0]?.expiresAt).toBe(T + 50 * MINUTE);
  });

  it('is active from its issue up to (not including) its expiry', () => {
    const { store } = createTestStore(temp);
    store.putGrant(...grant('g1'));
    expect(store.activeGrants(T - 1)).toEqual([]);
    expect(store.activeGrants(T).map((g) => g.id)).toEqual(['g1']);
    expect(store.activeGrants(T + 50 * MINUTE - 1).map((g) => g.id)).toEqual(['g1']);
    expect(store.activeGrants(T + 50 * MINUTE)).toEqual([]);
  });

  it('stops at its revocation, and stays revoked when the server sends it again', () => {
    const { store } = createTestStore(temp);
    store.putGrant(...grant('g1'));
    store.putGrant(...grant('g2', T + MINUTE));
    expect(store.putGrant(...grant('g1'), T + 10 * MINUTE)).toBe('revoked');
    expect(store.activeGrants(T + 5 * MINUTE).map((g) => g.id)).toEqual(['g1', 'g2']);
    expect(store.activeGrants(T + 10 * MINUTE).map((g) => g.id)).toEqual(['g2']);
    expect(store.putGrant(...grant('g1'))).toBe('unchanged');
    expect(store.putGrant(...grant('g1'), T + 10 * MINUTE)).toBe('unchanged');
    expect(store.activeGrants(T + 20 * MINUTE).map((g) => g.id)).toEqual(['g2']);
  });

  it('keeps the earliest revocation when revoked twice', () => {
    const { store } = createTestStore(temp);
    store.putGrant(...grant('g1'));
    expect(store.putGrant(...grant('g1'), T + 20 * MINUTE)).toBe('revoked');
    expect(store.putGrant(...grant('g1'), T + 10 * MINUTE)).toBe('revoked');
    expect(store.putGrant(...grant('g1'), T + 30 * MINUTE)).toBe('unchanged');
    expect(store.activeGrants(T + 15 * MINUTE)).toEqual([]);
    expect(store.activeGrants(T + 5 * MINUTE)[0]?.revokedAt).toBe(T + 10 * MINUTE);
  });

  it('stores a grant first seen as revoked (it was revoked while the laptop was away) as revoked', () => {
    const { store } = createTestStore(temp);
    expect(store.putGrant(...grant('g1'), T + MINUTE)).toBe('revoked');
    expect(store.activeGrants(T).map((g) => [g.id, g.revokedAt])).toEqual([['g1', T + MINUTE]]);
    expect(store.activeGrants(T + MINUTE)).toEqual([]);
  });

  it('refuses a grant whose JSON or index is wrong, naming the field, and stores nothing', () => {
    const { store } = createTestStore(temp);
    const [raw, index] = grant('g1');
    const attempts: [string, GrantIndex, string][] = [
      ['not json', index, 'raw'],
      ['[1, 2]', index, 'raw'],
      [raw, { ...index, id: 'g2' }, 'raw.id'],
      [raw, { ...index, expiresAt: index.issuedAt }, 'expiresAt'],
      [raw, { ...index, issuedAt: 1.5 }, 'issuedAt'],
    ];
    for (const [badRaw, badIndex, field] of attempts) {
      let error: unknown;
      try {
        store.putGrant(badRaw, badIndex);
      } catch (e) {
        error = e;
      }
      expect(error, field).toBeInstanceOf(DeviceStoreError);
      expect((error as DeviceStoreError).code).toBe('invalid-grant');
      expect((error as DeviceStoreError).issues.map((i) => i.path)).toContain(field);
    }
    expect(store.activeGrants(T)).toEqual([]);
  });
});
