import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { CREDENTIAL_FILE_NAME } from '../../../../src/agent/sync/credential-file.ts';
import { SQLITE_FILE_NAME } from '../../../../src/server/store/index.ts';
import { FaultProxy, type ProxyCounts, type ProxyMode } from './fault-proxy.ts';
import { freePort, initSchoolServer, killOnExit, SchoolServer } from './school-server.ts';

/**
 * One fault-injection run: a school server (its own process), the fault
 * proxy, and a laptop (device-child.ts) that is started, left to write and
 * sync for a random 100–600 ms while the proxy misbehaves, and killed with
 * SIGKILL, round after round; in some rounds the server is killed and
 * restarted the moment a batch of events reaches it. Then the laptop runs
 * once more without faults until its outbox is empty, and both sides'
 * events are read back from their databases.
 */

const DEVICE_CHILD = fileURLToPath(new URL('./device-child.ts', import.meta.url));
const DEVICE_STORE_FILE = 'device.db';

/** How often each fault is picked when the proxy changes mode (every 20–120 ms). */
const MODE_WEIGHTS: readonly (readonly [ProxyMode, number])[] = [
  ['pass', 35], ['reset', 10], ['down', 10], ['cut', 20], ['slow', 10], ['garbage', 15],
];
/** A laptop runs this long before it is killed, drawn per round. */
export const RUN_MS = { min: 100, max: 600 };

export interface FaultRunOptions {
  /** At least this many rounds. */
  readonly rounds: number;
  /**
   * More rounds (up to `maxRounds`) while this says the run has not yet
   * exercised enough (on a slow machine a round does less), so the test's
   * "the faults really happened" checks do not fail for want of time.
   */
  readonly enough?: (progress: FaultProgress) => boolean;
  readonly maxRounds?: number;
  /** Kill and restart the server in every n-th round (at the first events batch it receives). */
  readonly serverRestartEvery: number;
  readonly workDir: string;
  readonly random: () => number;
  /** PostgreSQL (a URL whose search_path names the run's own schema); SQLite in the data dir when absent. */
  readonly databaseUrl?: string;
  /** Registers cleanup that must run even if the test fails. */
  readonly defer: (cleanup: () => Promise<void> | void) => void;
}

export interface FaultProgress {
  readonly rounds: number;
  readonly reportedCommitted: number;
  readonly serverRestarts: number;
  readonly batchKills: number;
  readonly proxy: ProxyCounts;
}

export interface StoredRow {
  readonly id: string;
  readonly type: string;
  readonly occurredAt: number;
  readonly payload: string;
}

export interface FaultRunResult {
  /** At least this many rounds. */
  readonly rounds: number;
  /**
   * More rounds (up to `maxRounds`) while this says the run has not yet
   * exercised enough (on a slow machine a round does less), so the test's
   * "the faults really happened" checks do not fail for want of time.
   */
  readonly enough?: (progress: FaultProgress) => boolean;
  readonly maxRounds?: number;
  readonly deviceKills: number;
  readonly serverRestarts: number;
  /** Of those, the kills that came 0–7 ms after a batch of events reached the server (the rest came late in a round). */
  readonly batchKills: number;
  /** SQLite only: PRAGMA integrity_check of the server's database after all the kills. */
  readonly serverIntegrity: string | null;
  /** Events the laptops reported committed (appendEvent returned), over all rounds. */
  readonly reportedCommitted: readonly string[];
  /** Sync failures the laptops logged (what they saw of the faults). */
  readonly syncFailures: readonly string[];
  readonly proxy: ProxyCounts;
  readonly deviceId: string;
  /** The laptop's store after draining: every event, synced or not. */
  readonly deviceEvents: readonly StoredRow[];
  readonly unsyncedOnDevice: number;
  /** Every event row the server holds (all devices), with its device. */
  readonly serverEvents: readonly (StoredRow & { readonly deviceId: string })[];
  readonly serverDevices: number;
  readonly drainOutput: string;
  readonly seconds: number;
}

interface DeviceProcess {
  readonly child: ChildProcess;
  readonly committed: string[];
  readonly logs: string[];
  readonly firstEvent: Promise<void>;
  readonly closed: Promise<[number | null, NodeJS.Signals | null]>;
  output(): string;
}

