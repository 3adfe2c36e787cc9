import { z } from 'zod';
import { CATEGORIES, type Category } from '../../core/categories.ts';
import type { CatalogIndex } from '../../core/catalog/match.ts';
import type { FieldIssue } from '../../core/events/parse.ts';
import { invalidRequest } from '../http/http-error.ts';
import { EXCEPTION_STATUSES, type ExceptionLogFilter, type User } from '../store/index.ts';
import { schoolFilter } from './school-scope.ts';
import { INSTANT_PARAM_MESSAGE, instantFromQuery, Key, text } from './schemas/common.ts';
import { TeacherCode } from './schemas/people.ts';

/** The leader's filters on the exception log, shared by the page, the export and the chart. */

export const ExceptionFilterQuery = {
  /** Exceptions that took effect from this instant: epoch milliseconds or ISO-8601 (a date alone is its midnight, school time). */
  from: text(64).optional(),
  /** … and before this one; not before `from`. */
  to: text(64).optional(),
  school: Key.optional(),
  group: Key.optional(),
  /** The issuing teacher's code. */
  teacher: TeacherCode.optional(),
  /** The issuer's username (a leader's own grants). */
  issuedBy: Key.optional(),
  article: text(64).optional(),
  /** Exceptions that allowed the category, or one of its services (an exception for TikTok alone is one for social media too). */
  category: z.enum(CATEGORIES).optional(),
  /** A service by its catalog id or its name, in any case ("tiktok", "TikTok"); an exception for its whole category allowed it too. */
  service: text(64).optional(),
  status: z.enum(EXCEPTION_STATUSES).optional(),
};

type FilterQuery = { [K in keyof typeof ExceptionFilterQuery]?: z.output<(typeof ExceptionFilterQuery)[K]> };

/** The catalog as the filter needs it: services by id and name, and which belong to a category. */
export type FilterCatalog = Pick<CatalogIndex, 'servicesIn'>;

const DATE_LABELS = { from: 'Vanaf', to: 'Tot en met' } as const;

/**
 * The store's filter from the query. A date that is no date, or a range that
 * ends before it starts, is refused (400) in words a leader understands, in
 * Dutch for the portal: an empty log would only suggest there was nothing.
 */
export function exceptionFilter(user: User, query: FilterQuery, now: number, catalog: FilterCatalog): ExceptionLogFilter {
  const school = schoolFilter(user, query.school);
  const { from, to } = dateRange(query);
  const service = query.service === undefined ? undefined : serviceOf(query.service, catalog);
  const entries: [keyof ExceptionLogFilter, unknown][] = [
    ['from', from], ['to', to], ['schoolId', school], ['groupCode', query.group], ['teacherCode', query.teacher],
    ['issuedBy', query.issuedBy], ['article', query.article], ['category', query.category],
    ['categoryServices', query.category === undefined ? undefined : catalog.servicesIn([query.category]).map((s) => s.id)],
    ['service', service?.id], ['serviceCategory', service?.category], ['status', query.status],
  ];
  return { at: now, ...Object.fromEntries(entries.filter(([, v]) => v !== undefined)) } as ExceptionLogFilter;
}

function dateRange(query: FilterQuery): { from: number | undefined; to: number | undefined } {
  const issues: FieldIssue[] = [];
  const dutch: string[] = [];
  const read = (field: 'from' | 'to'): number | undefined => {
    const value = query[field];
    if (value === undefined) return undefined;
    const instant = instantFromQuery(value);
    if (instant === undefined) {
      issues.push({ path: `query.${field}`, message: INSTANT_PARAM_MESSAGE });
      dutch.push(`De datum bij ${DATE_LABELS[field]} ("${value.slice(0, 40)}") bestaat niet of is niet te lezen; schrijf hem als jjjj-mm-dd, bijvoorbeeld 2026-12-02.`);
    }
    return instant;
  };
  const from = read('from');
  const to = read('to');
  if (from !== undefined && to !== undefined && to <= from) {
    issues.push({ path: 'query.to', message: 'must be after from (the range ends before it starts)' });
    dutch.push(`De datum bij ${DATE_LABELS.to} ligt vóór die bij ${DATE_LABELS.from}; kies een latere einddatum of draai ze om.`);
  }
  if (issues.length > 0) throw invalidRequest(issues, dutch.join(' '));
  return { from, to };
}

/**
 * A service named by id or name, in any case, with its category; what the
 * catalog does not know is looked for as given (an old grant's id), without one.
 */
function serviceOf(given: string, catalog: FilterCatalog): { id: string; category: Category | undefined } {
  const wanted = given.trim().toLowerCase();
  const found = catalog.servicesIn(CATEGORIES).find((s) => s.id === wanted || s.name.toLowerCase() === wanted);
  return found === undefined ? { id: wanted, category: undefined } : { id: found.id, category: found.category };
}

/** The filter in words for the audit log ("school=x group=y"), bounded like the audit's detail. */
export function describeFilter(filter: ExceptionLogFilter): string {
  // What the catalog adds (a category's services, a service's category) is not the leader's choice: the filter's words say it.
  const { at: _at, categoryServices: _services, serviceCategory: _category, ...rest } = filter;
  const text = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ');
  return (text === '' ? 'no filter' : text).slice(0, 2_000);
}
