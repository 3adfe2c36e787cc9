import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { generateSigningKeyPair } from '../../src/adapters/signing.ts';
import type { Logger as AgentLogger } from '../../src/agent/runtime/logger.ts';
import { openDeviceStore, MAX_OUTBOX_BATCH, type AppendEventInput, type DeviceStore } from '../../src/agent/store/index.ts';
import { SyncClient } from '../../src/agent/sync/sync-client.ts';
import { AgentConfigSchema, type ServerConfig } from '../../src/core/config/agent-config.ts';
import type { DeviceEvent } from '../../src/core/events/schema.ts';
import type { Lesson } from '../../src/core/timetable/lesson.ts';
import { buildApi } from '../../src/server/app/server-app.ts';
import { signerFrom } from '../../src/server/app/server-keys.ts';
import { EnrollmentSecretFile } from '../../src/server/auth/enrollment-secrets.ts';
import { FAST_SCRYPT_COST, hashPassword } from '../../src/server/auth/passwords.ts';
import { CSRF_HEADER } from '../../src/server/auth/sessions.ts';
import { listen } from '../../src/server/http/listen.ts';
import type { Logger as ServerLogger } from '../../src/server/http/logger.ts';
import { SqliteServerStore } from '../../src/server/store/index.ts';
import { seededRandom } from '../helpers/random.ts';
import { fmt, verdict } from './measure.ts';

/**
 * The agent's sync with the school server, end to end (issue #5):
 *
 * - grant to applied: a teacher POSTs a grant for a lesson in progress; for
 *   each of 200 connected agents, the time from sending the POST until the
 *   agent has verified it, stored it in its device store and woken its
 *   decision loop (SyncClient's `wake`). 20 grants, p50/p95/max over every
 *   delivery; baseline the same with one agent. Target: under 2 s on loopback.
 * - backlog drain: a device store with 100,000 events from a week offline,
 *   pushed by SyncClient.push() until the outbox is empty; baseline the
 *   server store ingesting the same batches directly (no HTTP, no device store).
 *
 * The server (SQLite, synchronous=FULL) runs in a child process, as in
 * production a process of its own; the agents (real SyncClients, each with
 * its own device store, synchronous=FULL, real fetch and SSE) run in worker
 * threads of this process, 25 to a thread, and the teacher in its main
 * thread, so the POST and the "applied" moments are read from one clock
 * (performance.timeOrigin + now(), which the threads share). Each grant
 * waits until the server counts all its acks before the next one is sent.
 * Everything is in the OS temp folder (on tmpfs an fsync is free; set
 * TMPDIR to a real disk to see what it costs).
 *
 * Caveat, printed too: the 200 agents share this machine's cores and disk;
 * in a school each laptop has its own, so the per-device work (Ed25519
 * verify, an fsynced SQLite write, the ack) queues here and the 200-agent
 * tail overstates what a classroom sees.
 */

const SERVER_ROLE = 'lesmodus-bench-sync-server';
const SCHOOL_ID = 'bench-college';
const TEACHER = { username: 'jansen', password: 'bench-teacher-password', teacherCode: 'JNS' };
const GROUP_SIZE = 25;
const POLICY_VERSION = '2025.1';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const AGENTS = 200;
const GRANT_ROUNDS = 20;
const WARMUP_ROUNDS = 1;
const GRANT_TARGET_MS = 2_000;
/** Agents enrolled at once while setting up: a school's laptops do not all boot in the same millisecond either. */
const ENROLL_WAVE = 25;

const BACKLOG_EVENTS = 100_000;
const BACKLOG_DAYS = 7;

// ---------------------------------------------------------------- the server (child process)

interface ServerSetup {
  readonly dir: string;
  readonly students: number;
}

interface ServerReady {
  readonly kind: 'ready';
  readonly url: string;
  readonly enrollmentSecret: string;
  readonly publicKeyPem: string;
  readonly lesson: { readonly uid: string; readonly start: number };
}

type ServerRequest =
  | { readonly id: number; readonly kind: 'connections' }
  | { readonly id: number; readonly kind: 'event-count'; readonly deviceId: string }
  | { readonly id: number; readonly kind: 'stop' };

