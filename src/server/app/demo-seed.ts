import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import { demoTimetableIcs, loadDemoSchool } from '../../adapters/demo-school.ts';
import { readJsonFile, RESOURCES_DIR } from '../../adapters/resources.ts';
import { CaptureKindSchema, CategorySchema, OsSchema } from '../../core/categories.ts';
import type { DeviceEvent } from '../../core/events/schema.ts';
import { liftsAnything, schoolYearOf } from '../../core/policy/consent.ts';
import type { ConsentInterval } from '../../core/protocol/signed-payloads.ts';
import { addDays, instantToLocal, isoWeekday, localToInstant, parseClockTime, type LocalDate } from '../../core/time/zoned.ts';
import { importIcs } from '../../core/timetable/import-ics.ts';
import type { Lesson } from '../../core/timetable/lesson.ts';
import { parseInput } from '../../core/validation.ts';
import type { ApiContext } from '../api/context.ts';
import { issueGrant } from '../api/grants/issue-grant.ts';
import type { CreateGrantBody } from '../api/schemas/grants.ts';
import { issueDeviceCredential } from '../auth/device-credentials.ts';
import { FAST_SCRYPT_COST, hashPassword } from '../auth/passwords.ts';
import type { User } from '../store/index.ts';

/**
 * The demo school for `npm start`: this week's timetable of the demo class
 * (resources/demo/school.json), its teachers, a leader and an admin, a few
 * laptops with heartbeats (one went silent), the consent register (every
 * student but one gave consent for social media this school year), and exceptions granted through
 * the real grant path, applied by some devices, one revoked. Everything is
 * laid on the week that contains `now`.
 */

const MINUTE = 60_000;
/** Heartbeats are laid this far apart: within the store's contact gap, so a device that was on counts as covering the lesson. */
const DEMO_HEARTBEAT_MS = 4 * MINUTE;

const Person = z.object({ username: z.string(), name: z.string() });
const Allow = z.object({
  categories: z.array(CategorySchema).default([]),
  services: z.array(z.string()).default([]),
  capture: z.array(CaptureKindSchema).default([]),
});
const DemoServerSchema = z.object({
  schoolId: z.string(),
  password: z.string().min(10),
  admin: Person,
  leader: Person,
  teachers: z.array(Person.extend({ code: z.string() })),
  students: z.array(z.object({ id: z.string(), name: z.string(), login: z.string() })),
  /** Art. III.B.9: the register every student has for the current school year, except those `without` (so the demo shows what that means). */
  consent: z.object({
    register: z.string(),
    givenBy: z.enum(['student', 'parent']),
    source: z.string(),
    without: z.array(z.string()).default([]),
  }).optional(),
  devices: z.array(z.object({ login: z.string(), hostname: z.string(), os: OsSchema, agentVersion: z.string(), online: z.boolean() })),
  exceptions: z.array(z.object({
    by: z.string(),
    lesson: z.object({ weekday: z.number().int().min(1).max(7), period: z.string() }).optional(),
    window: z.object({ weekday: z.number().int().min(1).max(7), from: z.string(), to: z.string() }).optional(),
    groups: z.array(z.string()).optional(),
    allow: Allow,
    reason: z.string(),
    appliedBy: z.array(z.string()).default([]),
    revokeAfterMinutes: z.number().int().positive().optional(),
  })),
});
type DemoServer = z.infer<typeof DemoServerSchema>;

export interface DemoLogin {
  readonly username: string;
  readonly role: User['role'];
  readonly name: string;
  readonly teacherCode: string | null;
}

export interface DemoSummary {
  readonly schoolId: string;
  readonly schoolName: string;
  readonly password: string;
  readonly logins: readonly DemoLogin[];
  readonly lessons: number;
  readonly devices: number;
  readonly exceptions: number;
}

export function loadDemoServer(path = `${RESOURCES_DIR}demo/server-demo.json`): DemoServer {
  return parseInput(DemoServerSchema, readJsonFile(path), path);
}

/** The demo student enrolled by no seeded laptop: this computer plays their laptop (src/cli/commands/demo-laptop.ts). */
export function studentWithoutLaptop(demo: DemoServer = loadDemoServer()): DemoServer['students'][number] {
  const taken = new Set(demo.devices.map((d) => d.login));
  const student = demo.students.find((s) => !taken.has(s.login));
  if (student === undefined) throw new Error('demo: every demo student has a laptop already; add a student without one to server-demo.json');
  return student;
}

function at(date: LocalDate, clock: string, zone: string): number {
  const minutes = parseClockTime(clock);
  if (minutes === undefined) throw new Error(`demo: "${clock}" is not a clock time`);
  return localToInstant({ ...date, hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0 }, zone);
}

