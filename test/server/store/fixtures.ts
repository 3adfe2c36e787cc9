import type { DeviceEvent } from '../../../src/core/events/schema.ts';
import { GrantSchema, type GrantInput } from '../../../src/core/grants/grant.ts';
import type { Lesson } from '../../../src/core/timetable/lesson.ts';
import type { NewDevice, NewGrantRecord, NewUser, School, ServerStore } from '../../../src/server/store/index.ts';
import { ams, lesson as baseLesson } from '../../helpers/policy.ts';

/** Test data for the server store: one school with two groups, four students, their devices and a week of lessons. */

export const SCHOOL: School = { id: 'svok-college', name: 'SVOK College', timeZone: 'Europe/Amsterdam' };
export const OTHER_SCHOOL: School = { id: 'het-lyceum', name: 'Het Lyceum', timeZone: 'Europe/Amsterdam' };

/** Monday 12 January 2026, first period. */
export const MONDAY_0830 = ams('2026-01-12 08:30');
export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const DAY = 24 * HOUR;
export const POLICY_VERSION = '2025.1';

/** UUIDs 00000000-0000-4000-8000-00000000000n (in another "space" per `space`, so two devices' ids never meet by accident). */
export function uuid(n: number, space = 0): string {
  return `${String(space).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export function lesson(overrides: Partial<Lesson> & { start: number }): Lesson {
  return baseLesson({ uid: `les-${overrides.start}`, groups: ['v4a'], ...overrides });
}

export function teacher(username: string, teacherCode: string, schoolId = SCHOOL.id): NewUser {
  return { username, role: 'teacher', displayName: username, teacherCode, schoolId, passwordHash: `hash-of-${username}` };
}

export function leader(username: string, schoolId: string | null = SCHOOL.id): NewUser {
  return { username, role: 'leader', displayName: username, teacherCode: null, schoolId, passwordHash: `hash-of-${username}` };
}

export function device(id: string, overrides: Partial<NewDevice> = {}): NewDevice {
  return {
    id,
    credentialHash: `cred-${id}`,
    schoolId: SCHOOL.id,
    hostname: `laptop-${id}`,
    serial: `SN-${id}`,
    os: 'win32',
    agentVersion: '0.1.0',
    loginName: null,
    ...overrides,
  };
}

/** A teacher's grant for a lesson occurrence, by JNS, allowing social media (III.A.1). */
export function grantFor(id: string, forLesson: Lesson, overrides: Partial<GrantInput> = {}, record: Partial<NewGrantRecord> = {}): NewGrantRecord {
  const grant = GrantSchema.parse({
    id,
    issuedBy: { username: 'jansen', role: 'teacher', teacherCode: 'JNS' },
    reason: 'Project social media in de les',
    scope: { kind: 'lesson', lessonUid: forLesson.uid, lessonStart: forLesson.start },
    allow: { categories: ['social'] },
    issuedAt: forLesson.start - 10 * MINUTE,
    expiresAt: forLesson.end,
    ...overrides,
  });
  return { schoolId: SCHOOL.id, grant, signed: JSON.stringify({ grant, signature: `sig-${id}` }), articles: ['III.A.1'], audience: { kind: 'lesson' }, ...record };
}

/** A leader's grant for a time window, to named groups. */
export function windowGrant(id: string, start: number, end: number, overrides: Partial<GrantInput> = {}, record: Partial<NewGrantRecord> = {}): NewGrantRecord {
  const grant = GrantSchema.parse({
    id,
    issuedBy: { username: 'de-vries', role: 'leader' },
    reason: 'Opnames voor het eindexamenproject',
    scope: { kind: 'window', start, end },
    allow: { categories: ['camera'], capture: ['camera'] },
    issuedAt: start - HOUR,
    expiresAt: end,
    ...overrides,
  });
  return { schoolId: SCHOOL.id, grant, signed: JSON.stringify({ grant, signature: `sig-${id}` }), articles: ['III.A.3'], audience: { kind: 'groups', groups: ['v4b'] }, ...record };
}

export function tamperEvent(n: number, seq: number, occurredAt: number, space = 0): DeviceEvent {
  return { id: uuid(n, space), seq, type: 'tamper', occurredAt, policyVersion: POLICY_VERSION, payload: { kind: 'clock-jump', detail: `event ${n}` } };
}

export function appliedEvent(n: number, seq: number, grantId: string, occurredAt: number, until: number): DeviceEvent {
  return {
    id: uuid(n),
    seq,
    type: 'exception.applied',
    occurredAt,
    policyVersion: POLICY_VERSION,
    payload: { grantId, articles: ['III.A.1'], allowed: { categories: ['social'], services: [], capture: [] }, lesson: null, until },
  };
}

/** Event ids for deviceApplied, apart from the numbers tests give their own events. */
const APPLIED_SPACE = 77;
let appliedEvents = 0;

/** The device logs that the grant took effect for its student at `at` and pushes that event: the one way a laptop reports applying a grant. */
export async function deviceApplied(store: ServerStore, deviceId: string, grantId: string, at: number): Promise<void> {
  appliedEvents += 1;
  await store.ingestEvents(deviceId, [{ ...appliedEvent(appliedEvents, appliedEvents, grantId, at, at + HOUR), id: uuid(appliedEvents, APPLIED_SPACE) }], at);
}

export function expiredEvent(n: number, seq: number, grantId: string, occurredAt: number): DeviceEvent {
  return {
    id: uuid(n),
    seq,
    type: 'exception.expired',
    occurredAt,
    policyVersion: POLICY_VERSION,
    payload: { grantId, articles: ['III.A.1'], allowed: { categories: ['social'], services: [], capture: [] }, lesson: null },
  };
}

/** `count` tamper events numbered from `first`, seq = n. */
export function tamperBatch(first: number, count: number, at = MONDAY_0830, space = 0): DeviceEvent[] {
  return Array.from({ length: count }, (_, i) => tamperEvent(first + i, first + i, at + (first + i) * 1000, space));
}

/** Monday's first two periods: v4a with JNS, then v4b with PTR. */
export const LESSON_V4A = lesson({ uid: 'les-ne-v4a', start: MONDAY_0830, groups: ['v4a'], teachers: ['JNS'] });
export const LESSON_V4B = lesson({ uid: 'les-en-v4b', start: MONDAY_0830 + HOUR, groups: ['v4b'], teachers: ['PTR'], subject: 'en' });

/**
 * The school: teachers jansen (JNS) and pieters (PTR), leader de-vries;
 * students s1, s2 in v4a and s3, s4 in v4b; devices d1…d4, one per student
 * (matched by login name); Monday's two lessons.
 */
export async function seedSchool(store: ServerStore, at = MONDAY_0830 - DAY): Promise<void> {
  await store.putSchool(SCHOOL, at);
  await store.createUser(teacher('jansen', 'JNS'), at);
  await store.createUser(teacher('pieters', 'PTR'), at);
  await store.createUser(leader('de-vries'), at);
  await store.putStudents(SCHOOL.id, [1, 2, 3, 4].map((n) => ({ id: `s${n}`, name: `Student ${n}`, loginName: `leerling${n}` })));
  await store.replaceGroups(SCHOOL.id, [
    { code: 'v4a', name: 'V4 A', studentIds: ['s1', 's2'] },
    { code: 'v4b', name: 'V4 B', studentIds: ['s3', 's4'] },
  ]);
  for (const n of [1, 2, 3, 4]) {
    await store.enrollDevice(device(`d${n}`, { loginName: `leerling${n}` }), at);
    await store.assignDevice(`d${n}`, { schoolId: SCHOOL.id, studentId: `s${n}` }, at);
  }
  await store.replaceLessons(SCHOOL.id, { from: MONDAY_0830 - HOUR, to: MONDAY_0830 + DAY }, [LESSON_V4A, LESSON_V4B]);
}
