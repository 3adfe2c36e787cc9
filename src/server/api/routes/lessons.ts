import { z } from 'zod';
import { addDays, formatLocalDate, instantToLocal, localToInstant, parseLocalDate } from '../../../core/time/zoned.ts';
import { forbidden } from '../../http/http-error.ts';
import { USER_ROLES } from '../../store/index.ts';
import { teaches } from '../grants/authority.ts';
import { defineRoute, users, type AnyRoute } from '../route.ts';
import { oneSchool } from '../school-scope.ts';
import { DateParam, Key } from '../schemas/common.ts';
import { LessonDaySchema } from '../schemas/lessons.ts';
import { TeacherCode } from '../schemas/people.ts';

/** The timetable as the portal shows it: one school day of lessons. */

const lessonsOfDay = defineRoute({
  method: 'GET',
  path: '/api/v1/lessons',
  tag: 'timetable',
  summary: "One day's lessons: a teacher's own (\"my lessons today\"), or a leader's pick by teacher or group.",
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
    const lessons = await api.store.lessons(school.id, { from, to, ...(query.group ? { groupCode: query.group } : {}) });
    return {
      date: formatLocalDate(date),
      schoolId: school.id,
      timeZone: school.timeZone,
      lessons: teacher === null ? lessons : lessons.filter((l) => teaches(teacher, l)),
    };
  },
});

export const lessonRoutes: readonly AnyRoute[] = [lessonsOfDay];
