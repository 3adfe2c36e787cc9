// Expands an RRULE in wall-clock time: every occurrence keeps DTSTART's local
// time of day, and only then becomes an instant in the event's zone, so a
// Monday 08:30 lesson stays 08:30 on both sides of a DST change.

import { epochMsToLocal, type LocalDate, type LocalDateTime } from '../time/zoned.ts';
import { daysInMonth } from './ics/date-values.ts';
import type { RecurrenceRule, WeekdayRule } from './ics/recurrence-rule.ts';
import { TimetableImportError } from './import-error.ts';
import { wallMs } from './wall-clock.ts';

const DAY_MS = 86_400_000;

/** A rule that finds nothing for this many periods in a row is looking for a date that does not exist (30 February). */
const MAX_PERIODS = 100_000;

/**
 * Work allowed for all expansions of one import together. A feed is allowed a
 * lot of lessons, but not an unbounded amount: a hostile or broken feed must
 * fail fast instead of hanging the device.
 */
export class ExpansionBudget {
  private left: number;

  constructor(steps: number) {
    this.left = steps;
  }

  spend(steps: number): void {
    this.left -= steps;
    if (this.left < 0) {
      throw new TimetableImportError(
        'The timetable feed\'s recurring events expand into more than a million lessons; that is not a school timetable. Ask the rooster software vendor to check the feed\'s recurrence rules (RRULE).',
      );
    }
  }
}

export interface ExpansionLimits {
  /** Occurrences starting at or after this instant are not generated. */
  readonly horizonEnd: number;
  readonly maxOccurrences: number;
  readonly budget: ExpansionBudget;
}

export interface Expansion {
  /** Wall-clock starts, DTSTART first, ascending. */
  readonly starts: LocalDateTime[];
  /** Why expansion ended: the rule itself (COUNT, UNTIL), the horizon, or the occurrence cap. */
  readonly stoppedBy: 'rule' | 'horizon' | 'cap';
}

function dayNumber(date: LocalDate): number {
  return Math.round(wallMs(date) / DAY_MS);
}

function dateOf(day: number): LocalDate {
  const { year, month, day: d } = epochMsToLocal(day * DAY_MS);
  return { year, month, day: d };
}

/** ISO weekday of a day number (day 0, 1 January 1970, was a Thursday). */
function weekdayOf(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** The nth (1-based; negative counts from the end; 0 = all) of the days first, first+7, … up to last. */
function pick(first: number, last: number, ordinal: number): number[] {
  const all: number[] = [];
  for (let d = first; d <= last; d += 7) all.push(d);
  if (ordinal === 0) return all;
  const chosen = ordinal > 0 ? all[ordinal - 1] : all[all.length + ordinal];
  return chosen === undefined ? [] : [chosen];
}

/** Days between `firstDay` and `lastDay` matching BYDAY (with positions counted inside that span). */
function weekdaysIn(firstDay: number, lastDay: number, byDay: readonly WeekdayRule[]): number[] {
  const days: number[] = [];
  for (const rule of byDay) {
    const first = firstDay + ((rule.weekday - weekdayOf(firstDay) + 7) % 7);
    days.push(...pick(first, lastDay, rule.ordinal));
  }
  return days;
}

/** Days of one month for MONTHLY (and YEARLY with BYMONTH or BYMONTHDAY): BYMONTHDAY and BYDAY intersect. */
function daysOfMonth(year: number, month: number, rule: RecurrenceRule, defaultDay: number): number[] {
  const length = daysInMonth(year, month);
  const first = dayNumber({ year, month, day: 1 });
  const byMonthDay = rule.byMonthDay
    .map((d) => (d > 0 ? d : length + d + 1))
    .filter((d) => d >= 1 && d <= length)
    .map((d) => first + d - 1);
  if (rule.byDay.length === 0) {
    if (rule.byMonthDay.length > 0) return byMonthDay;
    return defaultDay <= length ? [first + defaultDay - 1] : [];
  }
  const byDay = weekdaysIn(first, first + length - 1, rule.byDay);
  return rule.byMonthDay.length > 0 ? byDay.filter((d) => byMonthDay.includes(d)) : byDay;
}

function matchesMonthDay(day: number, byMonthDay: readonly number[]): boolean {
  if (byMonthDay.length === 0) return true;
  const { year, month, day: d } = dateOf(day);
  const length = daysInMonth(year, month);
  return byMonthDay.some((n) => n === d || n === d - length - 1);
}

function limitedByMonth(days: number[], byMonth: readonly number[]): number[] {
  return byMonth.length === 0 ? days : days.filter((d) => byMonth.includes(dateOf(d).month));
}

interface Period {
  readonly firstDay: number;
  readonly days: number[];
}

/** The candidate days of the `index`-th period (day, week, month or year) of the rule, unsorted. */
function periodDays(rule: RecurrenceRule, start: LocalDate, index: number): Period {
  const startDay = dayNumber(start);
  const step = index * rule.interval;
  switch (rule.freq) {
    case 'DAILY': {
      const day = startDay + step;
      const ok = (rule.byDay.length === 0 || rule.byDay.some((r) => r.weekday === weekdayOf(day))) && matchesMonthDay(day, rule.byMonthDay);
      return { firstDay: day, days: limitedByMonth(ok ? [day] : [], rule.byMonth) };
    }
    case 'WEEKLY': {
      const firstDay = startDay - ((weekdayOf(startDay) - rule.weekStart + 7) % 7) + 7 * step;
      const weekdays = rule.byDay.length > 0 ? rule.byDay.map((r) => r.weekday) : [weekdayOf(startDay)];
      const days: number[] = [];
      for (let d = firstDay; d < firstDay + 7; d++) {
        if (weekdays.includes(weekdayOf(d)) && matchesMonthDay(d, rule.byMonthDay)) days.push(d);
      }
      return { firstDay, days: limitedByMonth(days, rule.byMonth) };
    }
    case 'MONTHLY': {
      const monthIndex = start.year * 12 + start.month - 1 + step;
      const year = Math.floor(monthIndex / 12);
      const month = (monthIndex % 12) + 1;
      const firstDay = dayNumber({ year, month, day: 1 });
      if (rule.byMonth.length > 0 && !rule.byMonth.includes(month)) return { firstDay, days: [] };
      return { firstDay, days: daysOfMonth(year, month, rule, start.day) };
    }
    case 'YEARLY': {
      const year = start.year + step;
      const firstDay = dayNumber({ year, month: 1, day: 1 });
      if (rule.byDay.length > 0 && rule.byMonth.length === 0 && rule.byMonthDay.length === 0) {
        return { firstDay, days: weekdaysIn(firstDay, dayNumber({ year, month: 12, day: 31 }) , rule.byDay) };
      }
      const months =
        rule.byMonth.length > 0 ? rule.byMonth : rule.byMonthDay.length > 0 ? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] : [start.month];
      return { firstDay, days: months.flatMap((m) => daysOfMonth(year, m, rule, start.day)) };
    }
  }
}

