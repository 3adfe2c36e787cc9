import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { openDeviceStore, type DeviceStore } from '../../../src/agent/store/index.ts';
import { SyncClient } from '../../../src/agent/sync/sync-client.ts';
import { CSRF_HEADER } from '../../../src/server/auth/sessions.ts';
import { fmt, verdict } from '../measure.ts';
import { startServer, type ServerReady } from './server.ts';
import { agentConfig, agentLog, AGENTS, ENROLL_WAVE, GRANT_ROUNDS, GRANT_TARGET_MS, percentile, POLICY_VERSION, printProblems, TEACHER, until, WARMUP_ROUNDS } from './shared.ts';

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
        // What the agent's decision logs once the grant lifts the block; its outbox is how the server learns it was applied.
        raw.appendEvent({ type: 'exception.applied', policyVersion: POLICY_VERSION, payload: {
          grantId: id, articles: ['III.A.1'], allowed: { categories: ['social'], services: [], capture: [] }, lesson: null, until: Date.now() + 3_600_000,
        } });
        agent.client.nudge();
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
