import { addDays, instantToLocal, isoWeekday, localToInstant, offsetAt, parseClockTime, parseLocalDate } from '../time/zoned.ts';
import type { Policy } from './schema.ts';

const DAY_MS = 86_400_000;

interface DayBounds {
  /** Null on a day that is not a school day (weekend). */
  readonly hours: { readonly start: number; readonly end: number } | null;
  /** Start of the next local day, so callers can walk forward. */
  readonly nextDay: number;
}

/**
 * School hours as instants, cached per local day: the engine asks this on every
 * decision, and Intl calls are the slowest part of it. Day lengths vary (23 h,
 * 25 h), so every bound is computed from the wall clock, never by adding hours.
 */
export class SchoolDayCalendar {
  readonly #zone: string;
  readonly #weekdays: ReadonlySet<number>;
  readonly #startMinutes: number;
  readonly #endMinutes: number;
  readonly #days = new Map<number, DayBounds>();
  /** When the policy takes effect: midnight of its effective date in its zone. */
  readonly effectiveFrom: number;

  constructor(policy: Policy) {
    this.#zone = policy.timeZone;
    this.#weekdays = new Set(policy.schoolDay.weekdays);
    this.#startMinutes = parseClockTime(policy.schoolDay.start)!;
    this.#endMinutes = parseClockTime(policy.schoolDay.end)!;
    this.effectiveFrom = localToInstant(parseLocalDate(policy.effective)!, this.#zone);
  }

  #dayOf(at: number): DayBounds {
    const key = Math.floor((at + offsetAt(at, this.#zone)) / DAY_MS);
    let bounds = this.#days.get(key);
    if (!bounds) {
      const { year, month, day } = instantToLocal(at, this.#zone);
      const date = { year, month, day };
      const at0 = (minutes: number) =>
        localToInstant({ ...date, hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0 }, this.#zone);
      bounds = {
        hours: this.#weekdays.has(isoWeekday(date)) ? { start: at0(this.#startMinutes), end: at0(this.#endMinutes) } : null,
        nextDay: localToInstant(addDays(date, 1), this.#zone),
      };
      if (this.#days.size > 4096) this.#days.clear();
      this.#days.set(key, bounds);
    }
    return bounds;
  }

  /** Whether `at` falls within school hours, and when that next changes. */
  schoolHoursAt(at: number): { inHours: boolean; until: number } {
    let day = this.#dayOf(at);
    const hours = day.hours;
    if (hours && at >= hours.start && at < hours.end) return { inHours: true, until: hours.end };
    if (hours && at < hours.start) return { inHours: false, until: hours.start };
    // Walk to the next school day; a week always has one (the schema requires a weekday).
    for (let i = 0; i < 8; i++) {
      day = this.#dayOf(day.nextDay);
      if (day.hours) return { inHours: false, until: day.hours.start };
    }
    return { inHours: false, until: Number.POSITIVE_INFINITY };
  }
}

const calendars = new WeakMap<Policy, SchoolDayCalendar>();

export function schoolDayCalendar(policy: Policy): SchoolDayCalendar {
  let calendar = calendars.get(policy);
  if (!calendar) {
    calendar = new SchoolDayCalendar(policy);
    calendars.set(policy, calendar);
  }
  return calendar;
}
