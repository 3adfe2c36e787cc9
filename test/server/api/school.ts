import type { Lesson } from '../../../src/core/timetable/lesson.ts';
import { FAST_SCRYPT_COST, hashPassword } from '../../../src/server/auth/passwords.ts';
import type { School, ServerStore } from '../../../src/server/store/index.ts';
import { ams, lesson as baseLesson } from '../../helpers/policy.ts';

/** The school the API suite runs against: a leader, two teachers, an admin, three students in two groups, Monday's lessons. */

export const SCHOOL: School = { id: 'svok-college', name: 'SVOK College', timeZone: 'Europe/Amsterdam' };
export const OTHER_SCHOOL: School = { id: 'het-lyceum', name: 'Het Lyceum', timeZone: 'Europe/Amsterdam' };
export const PASSWORD = 'correct horse battery';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Monday 12 January 2026, 08:40: ten minutes into the first period. */
export const NOW = ams('2026-01-12 08:40');

function lesson(uid: string, start: string, end: string, subject: string, group: string, teacher: string, extra: Partial<Lesson> = {}): Lesson {
  return baseLesson({ uid, start: ams(start), end: ams(end), subject, groups: [group], teachers: [teacher], ...extra });
}

/** Jansen (JNS) teaches v4a now; Pieters (PTR) teaches v4b now; Jansen teaches v4b next. */
export const JNS_NOW = lesson('ne-v4a@demo', '2026-01-12 08:30', '2026-01-12 09:20', 'ne', 'v4a', 'JNS');
export const PTR_NOW = lesson('bi-v4b@demo', '2026-01-12 08:30', '2026-01-12 09:20', 'bi', 'v4b', 'PTR');
export const JNS_NEXT = lesson('ne-v4b@demo', '2026-01-12 09:20', '2026-01-12 10:10', 'ne', 'v4b', 'JNS');
export const JNS_CANCELLED = lesson('ne-v4c@demo', '2026-01-12 10:30', '2026-01-12 11:20', 'ne', 'v4a', 'JNS', { cancelled: true });
export const JNS_EARLIER = lesson('ne-v4a-fri@demo', '2026-01-09 08:30', '2026-01-09 09:20', 'ne', 'v4a', 'JNS');
export const LESSONS = [JNS_EARLIER, JNS_NOW, PTR_NOW, JNS_NEXT, JNS_CANCELLED];

export const USERS = {
  admin: { username: 'beheer', role: 'admin', displayName: 'Beheerder', teacherCode: null, schoolId: null },
  leader: { username: 'de-vries', role: 'leader', displayName: 'Mw. De Vries', teacherCode: null, schoolId: SCHOOL.id },
  jansen: { username: 'jansen', role: 'teacher', displayName: 'Dhr. Jansen', teacherCode: 'JNS', schoolId: SCHOOL.id },
  pieters: { username: 'pieters', role: 'teacher', displayName: 'Mw. Pieters', teacherCode: 'PTR', schoolId: SCHOOL.id },
  otherLeader: { username: 'bakker', role: 'leader', displayName: 'Dhr. Bakker', teacherCode: null, schoolId: OTHER_SCHOOL.id },
} as const;

export const STUDENTS = [
  { id: 's1', name: 'Sanne de Vries', loginName: 'sanne' },
  { id: 's2', name: 'Daan Jansen', loginName: 'daan' },
  { id: 's3', name: 'Emma Bakker', loginName: 'emma' },
];

/** The school's device rule in the seed: laptop-<login> is that student's laptop. */
export const LAPTOP_NAMES = { kind: 'hostname-pattern', value: 'laptop-{login}', studentId: null } as const;

let passwordHash: Promise<string> | undefined;

export async function seedSchool(store: ServerStore): Promise<void> {
  passwordHash ??= hashPassword(PASSWORD, FAST_SCRYPT_COST);
  const hash = await passwordHash;
  await store.putSchool(SCHOOL, 1);
  await store.putSchool(OTHER_SCHOOL, 1);
  for (const user of Object.values(USERS)) await store.createUser({ ...user, passwordHash: hash }, 1);
  await store.putStudents(SCHOOL.id, STUDENTS);
  await store.replaceGroups(SCHOOL.id, [
    { code: 'v4a', name: 'V4A', studentIds: ['s1', 's2'] },
    { code: 'v4b', name: 'V4B', studentIds: ['s3'] },
  ]);
  // The school names each laptop after its student's login (the MDM does): how laptops are assigned, never by the login they report.
  await store.replaceDeviceRules(SCHOOL.id, [LAPTOP_NAMES], 1);
  await store.replaceLessons(SCHOOL.id, { from: ams('2026-01-05 00:00'), to: ams('2026-01-19 00:00') }, LESSONS);
}