/**
 * Occurrence starts of `rule` from `start` (wall clock in the event's zone;
 * `instantOf` converts wall clock to an instant). DTSTART is always the first
 * occurrence and counts towards COUNT, as RFC 5545 says.
 */
export function expandRule(
  rule: RecurrenceRule,
  start: LocalDateTime,
  instantOf: (local: LocalDateTime) => number,
  limits: ExpansionLimits,
): Expansion {
  const starts: LocalDateTime[] = [start];
  const startDay = dayNumber(start);
  const at = (day: number): LocalDateTime => ({ ...dateOf(day), hour: start.hour, minute: start.minute, second: start.second });

  const until = rule.until;
  const untilWall = until ? wallMs(until.kind === 'date' ? { ...until.date, hour: 23, minute: 59, second: 59 } : until.local) : 0;
  // UNTIL in UTC is an instant; a DATE or floating UNTIL is compared in the event's own wall clock.
  const beyondUntil = (local: LocalDateTime): boolean => {
    if (!until) return false;
    if (until.kind === 'date-time' && until.utc) return instantOf(local) > untilWall;
    return wallMs(local) > untilWall;
  };

  if (rule.count === 1) return { starts, stoppedBy: 'rule' };
  for (let index = 0; index < MAX_PERIODS; index++) {
    limits.budget.spend(1);
    const period = periodDays(rule, start, index);
    const periodStart = at(Math.max(period.firstDay, startDay));
    if (beyondUntil(periodStart)) return { starts, stoppedBy: 'rule' };
    if (instantOf(periodStart) >= limits.horizonEnd) return { starts, stoppedBy: 'horizon' };

    for (const day of [...new Set(period.days)].sort((a, b) => a - b)) {
      if (day <= startDay) continue;
      const local = at(day);
      if (beyondUntil(local)) return { starts, stoppedBy: 'rule' };
      if (instantOf(local) >= limits.horizonEnd) return { starts, stoppedBy: 'horizon' };
      limits.budget.spend(1);
      starts.push(local);
      if (rule.count !== undefined && starts.length >= rule.count) return { starts, stoppedBy: 'rule' };
      if (starts.length >= limits.maxOccurrences) return { starts, stoppedBy: 'cap' };
    }
  }
  return { starts, stoppedBy: 'cap' };
}