interface ServerReply {
  readonly kind: 'reply';
  readonly id: number;
  readonly value: number | null;
  /** Warnings and errors the server logged (stop only). */
  readonly problems?: readonly string[];
}

function countingLogger(): ServerLogger & { readonly problems: string[] } {
  const problems: string[] = [];
  const note = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    problems.push(`${level}: ${message}${fields ? ` ${JSON.stringify(fields).slice(0, 300)}` : ''}`);
  };
  return { problems, info: () => {}, warn: note('warn'), error: note('error') };
}

/** A school with one lesson in progress for all `students` (in groups of 25), taught by Jansen. */
async function runServer(setup: ServerSetup): Promise<void> {
  const store = await SqliteServerStore.open({ path: join(setup.dir, 'server.db') });
  const now = Date.now();
  await store.putSchool({ id: SCHOOL_ID, name: 'Bench College', timeZone: 'Europe/Amsterdam' }, now);
  await store.createUser({ username: TEACHER.username, role: 'teacher', displayName: 'Dhr. Jansen', teacherCode: TEACHER.teacherCode, schoolId: SCHOOL_ID,
    passwordHash: await hashPassword(TEACHER.password, FAST_SCRYPT_COST) }, now);
  const students = Array.from({ length: setup.students }, (_, s) => ({ id: `s${s}`, name: null, loginName: `leerling${s}` }));
  await store.putStudents(SCHOOL_ID, students);
  const groups = Array.from({ length: Math.ceil(setup.students / GROUP_SIZE) }, (_, g) => ({
    code: `g${g}`, name: null, studentIds: students.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE).map((s) => s.id),
  }));
  await store.replaceGroups(SCHOOL_ID, groups);
  // Started ten minutes ago by the real clock (server and agents both use Date.now), ends well after the benchmark.
  const start = Math.floor(now / MINUTE) * MINUTE - 10 * MINUTE;
  const lesson: Lesson = { uid: 'bench-lesson@sync', start, end: start + 2 * HOUR, subject: 'ne', groups: groups.map((g) => g.code),
    teachers: [TEACHER.teacherCode], location: 'aula', cancelled: false, online: false };
  await store.replaceLessons(SCHOOL_ID, { from: start - DAY, to: start + 14 * DAY }, [lesson]);

  const pair = generateSigningKeyPair();
  const secretsPath = join(setup.dir, 'enrollment-secrets.json');
  const { secret } = await new EnrollmentSecretFile(secretsPath).create(SCHOOL_ID, now);
  const logger = countingLogger();
  const { context, handler } = buildApi({
    store, signer: signerFrom(pair.privateKeyPem, pair.publicKeyPem), enrollmentSecretsPath: secretsPath, logger,
    settings: { passwordCost: FAST_SCRYPT_COST, version: 'bench' },
  });
  const listening = await listen(handler, { host: '127.0.0.1', port: 0 }, logger);
  const ready: ServerReady = { kind: 'ready', url: listening.url, enrollmentSecret: secret, publicKeyPem: pair.publicKeyPem, lesson: { uid: lesson.uid, start } };
  process.send!(ready);
  process.on('disconnect', () => process.exit(1));
  process.on('message', (request: ServerRequest) => {
    const reply = (value: number | null, problems?: readonly string[]) => process.send!({ kind: 'reply', id: request.id, value, ...(problems ? { problems } : {}) } satisfies ServerReply);
    if (request.kind === 'connections') {
      reply(context.hub.connections);
    } else if (request.kind === 'event-count') {
      store.deviceEvents(request.deviceId, { from: 0, to: Date.now() + DAY }, { limit: 1, offset: 0 }).then((page) => reply(page.total), () => reply(null));
    } else {
      void listening.close(() => context.hub.closeAll()).then(() => store.close()).then(() => {
        reply(null, logger.problems);
        process.disconnect();
      });
    }
  });
}

if (process.argv[2] === SERVER_ROLE && process.send !== undefined) {
  await runServer(JSON.parse(process.argv[3]!) as ServerSetup);
}

// ---------------------------------------------------------------- this process: starting the server, helpers

interface ServerHandle {
  readonly ready: ServerReady;
  ask(kind: 'connections'): Promise<number>;
  ask(kind: 'event-count', deviceId: string): Promise<number>;
  /** Stops the server; returns the warnings and errors it logged. */
  stop(): Promise<readonly string[]>;
}

