import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DeviceEvent } from '../../src/core/events/schema.ts';
import { GrantSchema } from '../../src/core/grants/grant.ts';
import type { Lesson } from '../../src/core/timetable/lesson.ts';
import { PostgresServerStore, SqliteServerStore, type ExceptionLogFilter } from '../../src/server/store/index.ts';
import { insertEventRows } from '../../src/server/store/queries/events.ts';
import type { SqlServerStore } from '../../src/server/store/sql-server-store.ts';
import type { SqlValue } from '../../src/server/store/sql.ts';
import { seededRandom } from '../helpers/random.ts';
import { ams } from '../helpers/policy.ts';
import { benchPostgresUrl, fmt, verdict } from './measure.ts';
import { dropSchema } from '../helpers/postgres-schema.ts';

/**
 * The server store with a school year in it, SQLite and PostgreSQL side by
 * side: events ingested per second through ingestEvents in batches of 500
 * (target ≥ 20,000/s on SQLite), and the leader's filtered exception-log
 * query over 1,000,000 stored events (target p95 < 100 ms).
 *
 * PostgreSQL runs when LESMODUS_TEST_DATABASE_URL is set (a schema of its
 * own, dropped afterwards). SQLite runs in the OS temp folder: on tmpfs an
 * fsync is free, so set TMPDIR to a real disk to see what synchronous=FULL costs.
 */

const INGEST_TARGET_PER_S = 20_000;
const QUERY_TARGET_P95_MS = 100;
const TOTAL_EVENTS = 1_000_000;
const BATCH = 500;
/** Batches timed per ingest run: 40 × 500 = 20,000 events, a few seconds of work. */
const INGEST_BATCHES = 40;
/** Rows per statement while loading the million events: one transaction each. */
const LOAD_CHUNK = 10_000;

const SCHOOL_ID = 'bench-college';
const GROUPS = 60;
const GROUP_SIZE = 25;
const WEEKS = 40;
const PERIODS_PER_DAY = 6;
const GRANTS = 6_000;
const FIRST_MONDAY = ams('2025-09-01 08:30');
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const POLICY = '2025.1';

const groupCode = (g: number) => `g${String(g).padStart(2, '0')}`;
const teacherCode = (t: number) => `T${String(t).padStart(2, '0')}`;
const deviceId = (s: number) => `dev-${String(s).padStart(4, '0')}`;

let uuidCounter = 0;
/** Unique, valid UUIDs without the cost of crypto. */
function nextUuid(): string {
  const n = ++uuidCounter;
  return `${(n >>> 0).toString(16).padStart(8, '0')}-0000-4000-8000-${Math.floor(n / 2 ** 32).toString(16).padStart(12, '0')}`;
}

/** Six periods a day, five days, forty weeks, for every group: 72,000 lessons. */
function schoolYear(): Lesson[] {
  const lessons: Lesson[] = [];
  for (let week = 0; week < WEEKS; week++) {
    for (let day = 0; day < 5; day++) {
      for (let period = 0; period < PERIODS_PER_DAY; period++) {
        // Hours, not wall-clock periods: the benchmark needs distinct instants, not a DST-correct timetable.
        const start = FIRST_MONDAY + week * WEEK_MS + day * DAY_MS + period * 3_600_000;
        for (let g = 0; g < GROUPS; g++) {
          lessons.push({ uid: `les-${groupCode(g)}-${start}`, start, end: start + 50 * 60_000, subject: 'ne', groups: [groupCode(g)],
            teachers: [teacherCode((g + period) % 40)], location: null, cancelled: false, online: false });
        }
      }
    }
  }
  return lessons;
}

async function seedSchool(store: SqlServerStore, lessons: readonly Lesson[]): Promise<void> {
  await store.putSchool({ id: SCHOOL_ID, name: 'Bench College', timeZone: 'Europe/Amsterdam' }, FIRST_MONDAY);
  const students = Array.from({ length: GROUPS * GROUP_SIZE }, (_, s) => ({ id: `s${s}`, name: null, loginName: `leerling${s}` }));
  await store.putStudents(SCHOOL_ID, students);
  await store.replaceGroups(SCHOOL_ID, Array.from({ length: GROUPS }, (_, g) => ({
    code: groupCode(g), name: null, studentIds: students.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE).map((s) => s.id),
  })));
  for (let s = 0; s < students.length; s++) {
    await store.enrollDevice({ id: deviceId(s), credentialHash: 'x', schoolId: SCHOOL_ID, hostname: `laptop-${s}`, serial: null, os: 'win32',
      agentVersion: '0.1.0', loginName: `leerling${s}` }, FIRST_MONDAY);
    await store.assignDevice(deviceId(s), { schoolId: SCHOOL_ID, studentId: `s${s}` }, FIRST_MONDAY);
  }
  await store.replaceLessons(SCHOOL_ID, { from: FIRST_MONDAY - DAY_MS, to: FIRST_MONDAY + WEEKS * WEEK_MS }, lessons);
}

