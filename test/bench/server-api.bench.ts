import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { generateSigningKeyPair } from '../../src/adapters/signing.ts';
import { buildApi } from '../../src/server/app/server-app.ts';
import { signerFrom } from '../../src/server/app/server-keys.ts';
import { issueDeviceCredential } from '../../src/server/auth/device-credentials.ts';
import { FAST_SCRYPT_COST, hashPassword } from '../../src/server/auth/passwords.ts';
import { listen } from '../../src/server/http/listen.ts';
import { silentLogger } from '../../src/server/http/logger.ts';
import { PostgresServerStore, SqliteServerStore, type ServerStore } from '../../src/server/store/index.ts';
import { benchPostgresUrl, fmt, verdict } from './measure.ts';
import { dropSchema } from '../helpers/postgres-schema.ts';

/**
 * The API under a school's load, SQLite and PostgreSQL side by side:
 * - heartbeats from 5,000 devices a minute (83 a second, paced, open loop so
 *   a slow answer cannot hold the next one back), p99 latency (target < 50 ms),
 *   and the most heartbeats a second the server takes as a baseline;
 * - a grant fanned out over Server-Sent Events to 1,000 connected devices:
 *   from the leader's POST until each device holds its signed copy, p95
 *   (target < 1 s).
 * The server runs in a worker thread (its own event loop, as in production);
 * the simulated devices run here, all real HTTP on 127.0.0.1.
 */

const DEVICES = 5_000;
const GROUP_SIZE = 25;
const HEARTBEATS_PER_MINUTE = 5_000;
/** Paced heartbeats measured: 20 s at the target rate, enough for a stable p99 (1,666 samples). */
const PACED_SECONDS = 20;
/** In-flight heartbeats in the capacity run: far more than 5,000 devices a minute ever put in flight at once. */
const CAPACITY_CONCURRENCY = 32;
const HEARTBEAT_P99_TARGET_MS = 50;
const STREAM_CLIENTS = 1_000;
/** Grants fanned out, each to all 1,000 streams: 5,000 deliveries in all. */
const FAN_OUT_ROUNDS = 5;
const FAN_OUT_P95_TARGET_MS = 1_000;
const SCHOOL_ID = 'bench-college';
const LEADER = { username: 'bench-leader', password: 'bench-leader-password' };
const SERVER_ROLE = 'lesmodus-bench-api-server';

interface ServerReady {
  readonly url: string;
  readonly credentials: readonly string[];
  readonly groupsForStreams: readonly string[];
}

type StoreSpec = { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string; readonly schema: string };

function openStore(spec: StoreSpec): Promise<ServerStore> {
  return spec.kind === 'sqlite' ? SqliteServerStore.open({ path: spec.path }) : PostgresServerStore.open({ url: spec.url, schema: spec.schema });
}

// ---------------------------------------------------------------- the server (worker thread)

