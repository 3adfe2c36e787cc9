import { z } from 'zod';
import { parseLocalDate } from '../../../core/time/zoned.ts';
import { importIcs } from '../../../core/timetable/import-ics.ts';
import { TimetableImportError } from '../../../core/timetable/import-error.ts';
import { servicesOf } from '../context.ts';
import { importSchoolTimetable } from '../../services/timetable.ts';
import { invalidRequest } from '../../http/http-error.ts';
import { defineRoute, users, type AnyRoute } from '../route.ts';
import { oneSchool } from '../school-scope.ts';
import { DateParam, Instant, Key } from '../schemas/common.ts';

/** Uploading a timetable from the admin page (the CLI reads files and URLs; the server never fetches a URL on a web request). */

/** A large school's year as iCalendar is a few MB; JSON escaping adds a little. */
export const TIMETABLE_BODY_LIMIT = 20 * 1024 * 1024;

const upload = defineRoute({
  method: 'POST',
  path: '/api/v1/timetable',
  tag: 'timetable',
  summary: "Imports an iCalendar timetable (Zermelo, Somtoday, Untis, Magister, Outlook) for a school, replacing the lessons of the days it covers.",
  description: 'Give `from`/`to` (school days, inclusive) to replace exactly those days; lessons outside them are left out.',
  access: users('admin'),
  body: z.strictObject({ schoolId: Key.optional(), ics: z.string().min(1).max(TIMETABLE_BODY_LIMIT), from: DateParam.optional(), to: DateParam.optional() }),
  bodyLimit: TIMETABLE_BODY_LIMIT,
  reply: {
    kind: 'json', status: 200, description: 'What was imported.',
    schema: z.object({
      from: Instant, to: Instant, added: z.number().int(), removed: z.number().int(), skipped: z.number().int(),
      warnings: z.array(z.object({ event: z.string().nullable(), message: z.string() })),
    }),
  },
  async handle({ principal, body, scope }, api) {
    const school = await oneSchool(api, principal.user, body.schoolId, 'body.schoolId');
    let timetable;
    try {
      timetable = importIcs(body.ics, { schoolTimeZone: school.timeZone });
    } catch (error) {
      if (error instanceof TimetableImportError) throw invalidRequest([{ path: 'body.ics', message: error.message }]);
      throw error;
    }
    const range = { from: body.from === undefined ? undefined : parseLocalDate(body.from), to: body.to === undefined ? undefined : parseLocalDate(body.to) };
    if (timetable.lessons.length === 0 && (range.from === undefined || range.to === undefined)) {
      throw invalidRequest([{ path: 'body.ics', message: 'has no lessons; give from and to to clear those days on purpose' }]);
    }
    if (body.from !== undefined && body.to !== undefined && body.to < body.from) throw invalidRequest([{ path: 'body.to', message: 'must not be before from' }]);
    const result = await importSchoolTimetable(servicesOf(api), principal.user, school, timetable, range, scope.now, 'upload');
    return { ...result, warnings: [...result.warnings] };
  },
});

export const timetableRoutes: readonly AnyRoute[] = [upload];