const ALLOWS = [
  { allow: { categories: ['social'] }, articles: ['III.A.1'] },
  { allow: { services: ['youtube'] }, articles: ['III.A.1'] },
  { allow: { services: ['instagram', 'tiktok'] }, articles: ['III.A.1'] },
  { allow: { categories: ['camera'], capture: ['camera'] }, articles: ['III.A.3'] },
] as const;

/** Teachers' grants for random lessons through createGrant, a fifth revoked; returns each grant's lesson. */
async function seedGrants(store: SqlServerStore, lessons: readonly Lesson[], random: () => number): Promise<Lesson[]> {
  const granted: Lesson[] = [];
  for (let i = 0; i < GRANTS; i++) {
    const lesson = lessons[Math.floor(random() * lessons.length)]!;
    const kind = ALLOWS[i % ALLOWS.length]!;
    const grant = GrantSchema.parse({
      id: `grant-${i}`, issuedBy: { username: `teacher-${lesson.teachers[0]}`, role: 'teacher', teacherCode: lesson.teachers[0] },
      reason: 'Lesopdracht met sociale media', scope: { kind: 'lesson', lessonUid: lesson.uid, lessonStart: lesson.start },
      allow: kind.allow, issuedAt: lesson.start - 600_000, expiresAt: lesson.end,
    });
    const result = await store.createGrant({ schoolId: SCHOOL_ID, grant, signed: JSON.stringify(grant), articles: [...kind.articles], audience: { kind: 'lesson' } }, grant.issuedAt);
    if (result.status !== 'created') continue;
    granted.push(lesson);
    if (i % 5 === 0) await store.revokeGrant(grant.id, { at: lesson.start + 600_000, by: grant.issuedBy.username });
  }
  return granted;
}

/**
 * A million events as a school year produces them: each grant applied and
 * expired on its group's devices (with acknowledgements), the rest blocks
 * and enforcement changes. Loaded through the store's own bulk insert, in
 * big transactions: generating them through 2,000 ingest calls would
 * measure ingest again, not the query.
 */
async function loadEvents(store: SqlServerStore, granted: readonly Lesson[], random: () => number, total: number): Promise<number> {
  const seqs = new Map<string, number>();
  const nextSeq = (device: string) => {
    const seq = (seqs.get(device) ?? 0) + 1;
    seqs.set(device, seq);
    return seq;
  };
  let rows: SqlValue[][] = [];
  let acks: SqlValue[][] = [];
  let loaded = 0;
  const flush = async () => {
    const chunk = rows;
    const chunkAcks = acks;
    rows = [];
    acks = [];
    await store.driver.transaction(async (tx) => {
      await insertEventRows(tx, chunk);
      await tx.insertSkippingConflicts({ table: 'grant_acks', columns: [{ name: 'grant_id', type: 'text' }, { name: 'device_id', type: 'text' },
        { name: 'applied_at', type: 'bigint' }], conflict: ['grant_id', 'device_id'], returning: 'grant_id' }, chunkAcks);
    });
    loaded += chunk.length;
  };
  const push = async (row: SqlValue[]) => {
    rows.push(row);
    if (rows.length >= LOAD_CHUNK) await flush();
  };

  for (const [i, lesson] of granted.entries()) {
    const grantId = `grant-${i}`;
    const group = Number(lesson.groups[0]!.slice(1));
    const payload = (until: boolean) => JSON.stringify({ grantId, articles: ['III.A.1'], allowed: { categories: ['social'], services: [], capture: [] },
      lesson: { uid: lesson.uid, start: lesson.start }, ...(until ? { until: lesson.end } : {}) });
    for (let s = group * GROUP_SIZE; s < (group + 1) * GROUP_SIZE; s++) {
      const device = deviceId(s);
      const appliedAt = lesson.start + Math.floor(random() * 120_000);
      await push([device, nextUuid(), nextSeq(device), 'exception.applied', appliedAt, appliedAt, POLICY, payload(true), grantId, lesson.uid, lesson.start]);
      await push([device, nextUuid(), nextSeq(device), 'exception.expired', lesson.end, lesson.end, POLICY, payload(false), grantId, lesson.uid, lesson.start]);
      acks.push([grantId, device, appliedAt]);
    }
  }
  const span = WEEKS * WEEK_MS;
  const students = GROUPS * GROUP_SIZE;
  while (loaded + rows.length < total) {
    const device = deviceId(Math.floor(random() * students));
    const at = FIRST_MONDAY + Math.floor(random() * span);
    const blocked = random() < 0.8;
    await push(blocked
      ? [device, nextUuid(), nextSeq(device), 'app.blocked', at, at, POLICY, JSON.stringify({ service: 'tiktok', category: 'social', os: 'win32',
        rule: 'social-media-in-lessons', article: 'III.A.1', lesson: null, count: 1 + Math.floor(random() * 5), lastOccurredAt: at + 1_000 }), null, null, null]
      : [device, nextUuid(), nextSeq(device), 'enforcement.started', at, at, POLICY, JSON.stringify({ reason: 'lesson-started', lesson: null }), null, null, null]);
  }
  if (rows.length > 0) await flush();
  return loaded;
}

