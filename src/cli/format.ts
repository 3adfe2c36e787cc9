import { formatLocalDate, formatLocalTime, instantToLocal, isoWeekday } from '../core/time/zoned.ts';

export function iso(instant: number): string {
  return new Date(instant).toISOString();
}

export { lessonJson } from '../core/policy/decision-json.ts';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "Mon 2026-11-23 08:30" in `zone`. */
export function localStamp(instant: number, zone: string): string {
  const local = instantToLocal(instant, zone);
  return `${WEEKDAYS[isoWeekday(local) - 1]} ${formatLocalDate(local)} ${formatLocalTime(local)}`;
}

export function localTime(instant: number, zone: string): string {
  return formatLocalTime(instantToLocal(instant, zone));
}

/** A plain text table: columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