async function runServer(spec: StoreSpec): Promise<void> {
  const store = await openStore(spec);
  const now = Date.now();
  await store.putSchool({ id: SCHOOL_ID, name: 'Bench College', timeZone: 'Europe/Amsterdam' }, now);
  await store.createUser({ username: LEADER.username, role: 'leader', displayName: null, teacherCode: null, schoolId: SCHOOL_ID,
    passwordHash: await hashPassword(LEADER.password, FAST_SCRYPT_COST) }, now);
  const students = Array.from({ length: DEVICES }, (_, s) => ({ id: `s${s}`, name: null, loginName: `leerling${s}` }));
  await store.putStudents(SCHOOL_ID, students);
  const groups = Array.from({ length: DEVICES / GROUP_SIZE }, (_, g) => ({
    code: `g${g}`, name: null, studentIds: students.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE).map((s) => s.id),
  }));
  await store.replaceGroups(SCHOOL_ID, groups);
  const credentials: string[] = [];
  for (let s = 0; s < DEVICES; s++) {
    const id = `00000000-0000-4000-8000-${String(s).padStart(12, '0')}`;
    const { credential, credentialHash } = issueDeviceCredential(id);
    await store.enrollDevice({ id, credentialHash, schoolId: SCHOOL_ID, hostname: `laptop-${s}`, serial: null, os: 'win32', agentVersion: '0.1.0',
      loginName: `leerling${s}` }, now);
    await store.assignDevice(id, { schoolId: SCHOOL_ID, studentId: `s${s}` }, now);
    credentials.push(credential);
  }
  const pair = generateSigningKeyPair();
  const { context, handler } = buildApi({
    store, signer: signerFrom(pair.privateKeyPem, pair.publicKeyPem), enrollmentSecretsPath: join(tmpdir(), 'lesmodus-bench-no-secrets.json'),
    logger: silentLogger, settings: { passwordCost: FAST_SCRYPT_COST, version: 'bench' },
  });
  const listening = await listen(handler, { host: '127.0.0.1', port: 0 }, silentLogger);
  const ready: ServerReady = { url: listening.url, credentials, groupsForStreams: groups.slice(0, STREAM_CLIENTS / GROUP_SIZE).map((g) => g.code) };
  parentPort!.postMessage(ready);
  parentPort!.once('message', () => {
    void listening.close(() => context.hub.closeAll()).then(() => store.close()).then(() => parentPort!.postMessage('stopped'));
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === SERVER_ROLE) {
  await runServer((workerData as { spec: StoreSpec }).spec);
}

// ---------------------------------------------------------------- the devices (this thread)

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function heartbeat(url: string, credential: string): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${url}/api/v1/device/heartbeat`, {
    method: 'POST', headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' }, body: '{}',
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`heartbeat answered ${response.status}`);
  return performance.now() - start;
}

/** Open loop at the target rate: each heartbeat leaves on its schedule, whether or not earlier ones were answered. */
async function pacedHeartbeats(ready: ServerReady): Promise<number[]> {
  const interval = 60_000 / HEARTBEATS_PER_MINUTE;
  const count = Math.round((PACED_SECONDS * 1000) / interval);
  const started = performance.now();
  const pending: Promise<number>[] = [];
  for (let i = 0; i < count; i++) {
    await sleep(started + i * interval - performance.now());
    pending.push(heartbeat(ready.url, ready.credentials[i % DEVICES]!));
  }
  return Promise.all(pending);
}

/** Every device once, CAPACITY_CONCURRENCY at a time: the most the server takes. */
async function capacity(ready: ServerReady): Promise<{ perSecond: number; p99: number }> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: CAPACITY_CONCURRENCY }, async () => {
    while (next < DEVICES) latencies.push(await heartbeat(ready.url, ready.credentials[next++]!));
  }));
  return { perSecond: DEVICES / ((performance.now() - started) / 1000), p99: percentile(latencies, 99) };
}

interface Stream {
  readonly response: IncomingMessage;
  /** Resolves at the next "grant" event, with performance.now() when it arrived. */
  nextGrant(): Promise<number>;
}

function openStream(url: string, credential: string, agent: Agent): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const request = get(`${url}/api/v1/device/stream`, { agent, headers: { authorization: `Bearer ${credential}` } }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`stream answered ${response.statusCode}`));
        return;
      }
      let buffer = '';
      let waiting: ((at: number) => void) | null = null;
      let ready = false;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const at = performance.now();
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith('event: ready')) {
            ready = true;
            resolve(stream);
          } else if (ready && block.startsWith('event: grant') && waiting !== null) {
            const done = waiting;
            waiting = null;
            done(at);
          }
        }
      });
      const stream: Stream = { response, nextGrant: () => new Promise((done) => { waiting = done; }) };
    });
    request.on('error', reject);
  });
}

async function login(url: string): Promise<{ cookie: string; csrf: string }> {
  const response = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(LEADER) });
  const body = await response.json() as { csrfToken: string };
  return { cookie: response.headers.get('set-cookie')!.split(';')[0]!, csrf: body.csrfToken };
}

async function fanOut(ready: ServerReady): Promise<{ p50: number; p95: number; max: number; connectSeconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const connectStart = performance.now();
  const streams: Stream[] = [];
  // Devices come online in waves, as a school's laptops do at 08:25, not all in one instant.
  for (let i = 0; i < STREAM_CLIENTS; i += 100) {
    streams.push(...await Promise.all(ready.credentials.slice(i, i + 100).map((c) => openStream(ready.url, c, agent))));
  }
  const connectSeconds = (performance.now() - connectStart) / 1000;
  const session = await login(ready.url);
  const latencies: number[] = [];
  try {
    for (let round = 0; round < FAN_OUT_ROUNDS; round++) {
      const arrivals = streams.map((s) => s.nextGrant());
      const now = Date.now();
      const sent = performance.now();
      const response = await fetch(`${ready.url}/api/v1/grants`, {
        method: 'POST',
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
        body: JSON.stringify({
          scope: { kind: 'window', start: now, end: now + 3_600_000 }, audience: { kind: 'groups', groups: ready.groupsForStreams },
          allow: { categories: ['social'] }, reason: `Benchmark round ${round}`,
        }),
      });
      if (response.status !== 201) throw new Error(`the grant was refused: ${response.status} ${await response.text()}`);
      for (const at of await Promise.all(arrivals)) latencies.push(at - sent);
    }
  } finally {
    for (const s of streams) s.response.destroy();
    agent.destroy();
  }
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: Math.max(...latencies), connectSeconds };
}

async function measure(name: string, spec: StoreSpec): Promise<void> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: SERVER_ROLE, spec } });
  const seeding = performance.now();
  const ready = await new Promise<ServerReady>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  try {
    const seconds = (performance.now() - seeding) / 1000;
    const paced = await pacedHeartbeats(ready);
    const full = await capacity(ready);
    const fan = await fanOut(ready);
    const p99 = percentile(paced, 99);
    console.log(`  ${name}:`);
    console.log(`    heartbeats:  ${fmt(HEARTBEATS_PER_MINUTE)} devices/min paced for ${PACED_SECONDS} s: p99 ${fmt(p99, 1)} ms, p50 ${fmt(percentile(paced, 50), 1)} ms, `
      + `max ${fmt(Math.max(...paced), 1)} ms; target p99 < ${HEARTBEAT_P99_TARGET_MS} ms: ${verdict(p99 < HEARTBEAT_P99_TARGET_MS)}`);
    console.log(`    baseline:    capacity ${fmt(full.perSecond)} heartbeats/s (${CAPACITY_CONCURRENCY} in flight, p99 ${fmt(full.p99, 1)} ms) `
      + `= ${fmt((full.perSecond * 60) / HEARTBEATS_PER_MINUTE, 1)}× the target load`);
    console.log(`    SSE fan-out: a grant to ${fmt(STREAM_CLIENTS)} connected devices, ${FAN_OUT_ROUNDS} rounds: p95 ${fmt(fan.p95)} ms, p50 ${fmt(fan.p50)} ms, `
      + `max ${fmt(fan.max)} ms; target p95 < ${fmt(FAN_OUT_P95_TARGET_MS)} ms: ${verdict(fan.p95 < FAN_OUT_P95_TARGET_MS)}`);
    console.log(`    setup:       ${fmt(DEVICES)} devices enrolled in ${fmt(seconds, 1)} s; ${fmt(STREAM_CLIENTS)} streams connected in ${fmt(fan.connectSeconds, 1)} s`);
  } finally {
    worker.postMessage('stop');
    await new Promise((resolve) => worker.once('message', resolve));
    await worker.terminate();
  }
}

export async function benchServerApi(): Promise<void> {
  console.log(`server API: ${fmt(DEVICES)} devices over real HTTP on 127.0.0.1 (server in a worker thread), SQLite and PostgreSQL`);
  const dir = mkdtempSync(join(tmpdir(), 'lesmodus-bench-api-'));
  try {
    await measure(`SQLite (${tmpdir()}, synchronous=FULL)`, { kind: 'sqlite', path: join(dir, 'server.db') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = benchPostgresUrl();
  if (url === undefined) return;
  const schema = `lesmodus_bench_api_${process.pid}`;
  try {
    await measure('PostgreSQL', { kind: 'postgres', url, schema });
  } finally {
    await dropSchema(url, schema);
  }
}

/** Run alone: node test/bench/server-api.bench.ts */
if (isMainThread && import.meta.url === `file://${process.argv[1]}`) await benchServerApi();