/** Realistic dashboard filters: a week, a month, one group, one teacher, an article with a status, a service, deep pages. */
function dashboardFilters(random: () => number): { filter: ExceptionLogFilter; offset: number }[] {
  const at = FIRST_MONDAY + 20 * WEEK_MS;
  const week = () => FIRST_MONDAY + Math.floor(random() * WEEKS) * WEEK_MS - 8 * 3_600_000;
  return Array.from({ length: 40 }, (_, i) => {
    const from = week();
    const filters: ExceptionLogFilter[] = [
      { at, schoolId: SCHOOL_ID, from, to: from + WEEK_MS },
      { at, schoolId: SCHOOL_ID, from, to: from + 4 * WEEK_MS, groupCode: groupCode(Math.floor(random() * GROUPS)) },
      { at, schoolId: SCHOOL_ID, teacherCode: teacherCode(Math.floor(random() * 40)) },
      { at, schoolId: SCHOOL_ID, article: 'III.A.3', status: 'revoked' },
      { at, category: 'social', from, to: from + 4 * WEEK_MS },
      { at, schoolId: SCHOOL_ID, service: 'youtube', status: 'expired' },
      { at, schoolId: SCHOOL_ID },
      { at, schoolId: SCHOOL_ID, status: 'active' },
    ];
    return { filter: filters[i % filters.length]!, offset: i % 8 === 6 ? 2_000 : 0 };
  });
}

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timeEach<T>(items: readonly T[], run: (item: T) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (const item of items) {
    const started = performance.now();
    await run(item);
    samples.push(performance.now() - started);
  }
  return samples;
}

/** Fresh events for devices that already hold a year of them: batches of 500 in seq order, as an outbox sends them. */
async function ingestRate(store: SqlServerStore, firstDevice: number): Promise<number> {
  const batches = Array.from({ length: INGEST_BATCHES }, (_, b): DeviceEvent[] => Array.from({ length: BATCH }, (_, i) => ({
    id: nextUuid(), seq: 1_000_000 + b * BATCH + i, type: 'app.blocked', occurredAt: FIRST_MONDAY + i * 1_000, policyVersion: POLICY,
    payload: { service: 'tiktok', category: 'social', os: 'win32', rule: 'social-media-in-lessons', article: 'III.A.1', lesson: null, count: 1,
      lastOccurredAt: FIRST_MONDAY + i * 1_000 },
  })));
  const started = performance.now();
  let accepted = 0;
  for (const [b, batch] of batches.entries()) accepted += (await store.ingestEvents(deviceId(firstDevice + b), batch, FIRST_MONDAY)).accepted;
  const seconds = (performance.now() - started) / 1000;
  if (accepted !== INGEST_BATCHES * BATCH) throw new Error(`ingest benchmark stored ${accepted} events, expected ${INGEST_BATCHES * BATCH}`);
  return accepted / seconds;
}

interface Figures {
  readonly loadSeconds: number;
  readonly ingestPerSecond: number;
  readonly queryP50: number;
  readonly queryP95: number;
  readonly chartP95: number;
  readonly detailP95: number;
  readonly extra: string;
}

