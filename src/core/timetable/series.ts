// One UID's master event and its RECURRENCE-ID overrides -> occurrences ->
// Lessons and AllDayEvents. RFC 5545 §3.8.5: the set is DTSTART + RRULE + RDATE
// minus EXDATE, and an override replaces the occurrence its RECURRENCE-ID names.

import { addDays, formatLocalDate, type LocalDateTime } from '../time/zoned.ts';
import { instantOf, occurrenceKey, type EventRecord, type EventText, type EventTime, type Span } from './event-record.ts';
import { lessonDetails, type LessonDetails } from './lesson-details.ts';
import { meansNoLessons } from './lesson-flags.ts';
import type { AllDayEvent, Lesson } from './lesson.ts';
import { expandRule, type ExpansionLimits } from './recurrence.ts';
import { wallMs } from './wall-clock.ts';
import type { WarningLog } from './warnings.ts';

/** No lesson series repeats more often than this; beyond it a rule is broken, not busy. */
const MAX_OCCURRENCES_PER_EVENT = 5000;

export interface SeriesOutput {
  readonly lessons: Lesson[];
  readonly allDay: AllDayEvent[];
}

interface Occurrence {
  readonly start: EventTime;
  /** The event that describes this occurrence: the master, or the override that replaced it. */
  readonly record: EventRecord;
}

function wallClock(time: EventTime): LocalDateTime {
  return time.kind === 'date' ? { ...time.date, hour: 0, minute: 0, second: 0 } : time.local;
}

function withWallClock(like: EventTime, local: LocalDateTime): EventTime {
  if (like.kind === 'date') return { kind: 'date', date: { year: local.year, month: local.month, day: local.day } };
  return { kind: 'date-time', local, zone: like.zone };
}

/** What the caller decides for the whole import; the per-event cap is this module's. */
export type SeriesLimits = Omit<ExpansionLimits, 'maxOccurrences'>;

export interface SeriesContext {
  readonly limits: SeriesLimits;
  readonly warnings: WarningLog;
}

/** Master occurrences from DTSTART, RRULE and RDATE, without EXDATEs. */
function masterStarts(master: EventRecord, limits: SeriesLimits, warnings: WarningLog): EventTime[] {
  const starts: EventTime[] = [];
  if (master.rule) {
    const toInstant = (local: LocalDateTime): number => instantOf(withWallClock(master.start, local));
    const expansion = expandRule(master.rule, wallClock(master.start), toInstant, { ...limits, maxOccurrences: MAX_OCCURRENCES_PER_EVENT });
    const last = expansion.starts[expansion.starts.length - 1]!;
    if (expansion.stoppedBy === 'cap') {
      warnings.add(master.label, `${master.label} repeats more than ${MAX_OCCURRENCES_PER_EVENT} times; occurrences after ${formatLocalDate(last)} are not imported`);
    } else if (expansion.stoppedBy === 'horizon' && (master.rule.count !== undefined || master.rule.until !== undefined)) {
      warnings.add(master.label, `${master.label} repeats beyond the import horizon; occurrences after ${formatLocalDate(last)} are not imported`);
    }
    for (const local of expansion.starts) starts.push(withWallClock(master.start, local));
  } else {
    starts.push(master.start);
  }
  for (const rdate of master.rdates) if (rdate.kind === master.start.kind) starts.push(rdate);
  return starts;
}

/** EXDATE matching: exact instants, and whole dates (a DATE EXDATE on a timed event removes that day's occurrence). */
function exclusionTest(master: EventRecord): (time: EventTime) => boolean {
  const keys = new Set(master.exdates.map(occurrenceKey));
  const days = new Set(master.exdates.filter((t) => t.kind === 'date').map((t) => wallMs(t.date)));
  return (time) =>
    keys.has(occurrenceKey(time)) ||
    (time.kind === 'date-time' && days.has(wallMs({ year: time.local.year, month: time.local.month, day: time.local.day })));
}

function occurrencesOf(master: EventRecord | undefined, overrides: readonly EventRecord[], limits: SeriesLimits, warnings: WarningLog): Occurrence[] {
  // Most timetable events happen once; they need none of the bookkeeping below.
  if (master && overrides.length === 0 && !master.rule && master.rdates.length === 0) {
    return master.exdates.length > 0 && exclusionTest(master)(master.start) ? [] : [{ start: master.start, record: master }];
  }
  const byRecurrenceId = new Map(overrides.map((o) => [occurrenceKey(o.recurrenceId!), o]));
  const occurrences: Occurrence[] = [];
  if (master) {
    const excluded = exclusionTest(master);
    const seen = new Set<string>();
    for (const start of masterStarts(master, limits, warnings)) {
      const key = occurrenceKey(start);
      if (seen.has(key) || excluded(start)) continue;
      seen.add(key);
      const override = byRecurrenceId.get(key);
      byRecurrenceId.delete(key);
      occurrences.push(override ? { start: override.start, record: override } : { start, record: master });
    }
  }
  // Overrides of occurrences the master does not (or no longer) produce are still real, explicit events.
  for (const override of byRecurrenceId.values()) occurrences.push({ start: override.start, record: override });
  return occurrences;
}

/** An override describes its occurrence, but may leave out what did not change. */
function textOf(record: EventRecord, master: EventRecord | undefined): EventText {
  if (!master || record === master) return record.text;
  return {
    ...record.text,
    summary: record.text.summary ?? master.text.summary,
    description: record.text.description ?? master.text.description,
    location: record.text.location ?? master.text.location,
  };
}

function endOf(start: EventTime, span: Span): EventTime | number {
  if (span.kind === 'exact') return instantOf(start) + span.ms;
  const shifted = withWallClock(start, addDays(wallClock(start), span.days));
  return span.ms === 0 ? shifted : instantOf(shifted) + span.ms;
}

export function buildSeries(master: EventRecord | undefined, overrides: readonly EventRecord[], context: SeriesContext): SeriesOutput {
  const { warnings } = context;
  const lessons: Lesson[] = [];
  const allDay: AllDayEvent[] = [];
  const details = new Map<EventRecord, LessonDetails>();

  for (const { start, record } of occurrencesOf(master, overrides, context.limits, warnings)) {
    const span = record.span ?? master?.span;
    if (!span) {
      warnings.add(record.label, `neither DTEND nor DURATION: event ${record.label} (override) skipped`);
      continue;
    }
    const text = textOf(record, master);
    const end = endOf(start, span);
    if (start.kind === 'date') {
      if (text.status === 'CANCELLED') continue; // a cancelled study day means the lessons do take place
      const endDate = typeof end === 'number' || end.kind !== 'date' ? addDays(start.date, 1) : end.date;
      const summary = text.summary ?? '';
      allDay.push({ uid: record.uid, start: formatLocalDate(start.date), end: formatLocalDate(endDate), summary, noLessons: meansNoLessons(summary) });
      continue;
    }
    const d = details.get(record) ?? lessonDetails(text, record.vendor);
    details.set(record, d);
    const startInstant = instantOf(start);
    lessons.push({
      uid: record.uid,
      start: startInstant,
      end: typeof end === 'number' ? end : instantOf(end),
      subject: d.subject,
      groups: [...d.groups],
      teachers: [...d.teachers],
      location: d.location,
      cancelled: d.cancelled,
      online: d.online,
    });
  }
  return { lessons, allDay };
}
