import { z } from 'zod';
import { CATEGORIES } from '../../core/categories.ts';
import { EXCEPTION_STATUSES, type ExceptionLogFilter, type User } from '../store/index.ts';
import { schoolFilter } from './school-scope.ts';
import { InstantParam, Key, text } from './schemas/common.ts';
import { TeacherCode } from './schemas/people.ts';

/** The leader's filters on the exception log, shared by the page, the export and the chart. */

export const ExceptionFilterQuery = {
  /** Exceptions that took effect from this instant (or date, school time). */
  from: InstantParam.optional(),
  /** … and before this one. */
  to: InstantParam.optional(),
  school: Key.optional(),
  group: Key.optional(),
  /** The issuing teacher's code. */
  teacher: TeacherCode.optional(),
  /** The issuer's username (a leader's own grants). */
  issuedBy: Key.optional(),
  article: text(64).optional(),
  category: z.enum(CATEGORIES).optional(),
  service: text(64).optional(),
  status: z.enum(EXCEPTION_STATUSES).optional(),
};

type FilterQuery = { [K in keyof typeof ExceptionFilterQuery]?: z.output<(typeof ExceptionFilterQuery)[K]> };

export function exceptionFilter(user: User, query: FilterQuery, now: number): ExceptionLogFilter {
  const school = schoolFilter(user, query.school);
  const entries: [keyof ExceptionLogFilter, unknown][] = [
    ['from', query.from], ['to', query.to], ['schoolId', school], ['groupCode', query.group], ['teacherCode', query.teacher],
    ['issuedBy', query.issuedBy], ['article', query.article], ['category', query.category], ['service', query.service], ['status', query.status],
  ];
  return { at: now, ...Object.fromEntries(entries.filter(([, v]) => v !== undefined)) } as ExceptionLogFilter;
}

/** The filter in words for the audit log ("school=x group=y"), bounded like the audit's detail. */
export function describeFilter(filter: ExceptionLogFilter): string {
  const { at: _at, ...rest } = filter;
  const text = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ');
  return (text === '' ? 'no filter' : text).slice(0, 2_000);
}
