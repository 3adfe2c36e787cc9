import { z } from 'zod';
import { DEFAULT_TIME_ZONE } from '../../../core/time/zoned.ts';
import { notFound } from '../../http/http-error.ts';
import { writeChunk } from '../../http/respond.ts';
import { CSV_LANGUAGES, csvHeader, csvRow, exportFileName } from '../exception-csv.ts';
import { describeFilter, ExceptionFilterQuery, exceptionFilter } from '../exception-filter.ts';
import { streamHeaders } from '../pipeline.ts';
import { defineRoute, users, type AnyRoute } from '../route.ts';
import { assertSameSchool } from '../school-scope.ts';
import { IdParams, PageQuery, pageOf } from '../schemas/common.ts';
import { ExceptionDetailSchema, ExceptionPageSchema, WeeklyChartSchema } from '../schemas/grants.ts';
import { grantConsent, studentsReached } from '../consent.ts';
import { grantView } from '../views.ts';

/** The leader's dashboard: the exception log, its export, the weekly chart and one exception's detail. */

const log = defineRoute({
  method: 'GET',
  path: '/api/v1/exceptions',
  tag: 'leader',
  summary: 'The exception log, filtered, newest first, one page at a time.',
  access: users('leader'),
  query: z.strictObject({ ...ExceptionFilterQuery, ...PageQuery }),
  reply: { kind: 'json', status: 200, schema: ExceptionPageSchema, description: 'One page and the total.' },
  async handle({ principal, query, scope }, api) {
    const page = pageOf(query);
    const result = await api.store.exceptionLog(exceptionFilter(principal.user, query, scope.now, api.catalog), page);
    return { rows: [...result.rows], total: result.total, ...page };
  },
});

const exportLog = defineRoute({
  method: 'GET',
  path: '/api/v1/exceptions/export',
  tag: 'leader',
  summary: 'The filtered exception log as a CSV (or JSON) download, streamed; recorded in the audit log.',
  access: users('leader'),
  query: z.strictObject({
    ...ExceptionFilterQuery,
    format: z.enum(['csv', 'json']).default('csv'),
    /** The CSV's language: nl (`;`, Dutch headers and words, for Excel and LibreOffice in Dutch) or en (`,`, field names and ids). */
    lang: z.enum(CSV_LANGUAGES).default('nl'),
  }),
  reply: { kind: 'stream', contentTypes: ['text/csv', 'application/json'], description: 'Every matching exception.' },
  async handle({ principal, query, scope }, api) {
    const filter = exceptionFilter(principal.user, query, scope.now, api.catalog);
    await api.store.recordAudit({ at: scope.now, username: principal.user.username, action: 'export-log',
      subject: { kind: 'exception-log', id: filter.schoolId ?? 'all' }, schoolId: filter.schoolId ?? null, detail: `${query.format} ${describeFilter(filter)}` });
    const zones = new Map((await api.store.schools()).map((s) => [s.id, s.timeZone]));
    const zone = (filter.schoolId === undefined ? undefined : zones.get(filter.schoolId)) ?? DEFAULT_TIME_ZONE;
    const name = exportFileName(filter, zone, query.lang, query.format);
    const csv = query.format === 'csv';
    const serviceName = (id: string) => api.catalog.service(id)?.name;
    scope.res.writeHead(200, streamHeaders(scope, csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8', {
      'content-disposition': `attachment; filename="${name}"`,
    }));
    // A BOM makes Excel read the file as UTF-8 (names with ë, reasons with é).
    await writeChunk(scope.res, csv ? `\uFEFF${csvHeader(query.lang)}` : '[');
    let first = true;
    for await (const row of api.store.exportExceptionLog(filter)) {
      await writeChunk(scope.res, csv ? csvRow(row, { zone: zones.get(row.schoolId) ?? DEFAULT_TIME_ZONE, language: query.lang, serviceName }) : `${first ? '' : ','}\n${JSON.stringify(row)}`);
      first = false;
    }
    scope.res.end(csv ? '' : '\n]\n');
  },
});

const chart = defineRoute({
  method: 'GET',
  path: '/api/v1/exceptions/chart',
  tag: 'leader',
  summary: 'Exceptions per week (Monday, school time) per article, for the chart; the same filters as the log.',
  access: users('leader'),
  query: z.strictObject(ExceptionFilterQuery),
  reply: { kind: 'json', status: 200, schema: WeeklyChartSchema, description: 'Counts per week and article.' },
  async handle({ principal, query, scope }, api) {
    return { weeks: [...await api.store.exceptionsPerWeek(exceptionFilter(principal.user, query, scope.now, api.catalog))] };
  },
});

const detail = defineRoute({
  method: 'GET',
  path: '/api/v1/exceptions/:id',
  tag: 'leader',
  summary: 'One exception: who granted it (role, reason, scope), when each device applied it or saw it end, and whether its student has the consent '
    + 'it needs (art. III.B.9). Recorded in the audit log.',
  access: users('leader'),
  params: IdParams,
  reply: { kind: 'json', status: 200, schema: ExceptionDetailSchema, description: 'The exception and its devices.' },
  async handle({ principal, params, scope }, api) {
    const found = await api.store.exceptionDetail(params.id, scope.now);
    if (found === null) throw notFound(`There is no exception "${params.id}".`);
    assertSameSchool(principal.user, found.record.schoolId, `exception "${params.id}"`);
    await api.store.recordAudit({ at: scope.now, username: principal.user.username, action: 'view-exception',
      subject: { kind: 'exception', id: params.id }, schoolId: found.record.schoolId, detail: `${found.devices.length} devices` });
    const reached = await studentsReached(api, found.record);
    const onDevices = found.devices.flatMap((d) => (d.studentId === null ? [] : [d.studentId]));
    const consent = await grantConsent(api, found.record, [...new Set([...reached, ...onDevices])], scope.now);
    const needed = consent.needs.length > 0;
    const view = grantView(found.record, scope.now);
    return {
      grant: view,
      devicesExpected: found.devicesExpected,
      restoredFromHostname: view.restoredFrom === null ? null : (await api.store.device(view.restoredFrom))?.hostname ?? null,
      consent: {
        registers: [...consent.needs],
        schoolYear: consent.schoolYear,
        studentsWithoutConsent: reached.filter((id) => consent.without.has(id)).length,
      },
      devices: found.devices.map((d) => ({ ...d, consent: !needed ? null : d.studentId !== null && !consent.without.has(d.studentId) })),
    };
  },
});

export const exceptionRoutes: readonly AnyRoute[] = [log, exportLog, chart, detail];