export async function seedDemo(api: ApiContext, now: number): Promise<DemoSummary> {
  const { store } = api;
  const school = loadDemoSchool();
  const demo = loadDemoServer();
  const zone = school.timeZone;
  const group = school.student.class;
  await store.putSchool({ id: demo.schoolId, name: school.name, timeZone: zone }, now);

  // Throwaway accounts with a published password: the cheap hash cost is fine here, and keeps `npm start` quick.
  const passwordHash = await hashPassword(demo.password, FAST_SCRYPT_COST);
  const people: DemoLogin[] = [
    { username: demo.admin.username, role: 'admin', name: demo.admin.name, teacherCode: null },
    { username: demo.leader.username, role: 'leader', name: demo.leader.name, teacherCode: null },
    ...demo.teachers.map((t) => ({ username: t.username, role: 'teacher' as const, name: t.name, teacherCode: t.code })),
  ];
  const users = new Map<string, User>();
  for (const person of people) {
    users.set(person.username, await store.createUser({
      username: person.username, role: person.role, displayName: person.name, teacherCode: person.teacherCode,
      schoolId: person.role === 'admin' ? null : demo.schoolId, passwordHash,
    }, now));
  }

  await store.putStudents(demo.schoolId, demo.students.map((s) => ({ id: s.id, name: s.name, loginName: s.login })));
  await store.replaceGroups(demo.schoolId, [{ code: group, name: group.toUpperCase(), studentIds: demo.students.map((s) => s.id) }]);
  // Which laptop is whose, as the school's MDM says (a laptop's reported login assigns nothing): the seeded laptops, and this computer as the live one.
  const studentOf = (login: string) => demo.students.find((s) => s.login === login)!.id;
  await store.replaceDeviceRules(demo.schoolId, [
    ...demo.devices.map((d) => ({ kind: 'hostname' as const, value: d.hostname, studentId: studentOf(d.login) })),
    { kind: 'hostname', value: hostname().split('.')[0]!, studentId: studentWithoutLaptop(demo).id },
  ], now);
  const { consent } = demo;
  if (consent !== undefined) {
    const year = schoolYearOf(now, zone);
    await store.recordConsents(demo.schoolId, demo.students.filter((s) => !consent.without.includes(s.id)).map((s) => ({
      studentId: s.id, register: consent.register, schoolYear: year.label, givenBy: consent.givenBy,
      registeredAt: Math.max(year.from, now - 60 * 24 * 60 * MINUTE), source: consent.source,
    })));
  }

  const today = instantToLocal(now, zone);
  const monday = addDays({ year: today.year, month: today.month, day: today.day }, 1 - isoWeekday(today));
  const lessons = importIcs(demoTimetableIcs(school, now), { schoolTimeZone: zone }).lessons;
  await store.replaceLessons(demo.schoolId, { from: localToInstant(monday, zone), to: localToInstant(addDays(monday, 7), zone) }, lessons);

  const devices = new Map<string, { id: string; seq: number }>();
  const weekStart = localToInstant(monday, zone);
  for (const spec of demo.devices) {
    const id = randomUUID();
    const { credentialHash } = issueDeviceCredential(id);
    await store.enrollDevice({ id, credentialHash, schoolId: demo.schoolId, hostname: spec.hostname, serial: `DEMO-${spec.hostname}`, os: spec.os,
      agentVersion: spec.agentVersion, loginName: spec.login }, Math.min(now, weekStart));
    devices.set(spec.login, { id, seq: 0 });
    await layHeartbeats(api, id, lessons, now, spec.online);
  }
  const silent = demo.devices.find((d) => !d.online);
  if (silent !== undefined) {
    await pushEvents(api, devices.get(silent.login)!, [{ type: 'tamper', occurredAt: Math.min(now, weekStart + 9 * 60 * MINUTE),
      payload: { kind: 'agent-killed', detail: 'the agent service was stopped' } }]);
  }

  // What each demo laptop's signed schedule says of consent (art. III.B.9), so the seed never shows a laptop applying what it would hold back.
  const year = schoolYearOf(now, zone);
  const consentsOf = (login: string): ConsentInterval[] | undefined => {
    if (consent === undefined) return undefined;
    const student = demo.students.find((s) => s.login === login);
    return student === undefined || consent.without.includes(student.id) ? [] : [{ register: consent.register, from: year.from, to: year.to }];
  };
  let exceptions = 0;
  for (const spec of demo.exceptions) {
    const issuer = users.get(spec.by);
    if (issuer === undefined) throw new Error(`demo: exception by unknown user "${spec.by}"`);
    const plan = planException(spec, lessons, monday, zone, school.periods);
    if (plan === null) continue;
    const issuedAt = Math.min(now, plan.start - 10 * MINUTE);
    const record = await issueGrant(api, issuer, plan.body, issuedAt);
    exceptions++;
    const { grant } = record;
    const applied = record.startsAt + 30_000;
    if (applied > now) continue;
    const lesson = grant.scope.kind === 'lesson' ? { uid: grant.scope.lessonUid, start: grant.scope.lessonStart } : null;
    const payload = { grantId: grant.id, articles: [...record.articles], allowed: grant.allow, lesson };
    const revokedAt = spec.revokeAfterMinutes === undefined ? null : record.startsAt + spec.revokeAfterMinutes * MINUTE;
    if (revokedAt !== null && revokedAt <= now) await store.revokeGrant(grant.id, { at: revokedAt, by: issuer.username });
    for (const login of spec.appliedBy) {
      const device = devices.get(login);
      if (device === undefined) continue;
      if (!liftsAnything(grant.allow, api.policy, api.catalog, consentsOf(login), applied)) {
        throw new Error(`demo: ${login}'s laptop would not apply "${spec.reason}" (no consent registered, art. III.B.9); remove it from appliedBy`);
      }
      const ended = revokedAt !== null && revokedAt <= now ? { type: 'exception.revoked' as const, occurredAt: revokedAt + 5_000, payload }
        : grant.expiresAt <= now ? { type: 'exception.expired' as const, occurredAt: grant.expiresAt, payload } : null;
      await pushEvents(api, device, [
        { type: 'exception.applied', occurredAt: applied, payload: { ...payload, until: grant.expiresAt } },
        ...(ended === null ? [] : [ended]),
      ]);
    }
  }

  return {
    schoolId: demo.schoolId,
    schoolName: school.name,
    password: demo.password,
    logins: people,
    lessons: lessons.length,
    devices: demo.devices.length,
    exceptions,
  };
}

