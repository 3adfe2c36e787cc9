import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogUpdater, SIGNED_CATALOG_FILE, startingCatalog } from '../../../src/agent/catalog/catalog-updates.ts';
import type { LiveCatalog } from '../../../src/agent/catalog/live-catalog.ts';
import { openDeviceStore, type DeviceStore } from '../../../src/agent/store/index.ts';
import { loadCatalogIndex } from '../../../src/adapters/resources.ts';
import { generateSigningKeyPair, type Signed } from '../../../src/adapters/signing.ts';
import type { CatalogPayload } from '../../../src/core/protocol/index.ts';
import { signerFrom, type ServerSigner } from '../../../src/server/app/server-keys.ts';
import { signedCatalogOf } from '../../../src/server/app/server-app.ts';
import { loadEffectiveCatalog } from '../../../src/server/app/effective-catalog.ts';
import { ADDITIONS, CHIRPR } from '../../server/catalog/fixtures.ts';

// A laptop switching to the catalog its school's server signed, and refusing what it must not take:
// a catalog changed after signing, one whose content is not what its sha256 names, and an older one replayed.
const silent = { info: () => {}, warn: () => {}, error: () => {} };
const T0 = Date.parse('2026-03-02T08:00:00Z');

let dir: string;
let store: DeviceStore;
let signer: ServerSigner;
let live: LiveCatalog;
let updater: CatalogUpdater;

