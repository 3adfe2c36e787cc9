// Time zone names as calendar producers write them, resolved to IANA zones.
// Feeds use IANA names, IANA names behind a vendor prefix, Windows zone ids,
// and Outlook's localized display names ("(UTC+01:00) Amsterdam, Berlijn, …").

import { WINDOWS_TO_IANA_MAP } from 'windows-iana';
import { canonicalTimeZone, localToEpochMs, offsetAt } from './zoned.ts';

export interface ResolveOptions {
  /** Used for the offset check of display names. */
  readonly referenceYear: number;
  /** When a name stands for several IANA zones with the same rules (a Windows id does), this one wins if it is among them. */
  readonly preferredZone?: string;
}

/** Offsets in milliseconds east of UTC. `daylight === standard` when the zone has no DST that year. */
export interface YearOffsets {
  readonly standard: number;
  readonly daylight: number;
}

/** The zone's winter and summer offsets in `year`, by sampling mid-January and mid-July (works for both hemispheres). */
export function yearOffsets(zone: string, year: number): YearOffsets {
  const january = offsetAt(localToEpochMs({ year, month: 1, day: 15 }), zone);
  const july = offsetAt(localToEpochMs({ year, month: 7, day: 15 }), zone);
  return { standard: Math.min(january, july), daylight: Math.max(january, july) };
}

/**
 * "/mozilla.org/20050126_1/Europe/Amsterdam", "/citadel.org/20190914_1/Europe/Amsterdam",
 * "tzone://Microsoft/Utc": the IANA name is the last two or three path segments,
 * or a last segment that means UTC. Other single words ("EST", "CET") are too
 * ambiguous to trust behind an unknown prefix.
 */
function fromPrefixedId(name: string): string | undefined {
  const segments = name.split('/').filter((s) => s.length > 0);
  for (const take of [3, 2]) {
    if (segments.length <= take) continue;
    const zone = canonicalTimeZone(segments.slice(-take).join('/'));
    if (zone) return zone;
  }
  const last = segments.length >= 2 ? canonicalTimeZone(segments[segments.length - 1]!) : undefined;
  return last === 'UTC' ? last : undefined;
}

let windowsZones: Map<string, string[]> | undefined;

/** Windows zone id (lower-cased) -> its IANA zones, the CLDR "001" (main) zone first. */
function windowsZoneTable(): Map<string, string[]> {
  if (!windowsZones) {
    windowsZones = new Map();
    for (const entry of WINDOWS_TO_IANA_MAP) {
      const key = entry.windowsName.toLowerCase();
      const zones = windowsZones.get(key) ?? [];
      if (entry.territory === '001') zones.unshift(...entry.iana);
      else zones.push(...entry.iana);
      windowsZones.set(key, zones);
    }
  }
  return windowsZones;
}

function fromWindowsId(name: string, preferredZone: string | undefined): string | undefined {
  const zones = windowsZoneTable().get(name.toLowerCase());
  if (!zones) return undefined;
  const preferred = preferredZone ? canonicalTimeZone(preferredZone) : undefined;
  const candidates = zones.map((z) => canonicalTimeZone(z)).filter((z): z is string => z !== undefined);
  if (preferred && candidates.includes(preferred)) return preferred;
  return candidates[0];
}

/**
 * Localized city names in Windows display names that are not the city part of
 * an IANA id: Dutch and German exonyms, plus English names of cities that
 * share a zone with another city (Bern is Europe/Zurich).
 */
const CITY_ALIASES: Readonly<Record<string, string>> = {
  berlijn: 'Europe/Berlin',
  wenen: 'Europe/Vienna',
  wien: 'Europe/Vienna',
  rom: 'Europe/Rome',
  bern: 'Europe/Zurich',
  brussel: 'Europe/Brussels',
  brussels: 'Europe/Brussels',
  kopenhagen: 'Europe/Copenhagen',
  parijs: 'Europe/Paris',
  praag: 'Europe/Prague',
  prag: 'Europe/Prague',
  boedapest: 'Europe/Budapest',
  belgrado: 'Europe/Belgrade',
  warschau: 'Europe/Warsaw',
  londen: 'Europe/London',
  edinburgh: 'Europe/London',
  lissabon: 'Europe/Lisbon',
  athene: 'Europe/Athens',
  athen: 'Europe/Athens',
  boekarest: 'Europe/Bucharest',
  bukarest: 'Europe/Bucharest',
  moskou: 'Europe/Moscow',
  moskau: 'Europe/Moscow',
  kiew: 'Europe/Kiev',
  kyiv: 'Europe/Kiev',
  'coordinated universal time': 'UTC',
  'gecoordineerde wereldtijd': 'UTC',
  'koordinierte weltzeit': 'UTC',
};

/** Lower case without accents, underscores as spaces: "Brüssel" and "Brussel" compare equal to their table keys. */
function cityKey(city: string): string {
  return city
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/_/g, ' ')
    .trim()
    .toLowerCase();
}

let cityZones: Map<string, string> | undefined;

/** City part of every IANA id this runtime knows ("amsterdam" -> Europe/Amsterdam), plus the aliases. */
function cityZoneTable(): Map<string, string> {
  if (!cityZones) {
    cityZones = new Map();
    for (const zone of Intl.supportedValuesOf('timeZone')) {
      const city = zone.slice(zone.lastIndexOf('/') + 1);
      if (zone.includes('/') && !cityZones.has(cityKey(city))) cityZones.set(cityKey(city), zone);
    }
    for (const [alias, zone] of Object.entries(CITY_ALIASES)) cityZones.set(alias, zone);
  }
  return cityZones;
}

// "(UTC+01:00) …", "(GMT+01:00) …", "(UTC) …"
const DISPLAY_NAME = /^\((?:UTC|GMT)(?:([+-])(\d{1,2}):(\d{2}))?\)\s*(.+)$/i;

/**
 * Outlook display names are localized, so the city list is matched city by
 * city. The first city that names a zone whose standard offset equals the
 * "(UTC±hh:mm)" prefix wins: a city that happens to match a zone elsewhere in
 * the world cannot move a lesson by hours.
 */
function fromDisplayName(name: string, referenceYear: number): string | undefined {
  const m = DISPLAY_NAME.exec(name);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  const prefixOffset = m[1] ? sign * (Number(m[2]) * 60 + Number(m[3])) * 60_000 : 0;
  const table = cityZoneTable();
  for (const city of m[4]!.split(/,|\//)) {
    const zone = table.get(cityKey(city));
    if (zone && yearOffsets(zone, referenceYear).standard === prefixOffset) return canonicalTimeZone(zone);
  }
  return undefined;
}

/**
 * The IANA zone a TZID names, or undefined when the name alone does not say.
 * Tries, in order: an IANA name (any case), a prefixed IANA name, a Windows
 * zone id, an Outlook display name.
 */
export function resolveZoneName(rawName: string, options: ResolveOptions): string | undefined {
  const name = rawName.trim().replace(/^"(.*)"$/, '$1');
  if (name.length === 0 || name.length > 200) return undefined;
  return (
    canonicalTimeZone(name) ??
    fromPrefixedId(name) ??
    fromWindowsId(name, options.preferredZone) ??
    fromDisplayName(name, options.referenceYear)
  );
}
