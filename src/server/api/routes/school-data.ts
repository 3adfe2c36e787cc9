import { z } from 'zod';
import { ROSTER_FORMATS } from '../../app/roster-import.ts';
import { feedStatus, FeedRunSchema, FeedStatusSchema } from '../../app/timetable-feed-status.ts';
import { notFound } from '../../http/http-error.ts';
import { importDeviceExport } from '../../services/devices.ts';
import { importRoster } from '../../services/roster.ts';
import { servicesOf } from '../context.ts';
import { defineRoute, users, type AnyRoute } from '../route.ts';
import { oneSchool } from '../school-scope.ts';
import { Key } from '../schemas/common.ts';

/**
 * The school's own data from the systems it has, for the admin page: the
 * student export of Magister or Somtoday as the roster, the MDM's device
 * export as device rules, and the timetable feed's last refresh. The CSV is
 * sent as text in JSON; a dry run previews, an import stores (all or nothing).
 */

/** A school's student export is well under a megabyte per thousand students. */
const CSV_BODY_LIMIT = 8 * 1024 * 1024;
const CsvText = z.string().min(1, 'must not be empty').max(CSV_BODY_LIMIT, 'is too large');

/** A bad line, by number (0: the file as a whole), in Dutch and English. */
const LineErrorSchema = z.object({ line: z.number().int(), message: z.object({ nl: z.string(), en: z.string() }) });

/** How many students the preview lists (the counts cover all). */
const PREVIEW_STUDENTS = 25;

const importRosterRoute = defineRoute({
  method: 'POST',
  path: '/api/v1/roster/import',
  tag: 'roster',
  summary: "Imports the student export of Magister or Somtoday (CSV text) as the school's roster, or previews it (dryRun).",
  description: 'Columns by header (Stamnr or Leerlingnummer, Roepnaam, Tussenvoegsel, Achternaam, Klas, Lesgroep(en), Gebruikersnaam or E-mail), '
    + '`;` or `,` separated, UTF-8 with or without BOM. The result is what PUT /api/v1/roster sets: students created or updated, groups replaced. '
    + 'All or nothing: with any bad line, `ok` is false, `errors` names each line (nl and en) and nothing is stored. Audited.',
  access: users('admin'),
  body: z.strictObject({
    schoolId: Key.optional(),
    format: z.enum(ROSTER_FORMATS).default('auto'),
    dryRun: z.boolean().default(false),
    csv: CsvText,
  }),
  bodyLimit: CSV_BODY_LIMIT + 64 * 1024,
  reply: {
    kind: 'json', status: 200, description: 'The preview or result; `stored` says whether the roster was stored.',
    schema: z.object({
      ok: z.boolean(),
      stored: z.boolean(),
      source: z.enum(['magister', 'somtoday']).nullable(),
      lines: z.number().int(),
      errors: z.array(LineErrorSchema),
      students: z.number().int(),
      groups: z.number().int(),
      changes: z.object({
        newStudents: z.number().int(), changedStudents: z.number().int(), unchangedStudents: z.number().int(),
        groupsAdded: z.array(z.string()), groupsRemoved: z.array(z.string()),
      }).nullable(),
      preview: z.array(z.object({ id: z.string(), name: z.string().nullable(), loginName: z.string().nullable(), groups: z.array(z.string()) })),
    }),
  },
  async handle({ principal, body, scope }, api) {
    const school = await oneSchool(api, principal.user, body.schoolId, 'body.schoolId');
    const result = await importRoster(servicesOf(api), principal.user, school, body.csv, { format: body.format, dryRun: body.dryRun, now: scope.now });
    if (!result.ok) {
      return { ok: false, stored: false, source: result.source, lines: result.lines, errors: [...result.errors], students: 0, groups: 0, changes: null, preview: [] };
    }
    const { students, groups } = result.roster;
    const groupsOf = new Map<string, string[]>();
    for (const group of groups) for (const id of group.studentIds) groupsOf.set(id, [...(groupsOf.get(id) ?? []), group.code]);
    return {
      ok: true, stored: result.stored, source: result.source, lines: result.lines, errors: [],
      students: students.length, groups: groups.length,
      changes: { ...result.changes, groupsAdded: [...result.changes.groupsAdded], groupsRemoved: [...result.changes.groupsRemoved] },
      preview: students.slice(0, PREVIEW_STUDENTS).map((s) => ({ id: s.id, name: s.name, loginName: s.loginName, groups: groupsOf.get(s.id) ?? [] })),
    };
  },
});