/** The server's catalog with the school's additions (written to a data folder of its own), signed at `at`. */
function schoolCatalog(additions: unknown, at: number): Signed<CatalogPayload> {
  const serverDir = mkdtempSync(join(dir, 'server-'));
  writeFileSync(join(serverDir, 'catalog-additions.json'), JSON.stringify(additions));
  return signedCatalogOf(signer, loadEffectiveCatalog({ dataDir: serverDir }), at);
}
const refOf = (signed: Signed<CatalogPayload>) => ({ version: signed.payload.version, sha256: signed.payload.sha256 });
const tamper = () => store.outboxBatch(100).filter((e) => e.type === 'tamper').map((e) => e.payload as { kind: string; detail: string });
/** As it crosses the network: plain JSON. */
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lesmodus-agent-catalog-'));
  store = openDeviceStore({ path: join(dir, 'device.db') });
  const pair = generateSigningKeyPair();
  signer = signerFrom(pair.privateKeyPem, pair.publicKeyPem);
  live = startingCatalog({ dataDir: dir, publicKeyPem: signer.publicKeyPem, bundled: loadCatalogIndex(), now: T0 }).live;
  updater = new CatalogUpdater({ live, dataDir: dir, store, now: () => T0, policyVersion: 'test-1', log: silent });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the school catalog on the laptop', () => {
  it('switches to a newer signed catalog, tells its listeners, and keeps it owner-only for the next start', () => {
    expect(live.inUse).toMatchObject({ source: 'bundled', sha256: null });
    expect(live.classifyProcess('linux', { name: 'chirpr' }).service).toBeNull();
    let switches = 0;
    live.onChange(() => switches++);
    const signed = schoolCatalog(ADDITIONS, T0);
    expect(updater.wants(refOf(signed))).toBe(true);

    expect(updater.apply(wire(signed), signer.publicKeyPem, refOf(signed))).toBe(true);
    expect(switches).toBe(1);
    expect(live.inUse).toEqual({ version: signed.payload.version, source: 'server', sha256: signed.payload.sha256, signedAt: T0 });
    expect(live.classifyProcess('linux', { name: 'chirpr' })).toMatchObject({ service: 'chirpr', category: 'social' });
    expect(live.domainsOf(['chirpr'])).toEqual(['chirpr.example']);
    expect(updater.wants(refOf(signed))).toBe(false);

    const saved = join(dir, SIGNED_CATALOG_FILE);
    expect(statSync(saved).mode & 0o777).toBe(0o600);
    const restarted = startingCatalog({ dataDir: dir, publicKeyPem: signer.publicKeyPem, bundled: loadCatalogIndex(), now: T0 });
    expect(restarted.problem).toBeNull();
    expect(restarted.live.inUse).toEqual(live.inUse);
    expect(restarted.live.service('chirpr')?.name).toBe('Chirpr');
    expect(tamper()).toEqual([]);
  });

  it('refuses a catalog changed after it was signed (a domain taken out): tamper, and the catalog in use stays', () => {
    const first = schoolCatalog(ADDITIONS, T0);
    updater.apply(wire(first), signer.publicKeyPem, refOf(first));
    const next = wire(schoolCatalog({ services: [{ ...CHIRPR, domains: ['chirpr.example', 'chirpr-cdn.example'] }] }, T0 + 60_000));
    const forged = wire(next);
    forged.payload.catalog.services = forged.payload.catalog.services.filter((s) => s.id !== 'instagram');
    expect(updater.apply(forged, signer.publicKeyPem, refOf(next))).toBe(false);
    expect(live.inUse.sha256).toBe(first.payload.sha256);
    expect(live.service('instagram')).toBeDefined();
    expect(tamper()).toEqual([{ kind: 'bad-signature', detail: expect.stringContaining("bad-signature: lesmodus.catalog.v1: signature is not the pinned server key's") }]);
    // Refused once: not fetched (and logged) again at every pull.
    expect(updater.wants(refOf(next))).toBe(false);
  });

  it('refuses a catalog signed by another key, and one whose content is not what its signed sha256 names', () => {
    const other = generateSigningKeyPair();
    const foreign = signedCatalogOf(signerFrom(other.privateKeyPem, other.publicKeyPem), loadEffectiveCatalog({ dataDir: null }), T0);
    expect(updater.apply(wire(foreign), signer.publicKeyPem, refOf(foreign))).toBe(false);
    // Signed (by the right key) over a payload whose sha256 is another catalog's.
    const honest = schoolCatalog(ADDITIONS, T0);
    const misnamed = signer.sign<CatalogPayload>({ ...honest.payload, sha256: foreign.payload.sha256 });
    expect(updater.apply(wire(misnamed), signer.publicKeyPem, refOf(misnamed))).toBe(false);
    expect(live.inUse.source).toBe('bundled');
    expect(tamper().map((t) => t.detail)).toEqual([
      expect.stringContaining('signature is not the pinned server key'),
      expect.stringContaining('the catalog is not the one its sha256 names'),
    ]);
  });

  it('refuses an older catalog replayed after a newer one (rollback): tamper, and the newer one stays', () => {
    const older = schoolCatalog(ADDITIONS, T0);
    const newer = schoolCatalog({ services: [{ ...CHIRPR, domains: ['chirpr.example', 'chirpr-cdn.example'] }] }, T0 + 60_000);
    expect(updater.apply(wire(newer), signer.publicKeyPem, refOf(newer))).toBe(true);
    expect(updater.wants(refOf(older))).toBe(true);
    expect(updater.apply(wire(older), signer.publicKeyPem, refOf(older))).toBe(false);
    expect(live.inUse.sha256).toBe(newer.payload.sha256);
    expect(live.domainsOf(['chirpr'])).toEqual(['chirpr-cdn.example', 'chirpr.example']);
    expect(tamper()).toEqual([{ kind: 'catalog-rollback', detail: expect.stringContaining(`not after the catalog in use (${newer.payload.version}`) }]);
  });

  it('does not take a catalog signed far ahead of the laptop\'s time (a server clock set ahead), and takes it once the server signs it at the right time', () => {
    const ahead = schoolCatalog(ADDITIONS, T0 + 2 * 3_600_000);
    expect(updater.apply(wire(ahead), signer.publicKeyPem, refOf(ahead))).toBe(false);
    expect(updater.apply(wire(ahead), signer.publicKeyPem, refOf(ahead))).toBe(false);
    expect(live.inUse.source).toBe('bundled');
    expect(tamper()).toEqual([{ kind: 'server-clock', detail: expect.stringContaining('ahead of this laptop\'s time') }]);
    // The same content, signed again after the server's clock was put right: still wanted, and taken.
    const righted = schoolCatalog(ADDITIONS, T0);
    expect(righted.payload.sha256).toBe(ahead.payload.sha256);
    expect(updater.wants(refOf(righted))).toBe(true);
    expect(updater.apply(wire(righted), signer.publicKeyPem, refOf(righted))).toBe(true);
  });

  it('starts from the bundled catalog when the saved one was changed on disk, and says why', () => {
    const signed = wire(schoolCatalog(ADDITIONS, T0));
    signed.payload.catalog.neverBlock = [];
    writeFileSync(join(dir, SIGNED_CATALOG_FILE), JSON.stringify(signed));
    const started = startingCatalog({ dataDir: dir, publicKeyPem: signer.publicKeyPem, bundled: loadCatalogIndex(), now: T0 });
    expect(started.live.inUse.source).toBe('bundled');
    expect(started.problem).toContain('was refused (bad-signature');
    writeFileSync(join(dir, SIGNED_CATALOG_FILE), '{"keyId":');
    expect(startingCatalog({ dataDir: dir, publicKeyPem: signer.publicKeyPem, bundled: loadCatalogIndex(), now: T0 }).problem).toContain('is not JSON');
    // Without a server (no pinned key) nothing the data folder holds is believed.
    expect(readFileSync(join(dir, SIGNED_CATALOG_FILE), 'utf8')).not.toBe('');
    expect(startingCatalog({ dataDir: dir, publicKeyPem: null, bundled: loadCatalogIndex(), now: T0 })).toMatchObject({ problem: null, live: { inUse: { source: 'bundled' } } });
  });
});