function startDevice(mode: 'run' | 'drain', dataDir: string, round: string, serverConfig: object): DeviceProcess {
  const child = spawn(process.execPath, [DEVICE_CHILD, mode, dataDir, round], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FAULT_SERVER_CONFIG: JSON.stringify(serverConfig) },
  });
  killOnExit(child);
  // 'close', not 'exit': it comes after stdout is drained, so no reported line is missed.
  const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  const committed: string[] = [];
  const logs: string[] = [];
  let buffer = '';
  let stderr = '';
  let all = '';
  let sawEvent: () => void = () => {};
  const firstEvent = new Promise<void>((resolve) => { sawEvent = resolve; });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    if (all.length < 20_000) all += chunk;
    const lines = buffer.split('\n');
    // Only whole lines count: a line cut off by the kill was never fully reported.
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('E ')) {
        committed.push(line.slice(2));
        sawEvent();
      } else if (line.startsWith('L ')) {
        logs.push(line.slice(2));
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 20_000) stderr += chunk;
  });
  return { child, committed, logs, firstEvent, closed, output: () => `${all}${stderr ? `\nstderr:\n${stderr}` : ''}` };
}

function pickMode(random: () => number): ProxyMode {
  const total = MODE_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
  let pick = random() * total;
  for (const [mode, weight] of MODE_WEIGHTS) {
    pick -= weight;
    if (pick < 0) return mode;
  }
  return 'pass';
}

function readDeviceEvents(dataDir: string): { events: StoredRow[]; unsynced: number } {
  const db = new Database(join(dataDir, DEVICE_STORE_FILE), { readonly: true });
  try {
    const events = db.prepare('SELECT id, type, occurred_at AS occurredAt, payload FROM events ORDER BY seq').all() as StoredRow[];
    const unsynced = db.prepare('SELECT count(*) FROM events WHERE synced_at IS NULL').pluck().get() as number;
    return { events, unsynced };
  } finally {
    db.close();
  }
}

