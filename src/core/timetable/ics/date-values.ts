// RFC 5545 §3.3: DATE, DATE-TIME, DURATION and UTC-OFFSET values, as text.
// Which zone a DATE-TIME belongs to is decided elsewhere (TZID, Z or floating).

import type { LocalDate, LocalDateTime } from '../../time/zoned.ts';

/** Longer values are never valid dates or durations; refusing them early keeps hostile input cheap. */
const MAX_VALUE_LENGTH = 40;

export interface DateTimeText {
  readonly local: LocalDateTime;
  /** True for the "Z" form. */
  readonly utc: boolean;
}

const DURATION = /^([+-])?P(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,6})S)?)?$/i;
const UTC_OFFSET = /^([+-])(\d{2})(\d{2})(\d{2})?$/;

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function validDate(year: number, month: number, day: number): boolean {
  return year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** The number written by the two digits at `at`, or NaN. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const ones = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : Number.NaN;
}

/** "20261104" */
export function parseDate(text: string): LocalDate | undefined {
  if (text.length !== 8) return undefined;
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 4);
  const day = twoDigits(text, 6);
  return validDate(year, month, day) ? { year, month, day } : undefined;
}

/**
 * "20261012T083000" or "20261012T063000Z". A leap second (60) is read as 59.
 * Read digit by digit: a feed has a few hundred thousand of these.
 */
export function parseDateTime(text: string): DateTimeText | undefined {
  const utc = text.length === 16 && (text[15] === 'Z' || text[15] === 'z');
  if ((text.length !== 15 && !utc) || (text[8] !== 'T' && text[8] !== 't')) return undefined;
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 4);
  const day = twoDigits(text, 6);
  const hour = twoDigits(text, 9);
  const minute = twoDigits(text, 11);
  const second = twoDigits(text, 13);
  // NaN fails every comparison, so a non-digit anywhere ends up here too.
  if (!(hour <= 23 && minute <= 59 && second <= 60) || !validDate(year, month, day)) return undefined;
  return { local: { year, month, day, hour, minute, second: Math.min(second, 59) }, utc };
}

/**
 * A DURATION split into calendar days (weeks count as 7) and exact
 * milliseconds: RFC 5545 says days are nominal (a day across a DST change is
 * still "the same time tomorrow") while hours, minutes and seconds are exact.
 */
export interface Duration {
  readonly days: number;
  readonly ms: number;
}

export function parseDuration(text: string): Duration | undefined {
  const m = text.length <= MAX_VALUE_LENGTH ? DURATION.exec(text) : null;
  if (!m || text.toUpperCase().endsWith('T') || /^[+-]?P$/i.test(text)) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  const n = (i: number): number => Number(m[i] ?? 0);
  return { days: sign * (n(2) * 7 + n(3)), ms: sign * ((n(4) * 60 + n(5)) * 60 + n(6)) * 1000 };
}

/** "+0100", "-0500", "+053000" as milliseconds east of UTC. */
export function parseUtcOffset(text: string): number | undefined {
  const m = UTC_OFFSET.exec(text.trim());
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  return sign * ((Number(m[2]) * 60 + Number(m[3])) * 60 + Number(m[4] ?? 0)) * 1000;
}
