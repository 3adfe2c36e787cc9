import { formatLocalDate, formatLocalTime, instantToLocal, offsetAt, pad2 } from '../../core/time/zoned.ts';
import type { ExceptionLogRow } from '../store/index.ts';

/**
 * The exception log as CSV (RFC 4180: CRLF, every field quoted), the shape
 * the leader's export and `lesmodus server export` write. Times are the
 * school's wall-clock time with its offset, as a leader reads them, and still
 * exact.
 */

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

export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export function csvHeader(): string {
  return csvLine(CSV_COLUMNS);
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

export function csvRow(row: ExceptionLogRow, zone: string): string {
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
