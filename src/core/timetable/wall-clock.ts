// Wall clock <-> instant, tuned for a feed with tens of thousands of times.
// Same results as zoned.ts (which it falls back to near DST changes), but a
// number-keyed cache per zone and local day makes the common case one lookup.

import { localToInstant, offsetAt, type LocalDate, type LocalDateTime } from '../time/zoned.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MAX_CACHED = 20_000;

/**
 * Days from 1970-01-01 to a proleptic Gregorian date, by integer arithmetic
 * (the well-known days-from-civil algorithm): no Date object, no 0–99 year quirk.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Wall-clock fields read as if they were UTC, in ms (same as zoned.ts's localToEpochMs, without a Date per call). */
export function wallMs(local: LocalDateTime | LocalDate): number {
  const { hour = 0, minute = 0, second = 0 } = local as Partial<LocalDateTime>;
  return daysFromCivil(local.year, local.month, local.day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000;
}

interface ZoneCache {
  /** Local day number -> the offset in force all through it, or null when the offset changes that day. */
  readonly steadyOffsets: Map<number, number | null>;
  /** Exact conversions on days with a change (a school day has few distinct lesson times). */
  readonly exact: Map<number, number>;
}

const caches = new Map<string, ZoneCache>();

function cacheFor(zone: string): ZoneCache {
  let cache = caches.get(zone);
  if (!cache) {
    cache = { steadyOffsets: new Map(), exact: new Map() };
    caches.set(zone, cache);
  }
  return cache;
}

function steadyOffset(cache: ZoneCache, zone: string, day: number): number | null {
  let offset = cache.steadyOffsets.get(day);
  if (offset === undefined) {
    // A local day starts at most 14 hours before and ends at most 12 hours
    // after its UTC namesake; a zone never changes offset twice in that span.
    const before = offsetAt(day * DAY_MS - 14 * HOUR_MS, zone);
    const after = offsetAt(day * DAY_MS + DAY_MS + 14 * HOUR_MS, zone);
    offset = before === after ? before : null;
    if (cache.steadyOffsets.size >= MAX_CACHED) cache.steadyOffsets.clear();
    cache.steadyOffsets.set(day, offset);
  }
  return offset;
}

/** The instant `local` shows in `zone`, with RFC 5545's gap and fold rules (see localToInstant). */
export function wallToInstant(local: LocalDateTime | LocalDate, zone: string): number {
  const wall = wallMs(local);
  if (zone === 'UTC') return wall;
  const cache = cacheFor(zone);
  const offset = steadyOffset(cache, zone, Math.floor(wall / DAY_MS));
  if (offset !== null) return wall - offset;
  let instant = cache.exact.get(wall);
  if (instant === undefined) {
    instant = localToInstant(local, zone);
    if (cache.exact.size >= MAX_CACHED) cache.exact.clear();
    cache.exact.set(wall, instant);
  }
  return instant;
}