async function readServerEvents(serverDir: string, databaseUrl: string | undefined): Promise<{ events: (StoredRow & { deviceId: string })[]; devices: number; integrity: string | null }> {
  const eventsSql = 'SELECT device_id AS "deviceId", event_id AS id, type, occurred_at AS "occurredAt", payload FROM device_events';
  const devicesSql = 'SELECT count(*) AS n FROM devices';
  if (databaseUrl === undefined) {
    const db = new Database(join(serverDir, SQLITE_FILE_NAME), { readonly: true });
    try {
      return {
        events: db.prepare(eventsSql).all() as (StoredRow & { deviceId: string })[],
        devices: (db.prepare(devicesSql).get() as { n: number }).n,
        integrity: db.pragma('integrity_check', { simple: true }) as string,
      };
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const events = (await client.query<StoredRow & { deviceId: string }>(eventsSql)).rows.map((row) => ({ ...row, occurredAt: Number(row.occurredAt) }));
    const devices = Number((await client.query<{ n: string }>(devicesSql)).rows[0]!.n);
    return { events, devices, integrity: null };
  } finally {
    await client.end();
  }
}

export async function runFaults(options: FaultRunOptions): Promise<FaultRunResult> {
  const { random, workDir, databaseUrl, defer } = options;
  const started = Date.now();
  const serverDir = join(workDir, 'server');
  const deviceDir = join(workDir, 'device');
  const identity = await initSchoolServer(serverDir, databaseUrl);

  const server = new SchoolServer({ dataDir: serverDir, port: await freePort(), databaseUrl });
  defer(() => server.kill());
  await server.start();
  const proxy = await FaultProxy.start(server.port, random);
  defer(() => proxy.close());
  const serverConfig = { url: proxy.url, enrollmentSecret: identity.enrollmentSecret, publicKey: identity.publicKey };

  const live = new Set<ChildProcess>();
  defer(() => {
    for (const child of live) child.kill('SIGKILL');
  });

  const reportedCommitted: string[] = [];
  const syncFailures: string[] = [];
  let deviceKills = 0;
  let serverRestarts = 0;
  let batchKills = 0;
  mkdirSync(deviceDir, { recursive: true });

  const more = (round: number) => round < options.rounds
    || (round < (options.maxRounds ?? options.rounds)
      && !(options.enough?.({ rounds: round, reportedCommitted: reportedCommitted.length, serverRestarts, batchKills, proxy: proxy.counts }) ?? true));
  let round = 0;
  for (; more(round); round++) {
    const t0 = Date.now();
    const device = startDevice('run', deviceDir, String(round), serverConfig);
    live.add(device.child);
    await Promise.race([device.firstEvent, device.closed]);
    const t1 = Date.now();
    if (device.child.exitCode !== null) throw new Error(`round ${round}: the laptop exited before it wrote an event:\n${device.output()}`);

    const runMs = RUN_MS.min + Math.floor(random() * (RUN_MS.max - RUN_MS.min));
    const endsAt = Date.now() + runMs;

    // Kill the server the moment a batch reaches it (a few ms later, so some
    // kills land inside the ingest transaction), or late in the round if none does.
    let restart: Promise<void> | null = null;
    const restartServer = (atBatch: boolean) => {
      if (restart !== null) return;
      if (atBatch) batchKills += 1;
      restart = (async () => {
        await sleep(Math.floor(random() * 8));
        await server.kill();
        serverRestarts += 1;
        await server.start();
      })();
      // Awaited at the end of the round; until then a failed restart must not count as unhandled.
      restart.catch(() => {});
    };
    const restartRound = round % options.serverRestartEvery === options.serverRestartEvery - 1;
    let fallback: NodeJS.Timeout | undefined;
    const atBatch = () => restartServer(true);
    if (restartRound) {
      proxy.once('events-request', atBatch);
      fallback = setTimeout(() => restartServer(false), Math.floor(runMs * 0.8));
    }

    while (Date.now() < endsAt) {
      await proxy.setMode(pickMode(random));
      await sleep(Math.max(0, Math.min(20 + random() * 100, endsAt - Date.now())));
    }
    device.child.kill('SIGKILL');
    const [code, signal] = await device.closed;
    live.delete(device.child);
    clearTimeout(fallback);
    proxy.off('events-request', atBatch);
    if (signal !== 'SIGKILL') throw new Error(`round ${round}: the laptop was not running when it was to be killed (exit ${code}):\n${device.output()}`);
    deviceKills += 1;
    reportedCommitted.push(...device.committed);
    syncFailures.push(...device.logs);
    const t2 = Date.now();
    if (restart !== null) await restart;
    const t3 = Date.now();
    await proxy.setMode('pass');
    if (process.env.FAULT_DEBUG) console.error(`round ${round}: start ${t1 - t0} run ${t2 - t1} (planned ${runMs}) restart ${t3 - t2} pass ${Date.now() - t3}`);
  }

  // No more faults: the laptop sends what is left, and both sides are read back.
  const drain = startDevice('drain', deviceDir, 'drain', serverConfig);
  live.add(drain.child);
  const [drainCode] = await drain.closed;
  live.delete(drain.child);
  syncFailures.push(...drain.logs);
  if (drainCode !== 0) throw new Error(`the drain run did not empty the outbox (exit ${drainCode}):\n${drain.output()}`);
  await server.stop();

  const device = readDeviceEvents(deviceDir);
  const { deviceId } = JSON.parse(readFileSync(join(deviceDir, CREDENTIAL_FILE_NAME), 'utf8')) as { deviceId: string };
  const serverSide = await readServerEvents(serverDir, databaseUrl);
  return {
    rounds: round,
    deviceKills,
    serverRestarts,
    batchKills,
    serverIntegrity: serverSide.integrity,
    reportedCommitted,
    syncFailures,
    proxy: { ...proxy.counts },
    deviceId,
    deviceEvents: device.events,
    unsyncedOnDevice: device.unsynced,
    serverEvents: serverSide.events,
    serverDevices: serverSide.devices,
    drainOutput: drain.output(),
    seconds: (Date.now() - started) / 1000,
  };
}
