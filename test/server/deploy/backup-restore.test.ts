import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { openDeviceStore, type DeviceStore } from '../../../src/agent/store/index.ts';
import { SyncClient } from '../../../src/agent/sync/sync-client.ts';
import { AgentConfigSchema } from '../../../src/core/config/agent-config.ts';
import { SQLITE_FILE_NAME } from '../../../src/server/store/index.ts';
import { freePort, SchoolServer, initSchoolServer } from '../../agent/sync/fault/school-server.ts';
import { dropSchema, freshSchemaUrl, querySchema } from '../../helpers/postgres-schema.ts';
import { useCli } from '../api/cli-harness.ts';
import { call, type UserSession } from '../api/harness.ts';

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
 * - events the server acknowledged after the backup are sent again: the
 *   laptops keep synced events in their own log (30 days), and the first
 *   push after the restore learns how far the server holds them (its answer
 *   says what it had before the batch); the laptop sends the rest again and
 *   the server, storing each event id once, ends with every event once;
 * - exceptions granted after the backup come back from the laptops that hold
 *   them (signed by the server for each), into the leaders' log with who
 *   granted them and why, and counted as applied from the events resent.
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

/** The store behind the server, as its admin backs it up and restores it, and reads it as an auditor would. */
interface Target {
  readonly name: string;
  readonly databaseUrl?: string;
  readonly dataDir: string;
  backup(file: string): Promise<void>;
  /** Checks that it refuses while a server runs, where the tool can tell. */
  refusesWhileRunning(file: string): Promise<void>;
  restore(file: string): Promise<void>;
  query<R>(text: string, values?: unknown[]): Promise<R[]>;
  cleanup(): Promise<void>;
}

function sqliteTarget(dataDir: string): Target {
  return {
    name: 'SQLite (lesmodus server backup/restore)',
    dataDir,
    async backup(file) {
      const backup = await cli.run(['server', 'backup', '--data-dir', dataDir, file]);
      expect(backup.code, backup.stderr).toBe(0);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect((await cli.run(['server', 'backup', '--data-dir', dataDir, file])).stderr).toMatch(/exists already/);
    },
    async refusesWhileRunning(file) {
      const refused = await cli.run(['server', 'restore', '--data-dir', dataDir, file]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/Another Lesmodus server is already running/);
    },
    async restore(file) {
      const restored = await cli.run(['server', 'restore', '--data-dir', dataDir, file]);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stdout).toMatch(/kept as .*before-restore-/);
    },
    async query<R>(text: string, values: unknown[] = []) {
      const db = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
      try {
        return db.prepare(text.replace(/\$\d+/g, '?')).all(...values) as R[];
      } finally {
        db.close();
      }
    },
    async cleanup() {},
  };
}

