import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDeviceStore, type DeviceStore } from '../../../src/agent/store/index.ts';
import { offerGrants } from '../../../src/agent/sync/grant-offer.ts';
import { ServerClient, SyncError } from '../../../src/agent/sync/server-client.ts';
import { DEVICE_PATHS, MAX_GRANTS_PER_RESTORE } from '../../../src/core/protocol/index.ts';
import { useApi, type DeviceAuth, type TestApi } from '../../server/api/harness.ts';
import { JNS_NOW, MINUTE, NOW } from '../../server/api/school.ts';
import { sqliteTarget } from '../../server/api/targets.ts';

/**
 * The laptop's side of giving grants back to a restored server, against the
 * real API: offered once per restore found, the marker kept when a call
 * fails, and what the server refuses logged.
 */

const api = useApi(sqliteTarget());
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function logger() {
  const lines: string[] = [];
  const put = (line: string) => { lines.push(line); };
  return { lines, log: { info: put, warn: put, error: put } };
}

function deviceStore(): DeviceStore {
  const dir = mkdtempSync(join(tmpdir(), 'lesmodus-offer-'));
  const store = openDeviceStore({ path: join(dir, 'device.db'), now: () => NOW });
  cleanups.push(() => { store.close(); rmSync(dir, { recursive: true, force: true }); });
  return store;
}

/** A grant the server signed for the laptop before it was restored; the laptop keeps it, as apply-signed does. */
function holdLostGrant(server: TestApi, store: DeviceStore, device: DeviceAuth): string {
  const grant = {
    id: randomUUID(), issuedBy: { username: 'jansen', role: 'teacher', teacherCode: 'JNS' }, reason: 'Peiling in de les over sociale media',
    scope: { kind: 'lesson', lessonUid: JNS_NOW.uid, lessonStart: JNS_NOW.start }, allow: { categories: ['social'], services: [], capture: [] },
    issuedAt: NOW - MINUTE, expiresAt: JNS_NOW.end,
  };
  const signed = server.signer.sign({ type: 'lesmodus.device-grant.v1', deviceId: device.deviceId, schoolId: 'svok-college', grant, articles: ['III.A.1'],
    audience: { kind: 'lesson' }, signedAt: NOW - MINUTE });
  store.putGrant(JSON.stringify(grant), { id: grant.id, issuedAt: grant.issuedAt, expiresAt: grant.expiresAt }, undefined, JSON.stringify(signed));
  return grant.id;
}

function restoreFound(store: DeviceStore): void {
  store.markSynced([store.appendEvent({ type: 'tamper', policyVersion: 'test-1', payload: { kind: 'test', detail: 'x' } }).id]);
  store.resendAfter(0);
}

describe('giving grants back to a restored server', () => {
  it('offers nothing while no restore was found', async () => {
    const server = await api.start();
    const store = deviceStore();
    const device = await server.enroll('sanne');
    holdLostGrant(server, store, device);
    const paths: string[] = [];
    const client = new ServerClient(server.url, async (input, init) => { paths.push(new URL(String(input)).pathname); return fetch(input, init); });
    expect(await offerGrants({ store, client, credential: device.credential, log: logger().log, now: () => NOW })).toBeNull();
    expect(paths).toEqual([]);
  });

  it('is done at once, asking nothing, when the laptop holds no grant', async () => {
    const server = await api.start();
    const store = deviceStore();
    const device = await server.enroll('sanne');
    restoreFound(store);
    const paths: string[] = [];
    const client = new ServerClient(server.url, async (input, init) => { paths.push(new URL(String(input)).pathname); return fetch(input, init); });
    expect(await offerGrants({ store, client, credential: device.credential, log: logger().log, now: () => NOW })).toEqual({ offered: 0, restored: 0, refused: 0 });
    expect(store.grantsToOffer(0)).toBeNull();
    expect(paths).toEqual([]);
  });

  it('keeps the offer due when the server cannot be reached, and gives the grant back when it can', async () => {
    const server = await api.start();
    const store = deviceStore();
    const device = await server.enroll('sanne');
    const id = holdLostGrant(server, store, device);
    restoreFound(store);
    let down = true;
    const client = new ServerClient(server.url, async (input, init) => (down ? new Response('bad gateway', { status: 502 }) : fetch(input, init)));
    const { log, lines } = logger();
    await expect(offerGrants({ store, client, credential: device.credential, log, now: () => NOW })).rejects.toBeInstanceOf(SyncError);
    expect(store.grantsToOffer(0)).not.toBeNull();
    expect(await server.store.grant(id)).toBeNull();

    down = false;
    expect(await offerGrants({ store, client, credential: device.credential, log, now: () => NOW })).toEqual({ offered: 1, restored: 1, refused: 0 });
    expect(store.grantsToOffer(0)).toBeNull();
    expect((await server.store.grant(id))?.grant.reason).toBe('Peiling in de les over sociale media');
    expect(lines.at(-1)).toMatch(/gave the school server back the 1 grant\(s\).*it had lost 1/);
  });

  it('gives back more grants than one call takes in several calls', async () => {
    const server = await api.start();
    const store = deviceStore();
    const device = await server.enroll('sanne');
    for (let i = 0; i <= MAX_GRANTS_PER_RESTORE; i += 1) holdLostGrant(server, store, device);
    restoreFound(store);
    const paths: string[] = [];
    const client = new ServerClient(server.url, async (input, init) => { paths.push(new URL(String(input)).pathname); return fetch(input, init); });
    const total = MAX_GRANTS_PER_RESTORE + 1;
    expect(await offerGrants({ store, client, credential: device.credential, log: logger().log, now: () => NOW })).toEqual({ offered: total, restored: total, refused: 0 });
    expect(paths).toEqual([DEVICE_PATHS.grantsRestore, DEVICE_PATHS.grantsRestore]);
  });

  it('logs a grant the server refuses (one signed for another laptop, copied over) and is done with the offer', async () => {
    const server = await api.start();
    const store = deviceStore();
    const sanne = await server.enroll('sanne');
    const daan = await server.enroll('daan');
    const copied = holdLostGrant(server, store, daan);
    restoreFound(store);
    const { log, lines } = logger();
    const client = new ServerClient(server.url);
    expect(await offerGrants({ store, client, credential: sanne.credential, log, now: () => NOW })).toEqual({ offered: 1, restored: 0, refused: 1 });
    expect(lines.some((l) => l.includes(`refused grant ${copied}`) && l.includes('other-device'))).toBe(true);
    expect(await server.store.grant(copied)).toBeNull();
    expect(store.grantsToOffer(0)).toBeNull();
  });

  it('stops offering to a server that predates the call (404), saying so', async () => {
    const server = await api.start();
    const store = deviceStore();
    const device = await server.enroll('sanne');
    holdLostGrant(server, store, device);
    restoreFound(store);
    const { log, lines } = logger();
    const client = new ServerClient(server.url, async (input, init) =>
      (new URL(String(input)).pathname === DEVICE_PATHS.grantsRestore ? new Response('{"error":"not-found"}', { status: 404 }) : fetch(input, init)));
    expect(await offerGrants({ store, client, credential: device.credential, log, now: () => NOW })).toEqual({ offered: 0, restored: 0, refused: 0 });
    expect(store.grantsToOffer(0)).toBeNull();
    expect(lines.join('\n')).toMatch(/cannot take grants back/);
  });
});