async function startServer(setup: ServerSetup): Promise<ServerHandle> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [SERVER_ROLE, JSON.stringify(setup)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Not this process's flags: run under `node -e` or a test runner, they would make the child run that instead of this file.
    execArgv: [] });
  const pending = new Map<number, (reply: ServerReply) => void>();
  let nextId = 0;
  const ready = await new Promise<ServerReady>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the bench server exited (${code}) before it was ready`)));
    child.on('message', (message: ServerReady | ServerReply) => {
      if (message.kind === 'ready') resolve(message);
      else pending.get(message.id)?.(message);
    });
  });
  child.removeAllListeners('exit');
  // A server that dies answers nothing more: fail what waits for it rather than hang.
  child.on('exit', () => {
    for (const [id, answer] of pending) answer({ kind: 'reply', id, value: null });
  });
  const send = (request: Omit<ServerRequest, 'id'> & { deviceId?: string }) => new Promise<ServerReply>((resolve) => {
    const id = ++nextId;
    pending.set(id, (reply) => {
      pending.delete(id);
      resolve(reply);
    });
    child.send({ ...request, id });
  });
  return {
    ready,
    ask: (async (kind: 'connections' | 'event-count', deviceId?: string) => {
      const reply = await send(kind === 'connections' ? { kind } : { kind, deviceId: deviceId! });
      if (reply.value === null) throw new Error(`the bench server could not answer "${kind}"`);
      return reply.value;
    }) as ServerHandle['ask'],
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const reply = await send({ kind: 'stop' });
      await exited;
      return reply.problems ?? [];
    },
  };
}

function agentConfig(ready: ServerReady): ServerConfig {
  return AgentConfigSchema.parse({ server: { url: ready.url, enrollmentSecret: ready.enrollmentSecret, publicKey: ready.publicKeyPem } }).server!;
}

/**
 * The agents' warnings and errors: a benchmark that hides a failing sync
 * would be measuring something else. Requests cut off by stopping the
 * agents (once `stopping` aborts) are not problems.
 */
function agentLog(stopping?: AbortSignal): AgentLogger & { readonly problems: string[] } {
  const problems: string[] = [];
  const note = (level: string) => (message: string) => {
    if (stopping?.aborted !== true) problems.push(`${level}: ${message}`);
  };
  return { problems, info: () => {}, warn: note('warn'), error: note('error') };
}

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function until(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!await check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(20);
  }
}

function printProblems(who: string, problems: readonly string[]): void {
  if (problems.length === 0) return;
  console.log(`    NOTE: ${who} logged ${problems.length} warnings/errors, e.g.:`);
  for (const problem of problems.slice(0, 3)) console.log(`      ${problem.slice(0, 240)}`);
}

// ---------------------------------------------------------------- grant to applied

/**
 * Agents per worker thread: a class. The agents' device stores write with
 * synchronous=FULL, and an fsync blocks its thread; on one thread the 200
 * agents' fsyncs would queue behind each other, which 200 laptops with a
 * disk each never do. Spread over threads they overlap (CPU work still
 * shares this machine's cores).
 */
const AGENTS_PER_WORKER = 25;
const AGENT_ROLE = 'lesmodus-bench-sync-agents';

/** Milliseconds on a clock every thread of this process shares (performance.now() alone starts at each thread's birth). */
const clock = () => performance.timeOrigin + performance.now();

interface AgentsSetup {
  readonly role: typeof AGENT_ROLE;
  readonly dir: string;
  readonly first: number;
  readonly count: number;
  readonly ready: ServerReady;
}

type AgentsMessage =
  | { readonly kind: 'running' }
  /** Every agent of the worker applied grant `id`: when each read it from its stream, and when it woke on it (clock()). */
  | { readonly kind: 'applied'; readonly id: string; readonly arrived: readonly number[]; readonly applied: readonly number[] }
  | { readonly kind: 'stopped'; readonly problems: readonly string[] }
  | { readonly kind: 'failed'; readonly message: string };

interface Agent {
  readonly client: SyncClient;
  readonly store: DeviceStore;
  /** Grants stored since the last wake. */
  readonly stored: string[];
  /** When the agent's live stream last delivered bytes. */
  lastChunkAt: number;
  wakes: number;
}

/**
 * The real fetch, noting when each chunk of the live stream is read: it
 * splits "grant to applied" into the way there (server fan-out, loopback,
 * this machine's queues) and the agent's own work (parse, verify, write, wake).
 */
function streamTimingFetch(agent: Agent): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!String(input).endsWith('/api/v1/device/stream') || response.body === null) return response;
    const timed = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        agent.lastChunkAt = clock();
        controller.enqueue(chunk);
      },
    }));
    return new Response(timed, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** A worker thread's agents: each a SyncClient with its own data folder and device store, all loops running. */
async function runAgents(setup: AgentsSetup): Promise<void> {
  const port = parentPort!;
  const agents: Agent[] = [];
  const stop = new AbortController();
  const log = agentLog(stop.signal);
  const loops: Promise<void>[] = [];
  /** Grant id → [arrived, applied] per agent, reported once all of them have it. */
  const progress = new Map<string, { arrived: number[]; applied: number[]; count: number }>();
  const config = agentConfig(setup.ready);
  for (let n = 0; n < setup.count; n++) {
    const i = setup.first + n;
    const dataDir = join(setup.dir, `agent-${i}`);
    mkdirSync(dataDir);
    const raw = openDeviceStore({ path: join(dataDir, 'device.db') });
    const agent: Agent = { client: undefined as unknown as SyncClient, store: raw, stored: [], lastChunkAt: 0, wakes: 0 };
    // The real store, noting which grants it stored, so `wake` can tell when each was applied.
    const store: DeviceStore = {
      ...raw,
      putGrant: (json, index) => {
        const result = raw.putGrant(json, index);
        if (result === 'stored') agent.stored.push(index.id);
        return result;
      },
    };
    const wake = () => {
      agent.wakes += 1;
      const at = clock();
      for (const id of agent.stored.splice(0)) {
        const entry = progress.get(id) ?? { arrived: new Array<number>(setup.count).fill(0), applied: new Array<number>(setup.count).fill(0), count: 0 };
        progress.set(id, entry);
        entry.arrived[n] = agent.lastChunkAt;
        entry.applied[n] = at;
        if (++entry.count === setup.count) port.postMessage({ kind: 'applied', id, arrived: entry.arrived, applied: entry.applied } satisfies AgentsMessage);
      }
    };
    Object.assign(agent, {
      client: new SyncClient({
        config, dataDir, store, now: Date.now, log, policyVersion: POLICY_VERSION, wake, fetch: streamTimingFetch(agent),
        facts: async () => ({ hostname: `laptop-${i}`, serial: null, os: 'win32', agentVersion: '0.1.0', loginName: `leerling${i}` }),
      }),
    });
    agents.push(agent);
  }
  for (let i = 0; i < agents.length; i += ENROLL_WAVE) await Promise.all(agents.slice(i, i + ENROLL_WAVE).map((a) => a.client.enroll()));
  for (const agent of agents) loops.push(agent.client.run(stop.signal));
  await until('the first pulls', 120_000, () => agents.every((a) => a.wakes > 0));
  port.postMessage({ kind: 'running' } satisfies AgentsMessage);
  port.once('message', () => {
    stop.abort();
    void Promise.all(loops).then(() => {
      for (const agent of agents) agent.store.close();
      port.postMessage({ kind: 'stopped', problems: log.problems } satisfies AgentsMessage);
    });
  });
}

if (!isMainThread && (workerData as AgentsSetup | null)?.role === AGENT_ROLE) {
  await runAgents(workerData as AgentsSetup).catch((error: unknown) => {
    parentPort!.postMessage({ kind: 'failed', message: String((error as Error).stack ?? error) } satisfies AgentsMessage);
  });
}

interface GrantFigures {
  readonly agents: number;
  readonly latencies: number[];
  /** POST sent → the chunk with the grant read by the agent's stream. */
  readonly arrivals: number[];
  /** That chunk read → wake: the agent's own work. */
  readonly work: number[];
  readonly postMs: number[];
  readonly setupSeconds: number;
  readonly problems: readonly string[];
}

async function grantRun(agents: number): Promise<GrantFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'lesmodus-bench-sync-'));
  const server = await startServer({ dir, students: agents });
  const workers: Worker[] = [];
  /** Grant id → the workers' reports so far, and who waits for all of them. */
  const reports = new Map<string, Extract<AgentsMessage, { kind: 'applied' }>[]>();
  let waiter: { id: string; resolve: () => void } | null = null;
  let failure: ((error: Error) => void) | null = null;
  const failures: string[] = [];
  const problems: string[] = [];
  try {
    const setupStarted = performance.now();
    const running: Promise<void>[] = [];
    for (let first = 0; first < agents; first += AGENTS_PER_WORKER) {
      const setup: AgentsSetup = { role: AGENT_ROLE, dir, first, count: Math.min(AGENTS_PER_WORKER, agents - first), ready: server.ready };
      const worker = new Worker(new URL(import.meta.url), { workerData: setup });
      workers.push(worker);
      running.push(new Promise((resolve, reject) => {
        worker.on('error', (error) => { failures.push(String(error)); failure?.(error); reject(error); });
        worker.on('message', (message: AgentsMessage) => {
          if (message.kind === 'running') resolve();
          else if (message.kind === 'failed') {
            failures.push(message.message);
            failure?.(new Error(message.message));
            reject(new Error(message.message));
          } else if (message.kind === 'applied') {
            const list = reports.get(message.id) ?? [];
            list.push(message);
            reports.set(message.id, list);
            if (list.length === workers.length && waiter?.id === message.id) waiter.resolve();
          }
        });
      }));
    }
    await Promise.all(running);
    // Connected: every stream subscribed on the server (each agent is through its first pull already).
    await until(`${agents} live streams`, 120_000, async () => await server.ask('connections') === agents);
    const setupSeconds = (performance.now() - setupStarted) / 1000;

    const login = await fetch(`${server.ready.url}/api/v1/session`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: TEACHER.username, password: TEACHER.password }),
    });
    if (login.status !== 200) throw new Error(`the teacher could not log in: ${login.status} ${await login.text()}`);
    const session = { cookie: login.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await login.json()) as { csrfToken: string }).csrfToken };
    const teacher = { cookie: session.cookie, [CSRF_HEADER]: session.csrf };

    const latencies: number[] = [];
    const arrivals: number[] = [];
    const work: number[] = [];
    const postMs: number[] = [];
    for (let round = 0; round < WARMUP_ROUNDS + GRANT_ROUNDS; round++) {
      const sent = clock();
      const response = await fetch(`${server.ready.url}/api/v1/grants`, {
        method: 'POST',
        headers: { ...teacher, 'content-type': 'application/json' },
        body: JSON.stringify({
          scope: { kind: 'lesson', lessonUid: server.ready.lesson.uid, lessonStart: server.ready.lesson.start },
          allow: { categories: ['social'] }, reason: `Benchmark: Instagram-campagne analyseren, ronde ${round}`,
        }),
      });
      const answered = clock();
      if (response.status !== 201) throw new Error(`the grant was refused: ${response.status} ${await response.text()}`);
      const { id } = (await response.json()) as { id: string };
      await new Promise<void>((resolve, reject) => {
        if (reports.get(id)?.length === workers.length) {
          resolve();
          return;
        }
        const timer = setTimeout(() => reject(new Error(`grant ${id}: only ${reports.get(id)?.length ?? 0} of ${workers.length} workers' agents all applied it within 30 s`)), 30_000);
        waiter = { id, resolve: () => { clearTimeout(timer); resolve(); } };
        failure = (error) => { clearTimeout(timer); reject(error); };
      });
      waiter = null;
      failure = null;
      if (round >= WARMUP_ROUNDS) {
        postMs.push(answered - sent);
        for (const report of reports.get(id)!) {
          report.applied.forEach((applied, n) => {
            latencies.push(applied - sent);
            arrivals.push(report.arrived[n]! - sent);
            work.push(applied - report.arrived[n]!);
          });
        }
      }
      reports.delete(id);
      // Let the acknowledgements land (the portal's "applied on N devices") before the next grant, so rounds do not overlap.
      await until(`the acks of grant ${id}`, 30_000, async () => {
        const summary = await fetch(`${server.ready.url}/api/v1/grants/${id}`, { headers: teacher });
        return ((await summary.json()) as { devicesApplied: number }).devicesApplied === agents;
      });
    }
    return { agents, latencies, arrivals, work, postMs, setupSeconds, problems };
  } finally {
    await Promise.all(workers.map(async (worker) => {
      const stopped = new Promise<void>((resolve) => {
        worker.on('message', (message: AgentsMessage) => {
          if (message.kind === 'stopped') {
            problems.push(...message.problems);
            resolve();
          }
        });
        worker.once('exit', () => resolve());
      });
      worker.postMessage('stop');
      await Promise.race([stopped, sleep(10_000)]);
      await worker.terminate();
    }));
    const serverProblems = await server.stop();
    rmSync(dir, { recursive: true, force: true });
    printProblems(`the server (${agents} agents)`, serverProblems);
    printProblems(`the agents' workers (${agents} agents)`, failures);
  }
}

