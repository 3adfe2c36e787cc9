// Wall-clock time in a named IANA zone, converted to and from instants (epoch ms).
// Only Intl is used: it is pure, ships the tz database with Node, and never
// consults the process's own zone (TZ), so results do not depend on the machine.

export const DEFAULT_TIME_ZONE = 'Europe/Amsterdam';

export interface LocalDate {
  readonly year: number;
  readonly month: number; // 1-12
  readonly day: number; // 1-31
}

export interface LocalDateTime extends LocalDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** True when `zone` is an IANA zone name this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** The canonical spelling of a zone name (e.g. "europe/amsterdam" -> "Europe/Amsterdam"). */
export function canonicalTimeZone(zone: string): string | undefined {
  if (!isValidTimeZone(zone)) return undefined;
  return formatterFor(zone).resolvedOptions().timeZone;
}

/** Wall-clock fields of `instant` in `zone`. */
export function instantToLocal(instant: number, zone: string): LocalDateTime {
  const fields: Record<string, number> = {};
  let bce = false;
  for (const part of formatterFor(zone).formatToParts(instant)) {
    if (part.type === 'era') bce = part.value.startsWith('B');
    else if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const year = fields.year ?? 0;
  return {
    year: bce ? 1 - year : year,
    month: fields.month ?? 1,
    day: fields.day ?? 1,
    hour: fields.hour ?? 0,
    minute: fields.minute ?? 0,
    second: fields.second ?? 0,
  };
}

/** Wall-clock fields as if they were UTC: a zone-free number for arithmetic and comparison. */
export function localToEpochMs(local: LocalDateTime | LocalDate): number {
  const { hour = 0, minute = 0, second = 0 } = local as Partial<LocalDateTime>;
  const date = new Date(0);
  date.setUTCFullYear(local.year, local.month - 1, local.day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

export function epochMsToLocal(ms: number): LocalDateTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

function exactOffset(instant: number, zone: string): number {
  return localToEpochMs(instantToLocal(instant, zone)) - Math.floor(instant / 1000) * 1000;
}

// Offsets change a few times a year, so cache them per UTC day. A day whose
// offset is the same at both ends has no transition in it (zones never change
// twice in one day), so every instant of that day gets the cached value.
const dayOffsets = new Map<string, number | null>();

/** The zone's UTC offset at `instant`, in ms (Amsterdam: +3_600_000 in winter). */
export function offsetAt(instant: number, zone: string): number {
  const day = Math.floor(instant / DAY_MS);
  const key = `${zone}|${day}`;
  let cached = dayOffsets.get(key);
  if (cached === undefined) {
    const atStart = exactOffset(day * DAY_MS, zone);
    const atEnd = exactOffset(day * DAY_MS + DAY_MS - 1000, zone);
    cached = atStart === atEnd ? atStart : null;
    if (dayOffsets.size > 50_000) dayOffsets.clear();
    dayOffsets.set(key, cached);
  }
  return cached ?? exactOffset(instant, zone);
}

/**
 * The instant at which the wall clock in `zone` shows `local`.
 * Follows RFC 5545 §3.3.5: an ambiguous time (the repeated hour in October)
 * is the first occurrence; a time in the spring gap is read with the offset
 * from before the gap, so 02:30 on the last Sunday of March becomes 03:30.
 */
export function localToInstant(local: LocalDateTime | LocalDate, zone: string): number {
  const wall = localToEpochMs(local);
  const before = offsetAt(wall - DAY_MS, zone);
  const after = offsetAt(wall + DAY_MS, zone);
  const early = wall - before;
  const late = wall - after;
  const earlyValid = early + offsetAt(early, zone) === wall;
  const lateValid = late + offsetAt(late, zone) === wall;
  if (earlyValid && lateValid) return Math.min(early, late);
  if (earlyValid) return early;
  if (lateValid) return late;
  return early; // in the gap: offset from before the transition
}

/** True when `local` does not exist in `zone` (skipped by a spring-forward transition). */
export function isInGap(local: LocalDateTime, zone: string): boolean {
  const instant = localToInstant(local, zone);
  return localToEpochMs(instantToLocal(instant, zone)) !== localToEpochMs(local);
}

/** Calendar date arithmetic: never adds 86 400 s, so DST cannot shift a lesson. */
export function addDays<T extends LocalDate>(local: T, days: number): T {
  const moved = epochMsToLocal(localToEpochMs(local) + days * DAY_MS);
  return { ...local, year: moved.year, month: moved.month, day: moved.day };
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(local: LocalDate): number {
  const d = new Date(localToEpochMs(local)).getUTCDay();
  return d === 0 ? 7 : d;
}

/** The instant the local day that contains `instant` starts in `zone`. */
export function startOfLocalDay(instant: number, zone: string): number {
  const { year, month, day } = instantToLocal(instant, zone);
  return localToInstant({ year, month, day }, zone);
}

export function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** "2026-11-23" */
export function formatLocalDate(local: LocalDate): string {
  return `${String(local.year).padStart(4, '0')}-${pad2(local.month)}-${pad2(local.day)}`;
}

/** "08:30" */
export function formatLocalTime(local: LocalDateTime): string {
  return `${pad2(local.hour)}:${pad2(local.minute)}`;
}

/** Parses "YYYY-MM-DD" into a date, or undefined when it is not a real calendar date. */
export function parseLocalDate(text: string): LocalDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const local = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  const roundTrip = epochMsToLocal(localToEpochMs(local));
  if (roundTrip.month !== local.month || roundTrip.day !== local.day) return undefined;
  return local;
}

/** Parses "HH:MM" (24 h) into minutes after midnight. */
export function parseClockTime(text: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/**
 * "2026-12-02 10:45:03+01:00": the wall clock in `zone` with its offset, so a
 * line read by a person shows the time they live in and stays exact.
 */
export function formatLocalStamp(instant: number, zone: string): string {
  const offset = offsetAt(instant, zone) / 60_000;
  const local = instantToLocal(instant, zone);
  const sign = offset < 0 ? '-' : '+';
  const hours = Math.floor(Math.abs(offset) / 60);
  return `${formatLocalDate(local)} ${formatLocalTime(local)}:${pad2(local.second)}${sign}${pad2(hours)}:${pad2(Math.abs(offset) % 60)}`;
}
