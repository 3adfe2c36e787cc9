import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Lesson } from '../../src/core/timetable/lesson.ts';
import { issueDeviceCredential } from '../../src/server/auth/device-credentials.ts';
import { FAST_SCRYPT_COST, hashPassword } from '../../src/server/auth/passwords.ts';
import { CSRF_HEADER } from '../../src/server/auth/sessions.ts';
import { PostgresServerStore, type ServerStore } from '../../src/server/store/index.ts';
import { POSTGRES_POOL_SIZE } from '../../src/server/store/postgres/postgres-server-store.ts';
import { dropSchema } from '../helpers/postgres-schema.ts';
import { fmt, verdict } from './measure.ts';
import type { Laptop, LaptopsAsk, LaptopsReply } from './scale/laptops.ts';
import { wallNow } from './scale/laptops.ts';
import { percentile } from './sync/shared.ts';

/**
 * One foundation's server at a busy Monday 08:30 (issue 11): 10,000 laptops
 * holding live streams, a teacher's grant to one group of 30, every laptop
 * pulling its schedule, a day's events ingested. Real `lesmodus server`
 * processes on one PostgreSQL, real HTTP and SSE; the laptops are cheap
 * clients in two child processes (no agent behind each). Everything is
 * measured with all streams on one process, then spread over two, in the
 * same run. SCALE_LAPTOPS changes the count (default 10,000).
 */

const LAPTOPS = Number(process.env.SCALE_LAPTOPS ?? 10_000);
const SCHOOLS = 5;
const GROUP_SIZE = 30;
const GRANT_ROUNDS = 10;
const EVENTS_PER_LAPTOP = 50;
const GRANT_TARGET_P95_MS = 2_000;
const PULL_TARGET_S = 60;
const PASSWORD = 'scale-bench-password';
const POLICY_VERSION = '2025.1';
const MINUTE = 60_000;
const LAPTOP_PROCESSES = 2;

const CLI = fileURLToPath(new URL('../../src/cli/lesmodus.mjs', import.meta.url));
const LAPTOPS_MODULE = fileURLToPath(new URL('./scale/laptops.ts', import.meta.url));

const schoolId = (s: number) => `school-${s}`;
const groupsPerSchool = () => Math.ceil(LAPTOPS / SCHOOLS / GROUP_SIZE);
const teacherOf = (s: number, g: number) => ({ username: `t-${s}-${g}`, code: `T${g}` });

interface Seeded {
  readonly laptops: (Laptop & { readonly school: number; readonly group: number })[];
  readonly lessonOf: (school: number, group: number) => Lesson;
}

/** The foundation: SCHOOLS schools, their students in groups of 30, every group in a lesson now, a laptop per student. */
async function seed(store: ServerStore): Promise<Omit<Seeded, 'laptops'> & { laptops: { deviceId: string; credential: string; school: number; group: number }[] }> {
  const now = Date.now();
  const perSchool = Math.ceil(LAPTOPS / SCHOOLS);
  const start = Math.floor(now / MINUTE) * MINUTE - 10 * MINUTE;
  const lessons = new Map<string, Lesson>();
  const hash = await hashPassword(PASSWORD, FAST_SCRYPT_COST);
  const laptops: { deviceId: string; credential: string; school: number; group: number }[] = [];
  for (let s = 0; s < SCHOOLS; s++) {
    const id = schoolId(s);
    await store.putSchool({ id, name: `School ${s}`, timeZone: 'Europe/Amsterdam' }, now);
    const students = Array.from({ length: perSchool }, (_, n) => ({ id: `s${n}`, name: null, loginName: `l${s}-${n}` }));
    await store.putStudents(id, students);
    const groups = Array.from({ length: groupsPerSchool() }, (_, g) => ({ code: `g${g}`, name: null, studentIds: students.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE).map((x) => x.id) }));
    await store.replaceGroups(id, groups);
    const schoolLessons = groups.map((g, n): Lesson => ({
      uid: `les-${s}-${g.code}`, start, end: start + 2 * 60 * MINUTE, subject: 'ne', groups: [g.code], teachers: [teacherOf(s, n).code], location: null, cancelled: false, online: false,
    }));
    for (const lesson of schoolLessons) lessons.set(`${s}/${lesson.groups[0]}`, lesson);
    await store.replaceLessons(id, { from: start - 86_400_000, to: start + 14 * 86_400_000 }, schoolLessons);
    for (let g = 0; g < Math.min(GRANT_ROUNDS, groups.length); g++) {
      const teacher = teacherOf(s, g);
      await store.createUser({ username: teacher.username, role: 'teacher', displayName: null, teacherCode: teacher.code, schoolId: id, passwordHash: hash }, now);
    }
    for (const [n, student] of students.entries()) {
      // Device ids are UUIDs (the credential names one); made from the numbers so a rerun has the same ones.
      const deviceId = `00000000-0000-4000-8000-${String(s).padStart(4, '0')}${String(n).padStart(8, '0')}`;
      const { credential, credentialHash } = issueDeviceCredential(deviceId);
      await store.enrollDevice({ id: deviceId, credentialHash, schoolId: id, hostname: `laptop-${s}-${n}`, serial: `SN-${s}-${n}`, os: 'win32', agentVersion: '0.1.0', loginName: student.loginName }, now);
      await store.assignDevice(deviceId, { schoolId: id, studentId: student.id }, now);
      laptops.push({ deviceId, credential, school: s, group: Math.floor(n / GROUP_SIZE) });
    }
  }
  return { laptops, lessonOf: (s, g) => lessons.get(`${s}/g${g}`)! };
}

interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
}

async function startServer(dataDir: string, databaseUrl: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI, 'server', '--data-dir', dataDir, '--database-url', databaseUrl, '--port', '0'], {
    env: { ...process.env, LESMODUS_DATABASE_URL: '', LESMODUS_DATA_DIR: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const look = (chunk: Buffer) => {
      if (output.length < 10_000) output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (match) resolve(match[0]);
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}:\n${output}`)));
  });
  return { child, url };
}

/** One child process of cheap laptops, asked over IPC. */
class LaptopProcess {
  readonly child: ChildProcess;
  #next = 1;
  readonly #waiting = new Map<number, (value: unknown) => void>();
  readonly ready: Promise<void>;

  constructor() {
    this.child = fork(LAPTOPS_MODULE, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = new Promise((resolve) => this.#waiting.set(0, () => resolve()));
    this.child.on('message', (reply: LaptopsReply) => {
      this.#waiting.get(reply.id)?.(reply.value);
      this.#waiting.delete(reply.id);
    });
  }

  ask<T>(message: LaptopsAsk): Promise<T> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve as (value: unknown) => void);
      this.child.send({ ...message, id });
    });
  }
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

const openFiles = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

interface Figures {
  readonly connectSeconds: number;
  readonly kibPerStream: number;
  readonly serverRss: string;
  readonly openFiles: string;
  readonly grantP50: number;
  readonly grantP95: number;
  readonly grantMax: number;
  readonly grantMissed: number;
  readonly pullSeconds: number;
  readonly pullP95: number;
  readonly pullFailed: number;
  readonly ingestSeconds: number;
  readonly ingestFailed: number;
}

async function login(url: string, username: string): Promise<{ cookie: string; csrf: string }> {
  const reply = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  if (reply.status !== 200) throw new Error(`login of ${username}: ${reply.status} ${await reply.text()}`);
  return { cookie: reply.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await reply.json()) as { csrfToken: string }).csrfToken };
}

/**
 * One configuration: every laptop streams from `servers` (round robin), then
 * a grant to one group at a time, every laptop's schedule pull, and a day's
 * events. The teacher posts on the first process; with two, half the
 * group's laptops hear of it from the other process, through PostgreSQL.
 */
async function measure(servers: readonly ServerProcess[], clients: readonly LaptopProcess[], seeded: Seeded, round: number, fresh: ReadonlySet<ServerProcess>): Promise<Figures> {
  const laptops = seeded.laptops.map((l, n) => ({ ...l, url: servers[n % servers.length]!.url }));
  const share = (n: number) => laptops.filter((_, i) => i % clients.length === n);
  const rssBefore = servers.map((s) => rssMiB(s.child.pid!));
  const connectStarted = wallNow();
  const opened = await Promise.all(clients.map((c, n) => c.ask<{ opened: number; failed: number; refusals: Record<string, number> }>({ kind: 'connect', laptops: share(n) })));
  const connectSeconds = (wallNow() - connectStarted) / 1000;
  const streams = opened.reduce((sum, o) => sum + o.opened, 0);
  if (streams < laptops.length) throw new Error(`only ${streams} of ${laptops.length} streams opened (refused, by status: ${JSON.stringify(opened.map((o) => o.refusals))})`);
  // Only a process that never held streams before says what one costs: a used one has a heap grown already.
  const rssAfter = servers.map((s) => rssMiB(s.child.pid!));
  const measured = servers.map((s, i) => ({ fresh: fresh.has(s), grew: rssAfter[i]! - rssBefore[i]!, streams: laptops.filter((l) => l.url === s.url).length })).filter((m) => m.fresh);
  const kibPerStream = (measured.reduce((sum, m) => sum + m.grew, 0) * 1024) / measured.reduce((sum, m) => sum + m.streams, 0);

  const latencies: number[] = [];
  let missed = 0;
  for (let r = 0; r < GRANT_ROUNDS; r++) {
    const school = (round + r) % SCHOOLS;
    const g = r % groupsPerSchool();
    const lesson = seeded.lessonOf(school, g);
    const teacher = await login(servers[0]!.url, teacherOf(school, g).username);
    const posted = wallNow();
    const reply = await fetch(`${servers[0]!.url}/api/v1/grants`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: teacher.cookie, [CSRF_HEADER]: teacher.csrf },
      body: JSON.stringify({ scope: { kind: 'lesson', lessonUid: lesson.uid, lessonStart: lesson.start }, allow: { categories: ['social'] }, reason: `Schaalproef ronde ${round} groep ${g}` }),
    });
    if (reply.status !== 201) throw new Error(`grant: ${reply.status} ${await reply.text()}`);
    const grantId = ((await reply.json()) as { id: string }).id;
    const group = laptops.filter((l) => l.school === school && l.group === g).map((l) => l.deviceId);
    const deadline = wallNow() + 10_000;
    let arrived: Record<string, number> = {};
    while (wallNow() < deadline) {
      arrived = Object.assign({}, ...await Promise.all(clients.map((c) => c.ask<Record<string, number>>({ kind: 'received', grantId }))));
      if (group.every((d) => d in arrived)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const device of group) {
      if (device in arrived) latencies.push(arrived[device]! - posted);
      else missed++;
    }
    // Nobody outside the group may get it.
    if (Object.keys(arrived).some((d) => !group.includes(d))) throw new Error('a grant reached a laptop outside its group');
  }
  const rss = servers.map((s) => `${fmt(rssMiB(s.child.pid!), 0)} MiB`).join(' + ');
  const files = servers.map((s) => fmt(openFiles(s.child.pid!))).join(' + ');

  // Monday 08:30: every laptop pulls its schedule, as fast as the server answers (the agents' jitter spreads it over minutes).
  const pulls = await Promise.all(clients.map((c, n) => c.ask<{ seconds: number; latencies: number[]; failed: number }>({ kind: 'pull', laptops: share(n), concurrency: 64 })));
  const ingest = await Promise.all(clients.map((c, n) => c.ask<{ seconds: number; latencies: number[]; failed: number }>({ kind: 'ingest', laptops: share(n), eventsPerLaptop: EVENTS_PER_LAPTOP, concurrency: 32, policyVersion: POLICY_VERSION })));
  await Promise.all(clients.map((c) => c.ask({ kind: 'disconnect' })));
  return {
    connectSeconds, kibPerStream, serverRss: rss, openFiles: files,
    grantP50: percentile(latencies, 50), grantP95: percentile(latencies, 95), grantMax: Math.max(...latencies), grantMissed: missed,
    pullSeconds: Math.max(...pulls.map((p) => p.seconds)), pullP95: percentile(pulls.flatMap((p) => p.latencies), 95), pullFailed: pulls.reduce((s, p) => s + p.failed, 0),
    ingestSeconds: Math.max(...ingest.map((p) => p.seconds)), ingestFailed: ingest.reduce((s, p) => s + p.failed, 0),
  };
}

function report(name: string, f: Figures): void {
  const events = LAPTOPS * EVENTS_PER_LAPTOP;
  console.log(`  ${name}:`);
  console.log(`    ${fmt(LAPTOPS)} streams open in ${fmt(f.connectSeconds, 1)} s; server memory ${f.serverRss} (${fmt(f.kibPerStream, 1)} KiB per stream, measured on a process that held none before); open files ${f.openFiles}`);
  console.log(`    grant to a group of ${GROUP_SIZE} while the rest stream (${GRANT_ROUNDS} groups, ${GRANT_ROUNDS * GROUP_SIZE} deliveries): p50 ${fmt(f.grantP50, 0)} ms, p95 ${fmt(f.grantP95, 0)} ms, max ${fmt(f.grantMax, 0)} ms`
      + `${f.grantMissed > 0 ? `, ${f.grantMissed} MISSED` : ''}; target p95 < ${fmt(GRANT_TARGET_P95_MS)} ms: ${verdict(f.grantP95 < GRANT_TARGET_P95_MS && f.grantMissed === 0)}`);
  console.log(`    every laptop pulls its signed schedule: ${fmt(LAPTOPS)} in ${fmt(f.pullSeconds, 1)} s (${fmt(LAPTOPS / f.pullSeconds)}/s, p95 ${fmt(f.pullP95, 0)} ms${f.pullFailed > 0 ? `, ${f.pullFailed} failed` : ''}); target all within ${PULL_TARGET_S} s: ${verdict(f.pullSeconds <= PULL_TARGET_S && f.pullFailed === 0)}`);
  console.log(`    a day's events, ${fmt(events)} (${EVENTS_PER_LAPTOP} per laptop, one batch each): ${fmt(f.ingestSeconds, 1)} s, ${fmt(events / f.ingestSeconds)} events/s${f.ingestFailed > 0 ? `, ${f.ingestFailed} batches failed` : ''}`);
}

export async function benchScaleLive(): Promise<void> {
  const url = process.env.LESMODUS_TEST_DATABASE_URL;
  console.log(`scale: one foundation, ${fmt(LAPTOPS)} laptops in ${SCHOOLS} schools, on PostgreSQL; laptops are cheap clients in ${LAPTOP_PROCESSES} processes (real HTTP and SSE, no agent behind each)`);
  if (url === undefined) {
    console.log('  skipped: set LESMODUS_TEST_DATABASE_URL (test/server/pg/start-test-postgres.sh prints one)');
    return;
  }
  const schema = `lesmodus_scale_${process.pid}`;
  const databaseUrl = new URL(url);
  databaseUrl.searchParams.set('options', `-c search_path=${schema}`);
  const dir = mkdtempSync(join(tmpdir(), 'lesmodus-scale-'));
  const children: ChildProcess[] = [];
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
    const seedStarted = wallNow();
    const store = await PostgresServerStore.open({ url, schema });
    const seeded = await seed(store);
    await store.close();
    const init = spawn(process.execPath, [CLI, 'server', 'init', '--data-dir', dir, '--database-url', databaseUrl.toString()], { stdio: 'ignore' });
    await once(init, 'exit');
    console.log(`  seeded ${fmt(seeded.laptops.length)} enrolled laptops, ${fmt(SCHOOLS * groupsPerSchool())} groups each in a lesson now, in ${fmt((wallNow() - seedStarted) / 1000, 1)} s`);

    const clients = Array.from({ length: LAPTOP_PROCESSES }, () => new LaptopProcess());
    children.push(...clients.map((c) => c.child));
    await Promise.all(clients.map((c) => c.ready));
    const a = await startServer(dir, databaseUrl.toString());
    const b = await startServer(dir, databaseUrl.toString());
    children.push(a.child, b.child);
    const withUrls = { ...seeded, laptops: seeded.laptops.map((l) => ({ ...l, url: a.url })) };

    report('one server process (baseline)', await measure([a], clients, withUrls, 0, new Set([a])));
    report('two server processes (grant posted on one, half the group streaming from the other)', await measure([a, b], clients, withUrls, 1, new Set([b])));
    const connections = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()');
    const max = await admin.query<{ max_connections: string }>('SHOW max_connections');
    console.log(`  limits: each stream is one socket (one descriptor) in its server process: ulimit -n ≥ streams per process + 1,000. `
      + `PostgreSQL: ${connections.rows[0]!.n} sessions open now of max_connections ${max.rows[0]!.max_connections}; each server process uses a pool of ${POSTGRES_POOL_SIZE} plus 1 listening and up to 2 notifying sessions`);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await admin.end();
    await dropSchema(url, schema);
    rmSync(dir, { recursive: true, force: true });
  }
}
