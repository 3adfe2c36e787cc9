import { localToInstant } from './zoned.ts';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses an ISO-8601 date-time. With `Z` or an offset it is exact; without one
 * it is wall-clock time in `zone` (never the process's own zone). Returns
 * undefined for anything that is not a real date and time.
 */
export function parseInstant(text: string, zone: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const fraction = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const fields = { year: year!, month: month!, day: day!, hour, minute, second };
  const check = new Date(Date.UTC(fields.year, fields.month - 1, fields.day, hour, minute, second));
  if (check.getUTCMonth() !== fields.month - 1 || check.getUTCDate() !== fields.day || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const offset = m[8];
  if (!offset) return localToInstant(fields, zone) + Math.round(fraction);
  if (offset.toUpperCase() === 'Z') return check.getTime() + Math.round(fraction);
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const offsetMs = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  return check.getTime() - offsetMs + Math.round(fraction);
}
