import { formatLocalDate, formatLocalTime, instantToLocal, offsetAt, pad2 } from '../../core/time/zoned.ts';
import type { ExceptionLogFilter, ExceptionLogRow } from '../store/index.ts';

/**
 * The exception log as CSV (RFC 4180: CRLF, every field quoted), the shape
 * the leader's export and `lesmodus server export` write, in two languages:
 *
 * - `nl` (the default for Dutch leaders): `;` between fields, as Excel and
 *   LibreOffice expect under a Dutch locale (where `,` is the decimal
 *   comma), Dutch headers and words, service names, and times as
 *   "2026-01-12 08:30" on the school's clock, which both read as a date.
 * - `en`: `,`, the field names and ids as the API has them, and times as
 *   ISO-8601 with the school's offset: exact, for scripts.
 */

export type CsvLanguage = 'nl' | 'en';
export const CSV_LANGUAGES = ['nl', 'en'] as const;

export const CSV_COLUMNS = [
  'id', 'school', 'status', 'issued_at', 'starts_at', 'expires_at', 'revoked_at', 'revoked_by',
  'issuer', 'issuer_name', 'issuer_role', 'teacher_code', 'reason', 'articles', 'scope', 'lesson_uid', 'lesson_start',
  'groups', 'audience', 'categories', 'services', 'capture', 'devices_applied',
] as const;