const RuleLineSchema = z.object({ line: z.number().int(), message: z.string() });

const importDeviceExportRoute = defineRoute({
  method: 'POST',
  path: '/api/v1/device-rules/import',
  tag: 'devices',
  summary: "Assigns laptops by the MDM's device export (Intune's Devices export, Jamf Pro's computer inventory; CSV text), or previews it (dryRun).",
  description: 'Columns by header: Serial number, Device name / Computer Name, and Primary user UPN (Intune) or Username (Jamf): a student number, '
    + "login name, or a UPN whose part before the @ is the login. The file's serials and names replace the school's serial and hostname rules; "
    + 'its hostname patterns stay. Devices without a user or whose user is no student are left out (`skipped`). All or nothing; audited.',
  access: users('admin'),
  body: z.strictObject({ schoolId: Key.optional(), dryRun: z.boolean().default(false), csv: CsvText }),
  bodyLimit: CSV_BODY_LIMIT + 64 * 1024,
  reply: {
    kind: 'json', status: 200, description: 'The preview or result; `stored` says whether the rules were recorded.',
    schema: z.object({
      ok: z.boolean(), stored: z.boolean(), errors: z.array(RuleLineSchema), skipped: z.array(RuleLineSchema),
      rules: z.array(z.object({ kind: z.enum(['serial', 'hostname']), value: z.string(), studentId: z.string() })), patternsKept: z.number().int(),
    }),
  },
  async handle({ principal, body, scope }, api) {
    const school = await oneSchool(api, principal.user, body.schoolId, 'body.schoolId');
    const result = await importDeviceExport(servicesOf(api), principal.user, school, body.csv, { dryRun: body.dryRun, now: scope.now });
    if (!result.ok) return { ok: false, stored: false, errors: [...result.errors], skipped: [], rules: [], patternsKept: 0 };
    return {
      ok: true, stored: result.stored, errors: [], skipped: [...result.skipped], patternsKept: result.patternsKept,
      rules: result.rules.map((r) => ({ kind: r.kind as 'serial' | 'hostname', value: r.value, studentId: r.studentId ?? '' })),
    };
  },
});

const feedStatusRoute = defineRoute({
  method: 'GET',
  path: '/api/v1/timetable/feed',
  tag: 'timetable',
  summary: "The school's timetable feed on this server: where (without its token), its cron schedule, and the last refresh (time, ok or the error, lessons).",
  access: users('admin', 'leader'),
  query: z.strictObject({ school: Key.optional() }),
  reply: { kind: 'json', status: 200, schema: z.object({ feed: FeedStatusSchema.nullable() }), description: 'The feed, or null when none is configured.' },
  async handle({ principal, query }, api) {
    const school = await oneSchool(api, principal.user, query.school);
    const schedule = api.timetableFeeds.get(school.id);
    return { feed: schedule === undefined ? null : feedStatus(schedule) };
  },
});

const refreshFeedRoute = defineRoute({
  method: 'POST',
  path: '/api/v1/timetable/feed/refresh',
  tag: 'timetable',
  summary: "Refreshes the school's timetable feed now (the URL configured on the server, never one from the request). A failing feed keeps the stored lessons.",
  access: users('admin'),
  body: z.strictObject({ schoolId: Key.optional() }),
  reply: { kind: 'json', status: 200, schema: FeedRunSchema, description: 'The run: ok, or the error; lessons imported.' },
  async handle({ principal, body }, api) {
    const school = await oneSchool(api, principal.user, body.schoolId, 'body.schoolId');
    const schedule = api.timetableFeeds.get(school.id);
    if (schedule === undefined) throw notFound(`No timetable feed is configured for "${school.id}" (start the server with --timetable-feed).`);
    return schedule.runNow();
  },
});

export const schoolDataRoutes: readonly AnyRoute[] = [importRosterRoute, importDeviceExportRoute, feedStatusRoute, refreshFeedRoute];
