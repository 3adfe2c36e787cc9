// Which IANA zone a calendar's TZIDs and floating times mean. A VTIMEZONE's
// own transition rules are never replayed: Intl has the real rules, and a
// VTIMEZONE only helps to name the zone (X-LIC-LOCATION) or to confirm that an
// unnamed zone is the school's.

import { yearOffsets, resolveZoneName } from '../time/zones.ts';
import { property, type Component } from './ics/components.ts';
import { unescapeText } from './ics/content-lines.ts';
import { parseUtcOffset } from './ics/date-values.ts';
import { clip, type WarningLog } from './warnings.ts';

export interface ZoneContext {
  /** The IANA zone for a TZID parameter, or undefined when it cannot be placed without guessing. */
  zoneFor(tzid: string, referenceYear: number): string | undefined;
  /** The zone of floating times (no Z, no TZID): X-WR-TIMEZONE when valid, else the school's. */
  floatingZone(referenceYear: number): string;
}

interface DeclaredZone {
  readonly location: string | undefined;
  readonly standard: number | undefined;
  readonly daylight: number | undefined;
}

/** The offset (TZOFFSETTO) of the most recent STANDARD or DAYLIGHT rule: older rules are history. */
function latestOffset(vtimezone: Component, kind: 'STANDARD' | 'DAYLIGHT'): number | undefined {
  let latest: { start: string; offset: number } | undefined;
  for (const rule of vtimezone.children) {
    if (rule.name !== kind) continue;
    const start = property(rule, 'DTSTART')?.value ?? '';
    const offset = parseUtcOffset(property(rule, 'TZOFFSETTO')?.value ?? '');
    if (offset !== undefined && (!latest || start >= latest.start)) latest = { start, offset };
  }
  return latest?.offset;
}

function declaredZones(calendar: Component): Map<string, DeclaredZone> {
  const zones = new Map<string, DeclaredZone>();
  for (const child of calendar.children) {
    if (child.name !== 'VTIMEZONE') continue;
    const tzid = property(child, 'TZID');
    if (!tzid) continue;
    const location = property(child, 'X-LIC-LOCATION');
    zones.set(unescapeText(tzid.value).trim(), {
      location: location ? unescapeText(location.value).trim() : undefined,
      standard: latestOffset(child, 'STANDARD'),
      daylight: latestOffset(child, 'DAYLIGHT'),
    });
  }
  return zones;
}

function sameRulesAsSchool(declared: DeclaredZone, schoolZone: string, year: number): boolean {
  if (declared.standard === undefined) return false;
  const school = yearOffsets(schoolZone, year);
  return declared.standard === school.standard && (declared.daylight ?? declared.standard) === school.daylight;
}

function formatOffset(ms: number): string {
  const minutes = Math.abs(ms) / 60_000;
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${ms < 0 ? '-' : '+'}${hh}:${mm}`;
}

export function zoneContext(calendar: Component, schoolZone: string, warnings: WarningLog): ZoneContext {
  const declared = declaredZones(calendar);
  const resolved = new Map<string, string | null>();
  const wrTimeZone = property(calendar, 'X-WR-TIMEZONE');
  let floating: string | undefined;

  const byName = (name: string, referenceYear: number): string | undefined =>
    resolveZoneName(name, { referenceYear, preferredZone: schoolZone });

  function resolve(tzid: string, referenceYear: number): string | undefined {
    const direct = byName(tzid, referenceYear);
    if (direct) return direct;
    const vtimezone = declared.get(tzid);
    if (!vtimezone) return undefined;
    const viaLocation = vtimezone.location ? byName(vtimezone.location, referenceYear) : undefined;
    if (viaLocation) return viaLocation;
    if (sameRulesAsSchool(vtimezone, schoolZone, referenceYear)) {
      const offsets = yearOffsets(schoolZone, referenceYear);
      warnings.add(
        null,
        `time zone "${clip(tzid, 120)}" is not a known name, but its VTIMEZONE has the same offsets as ${schoolZone} (${formatOffset(offsets.standard)}/${formatOffset(offsets.daylight)}), so ${schoolZone} is used`,
      );
      return schoolZone;
    }
    return undefined;
  }

  return {
    zoneFor(tzid, referenceYear) {
      const key = tzid.trim();
      let zone = resolved.get(key);
      if (zone === undefined) {
        zone = resolve(key, referenceYear) ?? null;
        resolved.set(key, zone);
      }
      return zone ?? undefined;
    },
    floatingZone(referenceYear) {
      if (floating === undefined) {
        const name = wrTimeZone ? unescapeText(wrTimeZone.value).trim() : '';
        const zone = name ? byName(name, referenceYear) : undefined;
        if (name && !zone) {
          warnings.add(null, `X-WR-TIMEZONE "${clip(name, 120)}" is not a known time zone; floating times are read in ${schoolZone}`);
        }
        floating = zone ?? schoolZone;
      }
      return floating;
    },
  };
}