function postgresTarget(url: string, schema: string, databaseUrl: string, dataDir: string): Target {
  const tool = (name: string, args: string[]) => execFileSync(name, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  return {
    name: 'PostgreSQL (pg_dump/pg_restore)',
    databaseUrl,
    dataDir,
    async backup(file) {
      tool('pg_dump', ['--format=custom', '--schema', schema, '--file', file, url]);
    },
    async refusesWhileRunning() {},
    async restore(file) {
      tool('pg_restore', ['--clean', '--if-exists', '--no-owner', '--dbname', url, file]);
    },
    query: (text, values) => querySchema(url, schema, text, values),
    cleanup: () => dropSchema(url, schema),
  };
}

const held = (target: Target) => target.query<{ device_id: string; event_id: string }>('SELECT device_id, event_id FROM device_events ORDER BY device_id, seq');
const lastEventSeq = async (target: Target, deviceId: string) =>
  Number((await target.query<{ last_event_seq: number | string }>('SELECT last_event_seq FROM devices WHERE id = $1', [deviceId]))[0]?.last_event_seq);

const LEADER = { username: 'de-vries', password: 'correct horse battery' };
const REASON = 'Filmopdracht maatschappijleer: interviews opnemen';

async function login(url: string): Promise<UserSession> {
  const reply = await call(url, 'POST', '/api/v1/session', { body: LEADER });
  expect(reply.status, reply.text).toBe(200);
  return { kind: 'user', cookie: reply.headers.get('set-cookie')!.split(';')[0]!, csrf: reply.body.csrfToken, username: LEADER.username };
}

const pgUrl = process.env.LESMODUS_TEST_DATABASE_URL;
const targets: { name: string; make: () => Promise<Target> }[] = [
  { name: 'SQLite (lesmodus server backup/restore)', make: async () => sqliteTarget(join(cli.tmp, 'sqlite-data')) },
  ...(pgUrl === undefined ? [] : [{
    name: 'PostgreSQL (pg_dump/pg_restore)',
    make: async () => {
      const schema = `lesmodus_backup_${process.pid}_${Date.now().toString(36)}`;
      return postgresTarget(pgUrl, schema, await freshSchemaUrl(pgUrl, schema), join(cli.tmp, 'postgres-data'));
    },
  }]),
];

describe.each(targets)('backup and restore: $name', ({ make }) => {
  let server: SchoolServer | undefined;
  let target: Target | undefined;
  afterAll(async () => {
    await server?.stop();
    await target?.cleanup();
  });

  it('a backup taken while laptops sync restores to a server they go on with, as the same devices; what was acknowledged after the backup is sent again, once', async () => {
    target = await make();
    const { dataDir } = target;
    const identity = await initSchoolServer(dataDir, target.databaseUrl);
    const store = target.databaseUrl === undefined ? ['--data-dir', dataDir] : ['--data-dir', dataDir, '--database-url', target.databaseUrl];
    const added = await cli.run(['server', 'user', 'add', ...store, '--role', 'leader', '--username', LEADER.username, '--school', 'fault', '--name', 'Mw. De Vries'], `${LEADER.password}\n`);
    expect(added.code, added.stderr).toBe(0);
    const port = await freePort();
    server = new SchoolServer({ dataDir, port, databaseUrl: target.databaseUrl });
    await server.start();
    const url = `http://127.0.0.1:${port}`;

    const before = laptop(url, identity, 'anna');
    const { deviceId: annaId } = await before.client.enroll();
    const early = ['one', 'two', 'three'].map((d) => before.write(d));
    await before.client.push();

    const file = join(cli.tmp, `lesmodus-backup-${port}`);
    await target.backup(file);

    const late = ['four', 'five'].map((d) => before.write(d));
    await before.client.push();
    // A leader lets Anna's laptop record for an hour; the laptop takes it and applies it.
    const leader = await login(url);
    const granted = await call(url, 'POST', '/api/v1/grants', { as: leader, body: {
      scope: { kind: 'window', start: Date.now(), end: Date.now() + 3_600_000 }, audience: { kind: 'device', deviceId: annaId },
      allow: { capture: ['camera'] }, reason: REASON,
    } });
    expect(granted.status, granted.text).toBe(201);
    const grantId: string = granted.body.id;
    await before.client.pull();
    const applied = before.store.appendEvent({ type: 'exception.applied', policyVersion: 'test-1', payload: {
      grantId, articles: ['III.A.3'], allowed: { categories: [], services: [], capture: ['camera'] }, lesson: null, until: Date.now() + 3_600_000,
    } }).id;
    await before.client.push();
    const after = laptop(url, identity, 'bram');
    const { deviceId: bramId } = await after.client.enroll();
    const bramLate = after.write('bram before the restore');
    await after.client.push();
    expect(await held(target)).toHaveLength(7);

    // A restore needs the server stopped.
    await target.refusesWhileRunning(file);
    await server.stop();
    await target.restore(file);
    await server.start();
    expect((await held(target)).map((e) => e.event_id)).toEqual(early);
    // The exception granted after the backup is gone from the restored server.
    expect(await target.query('SELECT id FROM grants')).toEqual([]);
    // The server says how far it holds Anna's events (heartbeat and ingest answers carry it): 3, where she has sent 5.
    expect(await lastEventSeq(target, annaId)).toBe(3);

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

    const now = await held(target);
    const ids = now.map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    // Nothing lost, nothing twice: what the server acknowledged after the backup came back from the laptops.
    expect(now.filter((e) => e.device_id === annaId).map((e) => e.event_id)).toEqual([...early, ...late, applied, annaNew]);
    expect(now.filter((e) => e.device_id === bramId).map((e) => e.event_id)).toEqual([bramLate, bramNew]);
    expect(await lastEventSeq(target, annaId)).toBe(7);
    expect(before.store.outboxSize() + after.store.outboxSize()).toBe(0);

    // Anna's laptop gave the exception back: the leaders' log shows again who allowed what, when and why, and that it took effect.
    const restoredLeader = await login(url);
    await vi.waitFor(async () => expect((await call(url, 'GET', '/api/v1/exceptions', { as: restoredLeader })).body.total).toBe(1), { timeout: 20_000 });
    const log = (await call(url, 'GET', '/api/v1/exceptions', { as: restoredLeader })).body;
    expect(log.rows[0]).toMatchObject({
      id: grantId, issuedBy: { username: LEADER.username, role: 'leader', name: 'Mw. De Vries' }, reason: REASON, articles: ['III.A.3'],
      audience: { kind: 'device', deviceId: annaId }, issuedAt: granted.body.grant.issuedAt, devicesApplied: 1,
    });
    const detail = (await call(url, 'GET', `/api/v1/exceptions/${grantId}`, { as: restoredLeader })).body;
    expect(detail.grant.restoredFrom).toBe(annaId);
    expect(before.store.grantsToOffer(0)).toBeNull();
  }, 120_000);
});
