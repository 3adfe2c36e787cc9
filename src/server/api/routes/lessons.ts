import { z } from 'zod';
import { schoolYearOf } from '../../../core/policy/consent.ts';
import { addDays, formatLocalDate, instantToLocal, localToInstant, parseLocalDate } from '../../../core/time/zoned.ts';
import { conflict, forbidden, notFound } from '../../http/http-error.ts';
import { CODE_PERIOD_MS, unlockCodeFor } from '../../services/unlock-codes.ts';
import { USER_ROLES } from '../../store/index.ts';
import { policyRegisters } from '../consent.ts';
import type { ApiContext } from '../context.ts';
import { teaches } from '../grants/authority.ts';
import { defineRoute, users, type AnyRoute } from '../route.ts';
import { oneSchool } from '../school-scope.ts';
import { DateParam, InstantParam, Key } from '../schemas/common.ts';
import { LessonDaySchema } from '../schemas/lessons.ts';
import { TeacherCode } from '../schemas/people.ts';

/** The timetable as the portal shows it: one school day of lessons. */

const lessonsOfDay = defineRoute({
  method: 'GET',
  path: '/api/v1/lessons',
  tag: 'timetable',
  summary: "One day's lessons: a teacher's own (\"my lessons today\"), or a leader's pick by teacher or group; each with how many of its "
    + 'students lack each consent register (art. III.B.9) for the school year (counts only).',
  description: 'The day is counted in the school\'s time zone; without `date` it is today. Teachers always get their own lessons.',
  access: users(...USER_ROLES),
  query: z.strictObject({ date: DateParam.optional(), school: Key.optional(), teacher: TeacherCode.optional(), group: Key.optional() }),
  reply: { kind: 'json', status: 200, schema: LessonDaySchema, description: 'The lessons, by start.' },
  async handle({ principal, query, scope }, api) {
    const { user } = principal;
    const school = await oneSchool(api, user, query.school);
    let teacher = query.teacher ?? null;
    if (user.role === 'teacher') {
      if (teacher !== null && teacher.toUpperCase() !== user.teacherCode?.toUpperCase()) throw forbidden('A teacher sees their own lessons only.');
      teacher = user.teacherCode;
    }
    const day = query.date === undefined ? instantToLocal(scope.now, school.timeZone) : parseLocalDate(query.date)!;
    const date = { year: day.year, month: day.month, day: day.day };
    const from = localToInstant(date, school.timeZone);
    const to = localToInstant(addDays(date, 1), school.timeZone);
    const all = await api.store.lessons(school.id, { from, to, ...(query.group ? { groupCode: query.group } : {}) });
    const lessons = teacher === null ? all : all.filter((l) => teaches(teacher, l));
    const schoolYear = schoolYearOf(from, school.timeZone).label;
    const without = await withoutConsentPerLesson(api, school.id, lessons, schoolYear);
    return {
      date: formatLocalDate(date),
      now: scope.now,
      schoolId: school.id,
      timeZone: school.timeZone,
      schoolYear,
      lessons: lessons.map((lesson, index) => ({ ...lesson, studentsWithoutConsent: without[index]! })),
    };
  },
});

/** For each lesson, per register the policy names: how many students of its groups lack a consent for the school year (art. III.B.9). */
async function withoutConsentPerLesson(
  api: ApiContext, schoolId: string, lessons: readonly { readonly groups: readonly string[] }[], schoolYear: string,
): Promise<Record<string, number>[]> {
  const members = new Map<string, string[]>();
  for (const group of new Set(lessons.flatMap((l) => l.groups))) {
    members.set(group, (await api.store.studentsInGroup(schoolId, group)).map((s) => s.id));
  }
  const studentsOf = lessons.map((l) => new Set(l.groups.flatMap((g) => members.get(g) ?? [])));
  const everyone = [...new Set(studentsOf.flatMap((s) => [...s]))];
  const counts: Record<string, number>[] = lessons.map(() => ({}));
  for (const { register } of policyRegisters(api)) {
    const without = new Set(everyone.length === 0 ? [] : await api.store.studentsWithoutConsent(schoolId, everyone, register, schoolYear));
    studentsOf.forEach((students, index) => {
      counts[index]![register] = [...students].filter((id) => without.has(id)).length;
    });
  }
  return counts;
}

const unlockCode = defineRoute({
  method: 'GET',
  path: '/api/v1/unlock-code',
  tag: 'timetable',
  summary: "The code a teacher gives at a student's laptop to unlock for this lesson (instead of their password): six digits, for the lesson in progress, "
    + `valid ${CODE_PERIOD_MS / 60_000} minutes; it cannot log in.`,
  description: 'A teacher gets codes for lessons they teach, a leader for any lesson of their school. 409 when the lesson is not in progress.',
  access: users('teacher', 'leader'),
  query: z.strictObject({ lessonUid: z.string().min(1).max(512), lessonStart: InstantParam, school: Key.optional() }),
  reply: { kind: 'json', status: 200, schema: z.object({ code: z.string().regex(/^\d{6}$/), validUntil: z.number().int() }), description: 'The code and until when it is shown.' },
  async handle({ principal, query, scope }, api) {
    const { user } = principal;
    const school = await oneSchool(api, user, query.school);
    const lesson = await api.store.lesson(school.id, query.lessonUid, query.lessonStart);
    if (lesson === null) throw notFound(`There is no lesson ${query.lessonUid} at that start at school "${school.id}".`);
    if (user.role === 'teacher' && !teaches(user.teacherCode, lesson)) throw forbidden('A teacher gets codes for the lessons they teach.');
    if (lesson.cancelled || scope.now < lesson.start || scope.now >= lesson.end) throw conflict('A code is for a lesson in progress.');
    return unlockCodeFor(api.signer.codeKey, lesson, user.username, scope.now);
  },
});

export const lessonRoutes: readonly AnyRoute[] = [lessonsOfDay, unlockCode];
