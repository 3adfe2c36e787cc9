// iCalendar feed -> Timetable. The public entry of the importer; the steps
// live in their own modules:
//   text -> components (ics/) -> EventRecords (event-reader) -> one version
//   per UID/RECURRENCE-ID (event-selection) -> occurrences and Lessons (series).

import { canonicalTimeZone, DEFAULT_TIME_ZONE } from '../time/zoned.ts';
import { instantOf, type EventRecord } from './event-record.ts';
import { readEvent } from './event-reader.ts';
import { latestVersions } from './event-selection.ts';
import { forEachEvent, property, readProperties, readStructure } from './ics/components.ts';
import { decodeIcsBytes } from './ics/decode-bytes.ts';
import { TimetableImportError } from './import-error.ts';
import type { AllDayEvent, Lesson, Timetable } from './lesson.ts';
import { ExpansionBudget } from './recurrence.ts';
import { buildSeries, type SeriesOutput } from './series.ts';
import { zoneContext } from './time-zone-context.ts';
import { vendorFromProdId } from './vendor.ts';
import { clip, WarningLog } from './warnings.ts';

export { TimetableImportError };

export interface ImportOptions {
  /** IANA zone of the school: floating times without X-WR-TIMEZONE are read in it. Default Europe/Amsterdam. */
  readonly schoolTimeZone?: string;
  /**
   * Recurring events are expanded up to (not including) this instant, epoch ms.
   * Default: 366 days after the latest DTSTART in the feed, so the result
   * depends on the feed alone, never on the clock.
   */
  readonly horizonEnd?: number;
}

const DAY_MS = 86_400_000;
const DEFAULT_HORIZON_DAYS = 366;

/** Total recurrence work per import: ten times a big school's year of lessons, and about a second of work. */
const EXPANSION_STEPS = 1_000_000;

function defaultHorizon(records: readonly EventRecord[]): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (const record of records) latest = Math.max(latest, instantOf(record.start));
  return latest + DEFAULT_HORIZON_DAYS * DAY_MS;
}

function schoolZoneFrom(options: ImportOptions): string {
  const requested = options.schoolTimeZone ?? DEFAULT_TIME_ZONE;
  const zone = canonicalTimeZone(requested);
  if (!zone) {
    throw new TimetableImportError(`schoolTimeZone "${clip(requested)}" is not an IANA time zone; use a name such as Europe/Amsterdam.`);
  }
  return zone;
}

function horizonFrom(options: ImportOptions): number | undefined {
  if (options.horizonEnd !== undefined && !Number.isFinite(options.horizonEnd)) {
    throw new TimetableImportError(`horizonEnd must be a finite epoch-ms instant, not ${options.horizonEnd}.`);
  }
  return options.horizonEnd;
}

function readRecords(text: string, schoolZone: string, warnings: WarningLog): EventRecord[] {
  const { calendars, problems } = readStructure(text);
  for (const problem of problems) warnings.add(null, `line ${problem.line}: ${problem.message}`);
  const contexts = calendars.map((calendar) => {
    for (const problem of readProperties(calendar).problems) warnings.add(null, `line ${problem.line}: ${problem.message}, ignored`);
    const prodId = property(calendar, 'PRODID')?.value;
    return { zones: zoneContext(calendar, schoolZone, warnings), vendor: vendorFromProdId(prodId), warnings };
  });
  const records: EventRecord[] = [];
  forEachEvent(text, (event, calendarIndex) => {
    const record = readEvent(event, records.length, contexts[calendarIndex]!);
    if (record) records.push(record);
  });
  return records;
}

function byStartThenUid(a: Lesson, b: Lesson): number {
  return a.start - b.start || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0) || a.end - b.end;
}

function byDateThenUid(a: AllDayEvent, b: AllDayEvent): number {
  const key = (e: AllDayEvent): string => `${e.start}\u0000${e.uid}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

function importText(text: string, options: ImportOptions): Timetable {
  const schoolZone = schoolZoneFrom(options);
  const horizonEnd = horizonFrom(options);
  const warnings = new WarningLog();
  const records = latestVersions(readRecords(text, schoolZone, warnings));

  const masters = new Map<string, EventRecord>();
  const overrides = new Map<string, EventRecord[]>();
  for (const record of records) {
    if (!record.recurrenceId) masters.set(record.uid, record);
    else if (overrides.has(record.uid)) overrides.get(record.uid)!.push(record);
    else overrides.set(record.uid, [record]);
  }

  const context = {
    limits: { horizonEnd: horizonEnd ?? defaultHorizon(records), budget: new ExpansionBudget(EXPANSION_STEPS) },
    warnings,
  };
  const lessons: Lesson[] = [];
  const allDay: AllDayEvent[] = [];
  const add = (series: SeriesOutput): void => {
    for (const lesson of series.lessons) lessons.push(lesson);
    for (const event of series.allDay) allDay.push(event);
  };
  for (const [uid, master] of masters) add(buildSeries(master, overrides.get(uid) ?? [], context));
  for (const [uid, orphans] of overrides) if (!masters.has(uid)) add(buildSeries(undefined, orphans, context));
  return { lessons: lessons.sort(byStartThenUid), allDay: allDay.sort(byDateThenUid), warnings: warnings.list() };
}

/**
 * Imports an iCalendar feed. Bytes are preferred over text when available:
 * folds that split a UTF-8 character are then joined before decoding.
 * Throws only TimetableImportError, and only when the whole feed is unusable;
 * problems with single events become warnings.
 */
export function importIcs(input: string | Uint8Array, options: ImportOptions = {}): Timetable {
  try {
    return importText(typeof input === 'string' ? input : decodeIcsBytes(input), options);
  } catch (error) {
    if (error instanceof TimetableImportError) throw error;
    throw new TimetableImportError(
      `The timetable feed could not be read (${error instanceof Error ? error.message : String(error)}). Keep the previous timetable and report this feed to the Lesmodus maintainers.`,
      { cause: error },
    );
  }
}
