// RFC 5545 §3.3.10 RRULE values, parsed into the subset a school timetable
// needs. Parts that would change which occurrences exist but are not
// implemented (BYSETPOS, BYHOUR, …) make the whole rule unsupported, because
// ignoring them would invent or drop lessons.

import type { LocalDate } from '../../time/zoned.ts';
import { clip } from '../warnings.ts';
import { parseDate, parseDateTime, type DateTimeText } from './date-values.ts';

export type Frequency = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';

/** `ordinal` 0 means every such weekday; 2 the second, -1 the last (of the month, or of the year for YEARLY without BYMONTH). */
export interface WeekdayRule {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  readonly weekday: number;
  readonly ordinal: number;
}

export type Until = { readonly kind: 'date'; readonly date: LocalDate } | ({ readonly kind: 'date-time' } & DateTimeText);

export interface RecurrenceRule {
  readonly freq: Frequency;
  readonly interval: number;
  readonly count: number | undefined;
  readonly until: Until | undefined;
  readonly byDay: readonly WeekdayRule[];
  readonly byMonthDay: readonly number[];
  readonly byMonth: readonly number[];
  /** ISO weekday the week starts on (WKST), Monday by default. */
  readonly weekStart: number;
}

export type ParsedRule = { readonly rule: RecurrenceRule } | { readonly problem: string };

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const FREQUENCIES: readonly string[] = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'];
const NOT_IMPLEMENTED = new Set(['BYSETPOS', 'BYHOUR', 'BYMINUTE', 'BYSECOND', 'BYYEARDAY', 'BYWEEKNO']);
const BY_DAY = /^([+-]?\d{1,2})?([A-Z]{2})$/;
const INTEGER = /^[+-]?\d{1,9}$/;

/** A strict integer in [min, max], or undefined ("1e9", "5.5" and "" are not integers). */
function integer(text: string, min: number, max: number): number | undefined {
  if (!INTEGER.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

function integerList(text: string, min: number, max: number, allowNegative: boolean): number[] | undefined {
  const out: number[] = [];
  for (const item of text.split(',')) {
    const n = integer(item, allowNegative ? -max : min, max);
    if (n === undefined || n === 0 || (!allowNegative && n < min)) return undefined;
    out.push(n);
  }
  return out;
}

function weekday(code: string): number | undefined {
  const i = WEEKDAYS.indexOf(code);
  return i < 0 ? undefined : i + 1;
}

function byDayList(text: string): WeekdayRule[] | undefined {
  const out: WeekdayRule[] = [];
  for (const item of text.split(',')) {
    const m = BY_DAY.exec(item);
    const day = m ? weekday(m[2]!) : undefined;
    const ordinal = m?.[1] ? Number(m[1]) : 0;
    if (!m || day === undefined || Math.abs(ordinal) > 53 || (m[1] && ordinal === 0)) return undefined;
    out.push({ weekday: day, ordinal });
  }
  return out;
}

function parseUntil(text: string): Until | undefined {
  const date = parseDate(text);
  if (date) return { kind: 'date', date };
  const dateTime = parseDateTime(text);
  return dateTime ? { kind: 'date-time', ...dateTime } : undefined;
}

export function parseRecurrenceRule(text: string): ParsedRule {
  if (text.length > 1000) return { problem: 'RRULE is too long to be real' };
  const parts = new Map<string, string>();
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toUpperCase();
    if (eq < 0 || parts.has(name)) return { problem: `malformed RRULE part "${clip(part)}"` };
    parts.set(name, part.slice(eq + 1).trim().toUpperCase());
  }

  const freq = parts.get('FREQ');
  if (!freq) return { problem: 'RRULE has no FREQ' };
  if (!FREQUENCIES.includes(freq)) return { problem: `RRULE FREQ=${clip(freq)} is not supported` };
  for (const name of parts.keys()) {
    if (NOT_IMPLEMENTED.has(name)) return { problem: `RRULE ${name} is not supported` };
  }

  const bad = (name: string): ParsedRule => ({ problem: `RRULE ${name}=${clip(parts.get(name) ?? '')} is not valid` });
  const interval = parts.has('INTERVAL') ? integer(parts.get('INTERVAL')!, 1, 10_000) : 1;
  if (interval === undefined) return bad('INTERVAL');
  const count = parts.has('COUNT') ? integer(parts.get('COUNT')!, 1, 999_999_999) : undefined;
  if (parts.has('COUNT') && count === undefined) return bad('COUNT');
  const until = parts.has('UNTIL') ? parseUntil(parts.get('UNTIL')!) : undefined;
  if (parts.has('UNTIL') && !until) return bad('UNTIL');
  const byDay = parts.has('BYDAY') ? byDayList(parts.get('BYDAY')!) : [];
  if (!byDay) return bad('BYDAY');
  if ((freq === 'DAILY' || freq === 'WEEKLY') && byDay.some((d) => d.ordinal !== 0)) {
    return { problem: `RRULE BYDAY with a position (${parts.get('BYDAY')}) is not valid with FREQ=${freq}` };
  }
  const byMonthDay = parts.has('BYMONTHDAY') ? integerList(parts.get('BYMONTHDAY')!, 1, 31, true) : [];
  if (!byMonthDay) return bad('BYMONTHDAY');
  const byMonth = parts.has('BYMONTH') ? integerList(parts.get('BYMONTH')!, 1, 12, false) : [];
  if (!byMonth) return bad('BYMONTH');
  const weekStart = parts.has('WKST') ? weekday(parts.get('WKST')!) : 1;
  if (weekStart === undefined) return bad('WKST');

  return { rule: { freq: freq as Frequency, interval, count, until, byDay, byMonthDay, byMonth, weekStart } };
}
