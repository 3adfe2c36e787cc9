import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { openDeviceStore, type DeviceStore } from '../../../src/agent/store/index.ts';
import { SyncClient } from '../../../src/agent/sync/sync-client.ts';
import { AgentConfigSchema } from '../../../src/core/config/agent-config.ts';
import { SQLITE_FILE_NAME } from '../../../src/server/store/index.ts';
import { freePort, SchoolServer, initSchoolServer } from '../../agent/sync/fault/school-server.ts';
import { useCli } from '../api/cli-harness.ts';

/**
 * A school's backup and restore, for real: `lesmodus server backup` while
 * the server runs and laptops sync, then the server stopped, `lesmodus
 * server restore`, and started again. The laptops are the agent's own sync
 * client and device store (what `lesmodus agent` runs) over real HTTP.
 *
 * What really happens, asserted as it is:
 * - a laptop enrolled before the backup goes on with its credential, as the
 *   same device; one enrolled after it is refused once and enrolls again as
 *   the same device (its enrollment key);
 * - events the server acknowledged after the backup are NOT sent again: the
 *   laptops marked them synced and keep them in their own log (30 days),
 *   and the server says how far it has them (lastEventSeq), so the gap is
 *   visible; nothing is doubled, and what happens after the restore arrives.
 */

const cli = useCli('backup');
const silent = { info: () => {}, warn: () => {}, error: () => {} };
const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

interface Laptop {
  readonly client: SyncClient;
  readonly store: DeviceStore;
  write(detail: string): string;
  run(): void;
}

function laptop(url: string, identity: { publicKey: string; enrollmentSecret: string }, name: string): Laptop {
  const dataDir = mkdtempSync(join(tmpdir(), `lesmodus-backup-${name}-`));
  const store = openDeviceStore({ path: join(dataDir, 'device.db'), now: Date.now });
  stops.push(() => { store.close(); rmSync(dataDir, { recursive: true, force: true }); });
  const config = AgentConfigSchema.parse({ server: { url, enrollmentSecret: identity.enrollmentSecret, publicKey: identity.publicKey } }).server!;
  const client = new SyncClient({
    config, dataDir, store, now: Date.now, log: silent, policyVersion: 'test-1', wake: () => {}, backoff: { baseMs: 20, maxMs: 200 },
    facts: async () => ({ hostname: `laptop-${name}`, serial: `SN-${name}`, os: 'linux', agentVersion: '0.1.0', loginName: name }),
  });
  return {
    client, store,
    write: (detail) => store.appendEvent({ type: 'tamper', policyVersion: 'test-1', payload: { kind: 'test', detail } }).id,
    run() {
      const stop = new AbortController();
      const done = client.run(stop.signal);
      stops.push(async () => { stop.abort(); await done; });
    },
  };
}

/** What the server holds per device, read from its database file as an auditor would. */
function held(dataDir: string): { device_id: string; event_id: string }[] {
  const db = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
  try {
    return db.prepare('SELECT device_id, event_id FROM device_events ORDER BY device_id, seq').all() as { device_id: string; event_id: string }[];
  } finally {
    db.close();
  }
}

function lastEventSeq(dataDir: string, deviceId: string): number | null {
  const db = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
  try {
    return db.prepare('SELECT last_event_seq FROM devices WHERE id = ?').pluck().get(deviceId) as number | null;
  } finally {
    db.close();
  }
}

describe('backup and restore of the SQLite server store', () => {
  const dataDir = join(cli.tmp, 'data');
  let server: SchoolServer | undefined;
  afterAll(async () => { await server?.stop(); });

  it('a backup taken while laptops sync restores to a server they go on with, as the same devices; what was acknowledged after the backup is not sent again', async () => {
    const identity = await initSchoolServer(dataDir);
    const port = await freePort();
    server = new SchoolServer({ dataDir, port });
    await server.start();
    const url = `http://127.0.0.1:${port}`;

    const before = laptop(url, identity, 'anna');
    const { deviceId: annaId } = await before.client.enroll();
    const early = ['one', 'two', 'three'].map((d) => before.write(d));
    await before.client.push();

    const file = join(cli.tmp, 'lesmodus-backup.db');
    const backup = await cli.run(['server', 'backup', '--data-dir', dataDir, file]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await cli.run(['server', 'backup', '--data-dir', dataDir, file])).stderr).toMatch(/exists already/);

    const late = ['four', 'five'].map((d) => before.write(d));
    await before.client.push();
    const after = laptop(url, identity, 'bram');
    const { deviceId: bramId } = await after.client.enroll();
    const bramLate = after.write('bram before the restore');
    await after.client.push();
    expect(held(dataDir)).toHaveLength(6);

    // A restore needs the server stopped: it refuses while one runs.
    const refused = await cli.run(['server', 'restore', '--data-dir', dataDir, file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Another Lesmodus server is already running/);
    await server.stop();
    const restored = await cli.run(['server', 'restore', '--data-dir', dataDir, file]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/kept as .*before-restore-/);
    await server.start();
    expect(held(dataDir).map((e) => e.event_id)).toEqual(early);
    // The server says how far it holds Anna's events (heartbeat and ingest answers carry it): 3, where she has sent 5.
    expect(lastEventSeq(dataDir, annaId)).toBe(3);

    // Anna was enrolled before the backup: her credential still works, as the same device.
    const reply = await before.client.heartbeat().then(() => before.client.status());
    expect(reply.deviceId).toBe(annaId);
    before.run();
    const annaNew = before.write('anna after the restore');
    before.client.nudge();
    await vi.waitFor(() => expect(before.store.outboxSize()).toBe(0), { timeout: 20_000 });

    // Bram enrolled after it: refused once, he enrolls again with his enrollment key, as the same device.
    after.run();
    const bramNew = after.write('bram after the restore');
    after.client.nudge();
    await vi.waitFor(() => expect(after.store.outboxSize()).toBe(0), { timeout: 20_000 });
    expect(after.client.deviceId).toBe(bramId);

    const now = held(dataDir);
    const ids = now.map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(now.filter((e) => e.device_id === annaId).map((e) => e.event_id)).toEqual([...early, annaNew]);
    expect(now.filter((e) => e.device_id === bramId).map((e) => e.event_id)).toEqual([bramNew]);
    // What the server acknowledged after the backup is not on it again…
    for (const id of [...late, bramLate]) expect(ids).not.toContain(id);
    // …and not in any laptop's outbox: the laptops keep it in their own log only.
    expect(before.store.outboxSize() + after.store.outboxSize()).toBe(0);
  }, 120_000);
});