export async function benchGrantLatency(): Promise<void> {
  console.log(`sync: grant to applied, the teacher's POST until each agent has verified, stored and woken on it (${GRANT_ROUNDS} grants + ${WARMUP_ROUNDS} warm-up)`);
  console.log(`  real SyncClients with live SSE streams and a device store each (synchronous=FULL, ${tmpdir()}), ${AGENTS_PER_WORKER} to a worker thread; `
    + 'server (SQLite) in a child process; HTTP on 127.0.0.1');
  const one = await grantRun(1);
  const many = await grantRun(AGENTS);
  const ms = (samples: readonly number[], p: number) => `${fmt(percentile(samples, p), 1)} ms`;
  const line = (f: GrantFigures) => `p50 ${ms(f.latencies, 50)}, p95 ${ms(f.latencies, 95)}, max ${fmt(Math.max(...f.latencies), 1)} ms`;
  const split = (f: GrantFigures) => `grant read from the agent's stream p50 ${ms(f.arrivals, 50)} / p95 ${ms(f.arrivals, 95)} after the POST, `
    + `then the agent's own work (parse, Ed25519 verify, FULL write, wake) p50 ${ms(f.work, 50)} / p95 ${ms(f.work, 95)}`;
  const p95 = percentile(many.latencies, 95);
  const max = Math.max(...many.latencies);
  console.log(`  ${AGENTS} agents:       ${line(many)} (${fmt(many.latencies.length)} deliveries); `
    + `target: every one < ${fmt(GRANT_TARGET_MS)} ms: ${verdict(max < GRANT_TARGET_MS)}`);
  console.log(`                    ${split(many)}`);
  console.log(`  baseline 1 agent: ${line(one)}; ${AGENTS} agents cost ${fmt(percentile(many.latencies, 50) / percentile(one.latencies, 50), 1)}× at p50, `
    + `${fmt(p95 / percentile(one.latencies, 95), 1)}× at p95`);
  console.log(`                    ${split(one)}`);
  console.log(`  the teacher's POST answered in p50 ${ms(many.postMs, 50)} (${AGENTS} agents; the server signs and sends to every stream first), ${ms(one.postMs, 50)} (1 agent); `
    + `${AGENTS} agents enrolled, pulled and streaming in ${fmt(many.setupSeconds, 1)} s`);
  console.log(`  (the agents run ${AGENTS_PER_WORKER} to a worker thread, sharing this machine's cores and disk with each other and the server: `
    + 'their work queues behind one another\'s, which a classroom of laptops does not do)');
  printProblems(`the agents (${AGENTS})`, many.problems);
  printProblems('the agent (1)', one.problems);
}