async function measure(open: () => Promise<SqlServerStore>, reopenNormal?: () => Promise<SqlServerStore>, total = TOTAL_EVENTS): Promise<Figures> {
  const random = seededRandom(2026);
  const store = await open();
  try {
    const loadStarted = performance.now();
    const lessons = schoolYear();
    await seedSchool(store, lessons);
    const granted = await seedGrants(store, lessons, random);
    const loaded = await loadEvents(store, granted, random, total);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    if (loaded < total) throw new Error(`loaded only ${loaded} events`);

    const filters = dashboardFilters(random);
    const page = async ({ filter, offset }: { filter: ExceptionLogFilter; offset: number }) => store.exceptionLog(filter, { limit: 50, offset });
    await timeEach(filters.slice(0, 8), page); // warm-up: caches and prepared statements
    const query = [...await timeEach(filters, page), ...await timeEach(filters, page)];
    const chart = await timeEach(filters.slice(0, 16), ({ filter }) => store.exceptionsPerWeek(filter));
    const detail = await timeEach(Array.from({ length: 40 }, () => `grant-${Math.floor(random() * granted.length)}`),
      (id) => store.exceptionDetail(id, FIRST_MONDAY + 20 * WEEK_MS));

    const ingestPerSecond = await ingestRate(store, 0);
    let extra = '';
    if (reopenNormal !== undefined) {
      await store.close();
      const normal = await reopenNormal();
      try {
        extra = `; baseline synchronous=NORMAL ${fmt(await ingestRate(normal, INGEST_BATCHES))} events/s`;
      } finally {
        await normal.close();
      }
    }
    return { loadSeconds, ingestPerSecond, queryP50: percentile(query, 50), queryP95: percentile(query, 95), chartP95: percentile(chart, 95),
      detailP95: percentile(detail, 95), extra };
  } finally {
    await store.close();
  }
}

function report(name: string, f: Figures, ingestTarget: boolean, total = TOTAL_EVENTS): void {
  const held = `${fmt(total / 1_000_000)}M`;
  console.log(`  ${name}:`);
  console.log(`    ingest:       ${fmt(f.ingestPerSecond)} events/s in batches of ${BATCH} into a store holding ${held} events${f.extra}` +
    (ingestTarget ? `; target ≥ ${fmt(INGEST_TARGET_PER_S)}/s: ${verdict(f.ingestPerSecond >= INGEST_TARGET_PER_S)}` : ''));
  console.log(`    log query:    p95 ${fmt(f.queryP95, 1)} ms, p50 ${fmt(f.queryP50, 1)} ms (80 filtered pages of 50 with totals); target p95 < ${QUERY_TARGET_P95_MS} ms: ${verdict(f.queryP95 < QUERY_TARGET_P95_MS)}`);
  console.log(`    weekly chart: p95 ${fmt(f.chartP95, 1)} ms; exception detail (per-device lifecycle from events): p95 ${fmt(f.detailP95, 1)} ms`);
  console.log(`    loading the year (72,000 lessons, ${fmt(GRANTS)} grants through createGrant, ${held} events in bulk): ${fmt(f.loadSeconds, 1)} s`);
}

export async function benchServerStore(): Promise<void> {
  console.log(`server store: a school year (${fmt(GROUPS * GROUP_SIZE)} students and devices, ${fmt(TOTAL_EVENTS)} events), SQLite and PostgreSQL`);
  const dir = mkdtempSync(join(tmpdir(), 'lesmodus-bench-server-'));
  try {
    const path = join(dir, 'server.db');
    const sqlite = await measure(() => SqliteServerStore.open({ path }), () => SqliteServerStore.open({ path, synchronous: 'NORMAL' }));
    report(`SQLite (${tmpdir()}, synchronous=FULL)`, sqlite, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const url = benchPostgresUrl();
  if (url === undefined) return;
  const schema = `lesmodus_bench_${process.pid}`;
  try {
    const figures = await measure(() => PostgresServerStore.open({ url, schema }));
    report('PostgreSQL', figures, false);
  } finally {
    await dropSchema(url, schema);
  }
}

/** The leader's log at a foundation's size (issue 11): 10 million events on PostgreSQL, the figures of benchServerStore at 10×. */
export async function benchLeaderLogAtScale(): Promise<void> {
  const total = Number(process.env.SCALE_EVENTS ?? 10_000_000);
  console.log(`scale: the leader's exception log over ${fmt(total)} events on PostgreSQL (a foundation's year; benchServerStore's school at ${fmt(total / TOTAL_EVENTS)}× the events)`);
  const url = process.env.LESMODUS_TEST_DATABASE_URL;
  if (url === undefined) {
    console.log('  skipped: set LESMODUS_TEST_DATABASE_URL (test/server/pg/start-test-postgres.sh prints one)');
    return;
  }
  const schema = `lesmodus_bench_log_${process.pid}`;
  try {
    report('PostgreSQL', await measure(() => PostgresServerStore.open({ url, schema }), undefined, total), false, total);
  } finally {
    await dropSchema(url, schema);
  }
}