function planException(
  spec: DemoServer['exceptions'][number],
  lessons: readonly Lesson[],
  monday: LocalDate,
  zone: string,
  periods: Record<string, [string, string]>,
): { body: CreateGrantBody; start: number } | null {
  const allow = { categories: spec.allow.categories, services: spec.allow.services, capture: spec.allow.capture };
  if (spec.lesson !== undefined) {
    const times = periods[spec.lesson.period];
    if (times === undefined) throw new Error(`demo: period ${spec.lesson.period} is not defined`);
    const start = at(addDays(monday, spec.lesson.weekday - 1), times[0], zone);
    const lesson = lessons.find((l) => l.start === start);
    if (lesson === undefined || lesson.cancelled) return null;
    return { start, body: { scope: { kind: 'lesson', lessonUid: lesson.uid, lessonStart: lesson.start }, allow, reason: spec.reason } };
  }
  if (spec.window === undefined || spec.groups === undefined) throw new Error('demo: an exception needs a lesson, or a window with groups');
  const day = addDays(monday, spec.window.weekday - 1);
  const start = at(day, spec.window.from, zone);
  return { start, body: { scope: { kind: 'window', start, end: at(day, spec.window.to, zone) }, audience: { kind: 'groups', groups: spec.groups }, allow, reason: spec.reason } };
}

/** Heartbeats through each lesson that has begun, for a device that was on; a silent one was seen only in the week's first lesson. */
async function layHeartbeats(api: ApiContext, deviceId: string, lessons: readonly Lesson[], now: number, online: boolean): Promise<void> {
  const begun = lessons.filter((l) => l.start <= now);
  for (const lesson of online ? begun : begun.slice(0, 1)) {
    for (let t = lesson.start - MINUTE; t <= Math.min(lesson.end, now); t += DEMO_HEARTBEAT_MS) await api.store.recordDeviceContact(deviceId, t);
  }
  if (online) await api.store.recordDeviceContact(deviceId, now);
}

async function pushEvents(
  api: ApiContext,
  device: { id: string; seq: number },
  events: readonly { type: DeviceEvent['type']; occurredAt: number; payload: unknown }[],
): Promise<void> {
  const batch = events.map((e) => ({ id: randomUUID(), seq: ++device.seq, policyVersion: api.policy.version, ...e })) as DeviceEvent[];
  const result = await api.store.ingestEvents(device.id, batch, Math.max(...events.map((e) => e.occurredAt)));
  if (result.rejected > 0) throw new Error(`demo: events were rejected: ${JSON.stringify(result.outcomes)}`);
}