// ---------------------------------------------------------------- backlog drain

const SERVICES = ['tiktok', 'instagram', 'snapchat', 'youtube', 'whatsapp'] as const;
const TAMPER = [['clock-jump', 'clock moved back 3 h 12 min'], ['agent-killed', 'the agent was stopped without a shutdown'],
  ['hosts-file-changed', 'hosts file changed outside the agent'], ['proxy-changed', 'system proxy set by another program']] as const;

/**
 * A week of what an agent writes while the server is unreachable, in time
 * order: blocks (coalesced, with counts), enforcement starting and stopping
 * with lessons, exceptions applied, expired and revoked, and some tamper.
 */
function weekOfEvents(count: number, weekStart: number): AppendEventInput[] {
  const random = seededRandom(7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const step = (BACKLOG_DAYS * DAY) / count;
  const events: AppendEventInput[] = [];
  for (let i = 0; i < count; i++) {
    const occurredAt = Math.floor(weekStart + i * step + random() * step * 0.9);
    const hourStart = Math.floor(occurredAt / HOUR) * HOUR;
    const lesson = random() < 0.9 ? { uid: `les-${Math.floor(occurredAt / DAY)}-${new Date(hourStart).getUTCHours()}@zermelo`, start: hourStart } : null;
    const grant = { grantId: `00000000-0000-4000-8000-${String(Math.floor(i / 500)).padStart(12, '0')}`, articles: ['III.A.1'],
      allowed: { categories: ['social' as const], services: [], capture: [] }, lesson };
    const block = { lesson, count: 1 + Math.floor(random() * random() * 60), lastOccurredAt: occurredAt + Math.floor(random() * 5 * MINUTE) };
    const r = random();
    const base = { occurredAt, policyVersion: POLICY_VERSION };
    if (r < 0.36) {
      events.push({ ...base, type: 'app.blocked', payload: { service: pick(SERVICES), category: 'social', os: 'win32', rule: 'social-media-during-lessons', article: 'III.A.1', ...block } });
    } else if (r < 0.66) {
      events.push({ ...base, type: 'site.blocked', payload: { service: pick(SERVICES), category: 'social', rule: 'social-media-during-lessons', article: 'III.A.1', ...block } });
    } else if (r < 0.73) {
      events.push({ ...base, type: 'capture.blocked', payload: { capture: pick(['camera', 'microphone', 'screen'] as const), rule: 'no-recordings-at-school', article: 'III.A.2', ...block } });
    } else if (r < 0.81) {
      events.push({ ...base, type: 'enforcement.started', payload: { reason: pick(['lesson-started', 'agent-started', 'exception-ended']), lesson } });
    } else if (r < 0.89) {
      events.push({ ...base, type: 'enforcement.stopped', payload: { reason: pick(['lesson-ended', 'exception-applied', 'agent-stopping']), lesson } });
    } else if (r < 0.93) {
      events.push({ ...base, type: 'exception.applied', payload: { ...grant, until: occurredAt + 50 * MINUTE } });
    } else if (r < 0.965) {
      events.push({ ...base, type: 'exception.expired', payload: grant });
    } else if (r < 0.97) {
      events.push({ ...base, type: 'exception.revoked', payload: grant });
    } else {
      const [kind, detail] = pick(TAMPER);
      events.push({ ...base, type: 'tamper', payload: { kind, detail } });
    }
  }
  return events;
}

const fileSize = (path: string) => (existsSync(path) ? statSync(path).size : 0);

export async function benchBacklogDrain(): Promise<void> {
  console.log(`sync: draining a ${fmt(BACKLOG_EVENTS)}-event backlog after ${BACKLOG_DAYS} days offline with SyncClient.push() (batches of ${MAX_OUTBOX_BATCH})`);
  const dir = mkdtempSync(join(tmpdir(), 'lesmodus-bench-backlog-'));
  const server = await startServer({ dir, students: 1 });
  let serverProblems: readonly string[] = [];
  const log = agentLog();
  try {
    const dataDir = join(dir, 'agent');
    mkdirSync(dataDir);
    const path = join(dataDir, 'device.db');
    const weekEnd = Date.now();
    const weekStart = weekEnd - BACKLOG_DAYS * DAY;
    // Written quickly (synchronous=NORMAL, no check): what is measured is the drain, not a week of appends.
    const filling = openDeviceStore({ path, now: () => weekEnd }, { synchronous: 'NORMAL', checkOnOpen: false });
    for (const event of weekOfEvents(BACKLOG_EVENTS, weekStart)) filling.appendEvent(event);
    filling.close();
    const storeBytes = fileSize(path) + fileSize(`${path}-wal`);

    // Opened as the agent opens it after the week: synchronous=FULL, quick_check.
    const openStarted = performance.now();
    const raw = openDeviceStore({ path });
    const openMs = performance.now() - openStarted;
    if (raw.outboxSize() !== BACKLOG_EVENTS) throw new Error(`the outbox holds ${raw.outboxSize()} events, expected ${fmt(BACKLOG_EVENTS)}`);
    const batches: DeviceEvent[][] = [];
    for (let afterSeq = 0; ;) {
      const batch = raw.outboxBatch(MAX_OUTBOX_BATCH, afterSeq);
      if (batch.length === 0) break;
      batches.push(batch);
      afterSeq = batch[batch.length - 1]!.seq;
    }

    // The same store, timing its share of the drain.
    let storeMs = 0;
    const timed = <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A): R => {
      const started = performance.now();
      try {
        return fn(...args);
      } finally {
        storeMs += performance.now() - started;
      }
    };
    const store: DeviceStore = { ...raw, outboxBatch: timed(raw.outboxBatch), markSynced: timed(raw.markSynced) };
    const client = new SyncClient({
      config: agentConfig(server.ready), dataDir, store, now: Date.now, log, policyVersion: POLICY_VERSION, wake: () => {},
      facts: async () => ({ hostname: 'laptop-0', serial: null, os: 'win32', agentVersion: '0.1.0', loginName: 'leerling0' }),
    });
    const { deviceId } = await client.enroll();

    // Baseline: the server store ingesting the same batches directly, in this process; once before the drain and once after
    // (the disk is busier after it), the faster counts.
    const direct = async (name: string) => {
      const baseline = await SqliteServerStore.open({ path: join(dir, `${name}.db`) });
      try {
        await baseline.putSchool({ id: SCHOOL_ID, name: 'Bench College', timeZone: 'Europe/Amsterdam' }, weekEnd);
        await baseline.enrollDevice({ id: deviceId, credentialHash: 'x', schoolId: SCHOOL_ID, hostname: 'laptop-0', serial: null, os: 'win32',
          agentVersion: '0.1.0', loginName: null }, weekEnd);
        const started = performance.now();
        let accepted = 0;
        for (const batch of batches) accepted += (await baseline.ingestEvents(deviceId, batch, Date.now())).accepted;
        if (accepted !== BACKLOG_EVENTS) throw new Error(`the baseline stored ${accepted} events, expected ${fmt(BACKLOG_EVENTS)}`);
        return (performance.now() - started) / 1000;
      } finally {
        await baseline.close();
      }
    };
    const directBefore = await direct('baseline-before');

    const drainStarted = performance.now();
    const result = await client.push();
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    const left = raw.outboxSize();
    raw.close();
    const held = await server.ask('event-count', deviceId);
    if (result.synced !== BACKLOG_EVENTS || result.rejected !== 0 || left !== 0 || held !== BACKLOG_EVENTS) {
      throw new Error(`the drain synced ${result.synced}, rejected ${result.rejected}, left ${left} in the outbox; the server holds ${held}`);
    }
    const directAfter = await direct('baseline-after');
    const directSeconds = Math.min(directBefore, directAfter);

    const rate = BACKLOG_EVENTS / drainSeconds;
    const directRate = BACKLOG_EVENTS / directSeconds;
    console.log(`  drain:    ${fmt(drainSeconds, 1)} s = ${fmt(rate)} events/s over ${fmt(batches.length)} requests; the server then held exactly ${fmt(held)} for the device, outbox empty`);
    console.log(`            of which the device store (outboxBatch + markSynced, synchronous=FULL): ${fmt(storeMs / 1000, 1)} s`);
    console.log(`  baseline: the server store ingesting the same batches directly (no HTTP, no device store): ${fmt(directSeconds, 1)} s = ${fmt(directRate)} events/s `
      + `(${fmt(directBefore, 1)} s before the drain, ${fmt(directAfter, 1)} s after); `
      + `HTTP + device store cost ${fmt(drainSeconds / directSeconds, 1)}×`);
    console.log(`  device store: ${fmt(storeBytes / 1e6, 1)} MB for ${fmt(BACKLOG_EVENTS)} events (${fmt(storeBytes / BACKLOG_EVENTS)} bytes each); opened with quick_check in ${fmt(openMs)} ms`);
  } finally {
    serverProblems = await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  printProblems('the server', serverProblems);
  printProblems('the agent', log.problems);
}

/** Run alone: node test/bench/sync.bench.ts */
if (isMainThread && process.argv[2] !== SERVER_ROLE && import.meta.url === `file://${process.argv[1]}`) {
  await benchGrantLatency();
  console.log();
  await benchBacklogDrain();
}