/** "2026-01-12T08:30:00+01:00" */
export function localIso(instant: number, zone: string): string {
  const local = instantToLocal(instant, zone);
  const offset = offsetAt(instant, zone) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${formatLocalDate(local)}T${formatLocalTime(local)}:${pad2(local.second)}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/**
 * One quoted field. A reason is free text typed by staff, and a spreadsheet
 * runs a cell that starts with = + - @ (or a tab or CR) as a formula, so such
 * a cell gets a leading apostrophe (OWASP's advice against CSV injection).
 * The check reads the text as a spreadsheet may: NFKC-normalised (a fullwidth
 * ＝ is =) and past invisible formatting and spaces in front, so text stored
 * before reasons were normalised, or from another source (a laptop's
 * hostname, an imported name), is guarded too.
 */
export function csvField(value: string): string {
  const lead = value.normalize('NFKC').replace(/^[\p{Cf}\p{Zs}]+/u, '');
  const safe = /^[=+\-@]/.test(lead) || /^[\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function csvLine(fields: readonly string[], separator: ',' | ';' = ','): string {
  return `${fields.map(csvField).join(separator)}\r\n`;
}

/** The Dutch header, column for column with CSV_COLUMNS. */
const DUTCH_COLUMNS: Record<(typeof CSV_COLUMNS)[number], string> = {
  id: 'Nummer', school: 'School', status: 'Status', issued_at: 'Gegeven op', starts_at: 'Gaat in op', expires_at: 'Loopt af op',
  revoked_at: 'Ingetrokken op', revoked_by: 'Ingetrokken door', issuer: 'Gegeven door (gebruiker)', issuer_name: 'Naam',
  issuer_role: 'Rol', teacher_code: 'Docentcode', reason: 'Reden', articles: 'Artikelen', scope: 'Voor', lesson_uid: 'Les (roostercode)',
  lesson_start: 'Begin van de les', groups: 'Groepen', audience: 'Wie', categories: 'Categorieën', services: 'Apps en sites',
  capture: 'Opnemen in de browser', devices_applied: 'Toegepast op laptops',
};

const DUTCH = {
  status: { scheduled: 'Gepland', active: 'Actief', expired: 'Verlopen', revoked: 'Ingetrokken' } as Record<string, string>,
  role: { teacher: 'Docent', leader: 'Schoolleiding' } as Record<string, string>,
  scope: { lesson: 'Les', window: 'Tijdvak' } as Record<string, string>,
  category: { social: 'Social media', video: 'Video', camera: 'Camera', 'screen-recording': 'Schermopname', 'audio-recording': 'Geluidsopname' } as Record<string, string>,
  capture: { camera: 'Camera', microphone: 'Microfoon', screen: 'Scherm' } as Record<string, string>,
};

export function csvHeader(language: CsvLanguage = 'en'): string {
  return language === 'nl' ? csvLine(CSV_COLUMNS.map((c) => DUTCH_COLUMNS[c]), ';') : csvLine(CSV_COLUMNS);
}

/** What a row needs beyond itself: the school's zone, and (for Dutch) a service's name. */
export interface CsvRowContext {
  readonly zone: string;
  readonly language?: CsvLanguage;
  readonly serviceName?: (id: string) => string | undefined;
}

/** "2026-01-12 08:30": the school's clock, which Excel and LibreOffice read as a date and time. */
function localMinute(instant: number, zone: string): string {
  const local = instantToLocal(instant, zone);
  return `${formatLocalDate(local)} ${formatLocalTime(local)}`;
}

function dutchAudience(row: ExceptionLogRow): string {
  const { audience } = row;
  switch (audience.kind) {
    case 'lesson': return 'de les';
    case 'groups': return `groepen: ${audience.groups.join(', ')}`;
    case 'student': return `leerling: ${audience.studentId}`;
    case 'device': return `laptop: ${audience.deviceId}`;
  }
}

function audienceText(row: ExceptionLogRow): string {
  const { audience } = row;
  switch (audience.kind) {
    case 'lesson': return 'lesson';
    case 'groups': return `groups:${audience.groups.join(' ')}`;
    case 'student': return `student:${audience.studentId}`;
    case 'device': return `device:${audience.deviceId}`;
  }
}

export function csvRow(row: ExceptionLogRow, context: CsvRowContext | string): string {
  const { zone, language = 'en', serviceName } = typeof context === 'string' ? { zone: context } : context;
  if (language === 'nl') return dutchRow(row, zone, serviceName);
  const at = (instant: number | null) => (instant === null ? '' : localIso(instant, zone));
  const lesson = row.scope.kind === 'lesson' ? row.scope : null;
  return csvLine([
    row.id, row.schoolId, row.status, at(row.issuedAt), at(row.startsAt), at(row.expiresAt), at(row.revokedAt), row.revokedBy ?? '',
    row.issuedBy.username, row.issuedBy.name ?? '', row.issuedBy.role, row.issuedBy.teacherCode ?? '', row.reason, row.articles.join(' '),
    row.scope.kind, lesson?.lessonUid ?? '', lesson === null ? '' : at(lesson.lessonStart),
    row.groups.join(' '), audienceText(row), row.allow.categories.join(' '), row.allow.services.join(' '), row.allow.capture.join(' '),
    String(row.devicesApplied),
  ]);
}

function dutchRow(row: ExceptionLogRow, zone: string, serviceName: ((id: string) => string | undefined) | undefined): string {
  const at = (instant: number | null) => (instant === null ? '' : localMinute(instant, zone));
  const words = (map: Record<string, string>, values: readonly string[]) => values.map((v) => map[v] ?? v).join(', ');
  const lesson = row.scope.kind === 'lesson' ? row.scope : null;
  return csvLine([
    row.id, row.schoolId, DUTCH.status[row.status] ?? row.status, at(row.issuedAt), at(row.startsAt), at(row.expiresAt), at(row.revokedAt), row.revokedBy ?? '',
    row.issuedBy.username, row.issuedBy.name ?? '', DUTCH.role[row.issuedBy.role] ?? row.issuedBy.role, row.issuedBy.teacherCode ?? '', row.reason, row.articles.join(', '),
    DUTCH.scope[row.scope.kind] ?? row.scope.kind, lesson?.lessonUid ?? '', lesson === null ? '' : at(lesson.lessonStart),
    row.groups.join(', '), dutchAudience(row), words(DUTCH.category, row.allow.categories),
    row.allow.services.map((id) => serviceName?.(id) ?? id).join(', '), words(DUTCH.capture, row.allow.capture),
    String(row.devicesApplied),
  ], ';');
}

/**
 * The download's file name, saying what is in it: the period and the filter,
 * e.g. "uitzonderingen-2026-12-01-tot-2026-12-05-tiktok-actief.csv". Only
 * letters, digits, dots and dashes: it goes into a header and a file system.
 */
export function exportFileName(filter: ExceptionLogFilter, zone: string, language: CsvLanguage, extension: 'csv' | 'json'): string {
  const day = (instant: number) => formatLocalDate(instantToLocal(instant, zone));
  const nl = language === 'nl';
  const period = filter.from !== undefined || filter.to !== undefined
    ? [filter.from === undefined ? (nl ? 'begin' : 'start') : day(filter.from), nl ? 'tot' : 'to', filter.to === undefined ? day(filter.at) : day(filter.to - 1)]
    : [day(filter.at)];
  const status = filter.status === undefined ? undefined : nl ? DUTCH.status[filter.status] : filter.status;
  const parts = [nl ? 'uitzonderingen' : 'lesmodus-exceptions', ...period, filter.schoolId, filter.groupCode, filter.teacherCode, filter.issuedBy,
    filter.article, filter.category, filter.service, status];
  const slug = parts.filter((p): p is string => p !== undefined && p !== '')
    .map((p) => p.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter((p) => p !== '').join('-');
  return `${slug.slice(0, 180)}.${extension}`;
}
