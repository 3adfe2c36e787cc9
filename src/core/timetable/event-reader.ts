// VEVENT component -> EventRecord. Anything wrong with one event costs that
// event (or that one property) and a warning naming it; never the feed.

import { instantToLocal, type LocalDateTime } from '../time/zoned.ts';
import { eventLabel, readProperties, type Component } from './ics/components.ts';
import { paramValue, splitList, unescapeText, type ContentLine } from './ics/content-lines.ts';
import { parseDate, parseDateTime, parseDuration } from './ics/date-values.ts';
import { parseRecurrenceRule, type RecurrenceRule } from './ics/recurrence-rule.ts';
import { instantOf, type EventRecord, type EventText, type EventTime, type Span } from './event-record.ts';
import type { ZoneContext } from './time-zone-context.ts';
import { vendorFromUid, type Vendor } from './vendor.ts';
import { clip, type WarningLog } from './warnings.ts';

export interface ReadContext {
  readonly zones: ZoneContext;
  readonly vendor: Vendor;
  readonly warnings: WarningLog;
}

/** Text longer than this is not a lesson's; only the start is kept, so hostile input stays cheap to inspect. */
const MAX_TEXT = 4000;
const MAX_UID = 1000;

const ZONE_ADVICE = 'set the rooster software to export times in UTC or with an IANA time zone such as Europe/Amsterdam';

type TimeResult = EventTime | { readonly problem: string; readonly advice?: string };

function readTime(prop: ContentLine, value: string, zones: ZoneContext): TimeResult {
  const type = paramValue(prop, 'VALUE')?.toUpperCase();
  if (type === 'DATE' || (type === undefined && value.length === 8)) {
    const date = parseDate(value);
    return date ? { kind: 'date', date } : { problem: `${prop.name} "${clip(value)}" is not a date` };
  }
  const dateTime = parseDateTime(value);
  if (!dateTime) return { problem: `${prop.name} "${clip(value)}" is not a date-time` };
  if (dateTime.utc) return { kind: 'date-time', local: dateTime.local, zone: 'UTC' };
  const tzid = paramValue(prop, 'TZID');
  if (tzid === undefined) return { kind: 'date-time', local: dateTime.local, zone: zones.floatingZone(dateTime.local.year) };
  const zone = zones.zoneFor(tzid, dateTime.local.year);
  return zone ? { kind: 'date-time', local: dateTime.local, zone } : { problem: `unknown time zone "${clip(tzid, 120)}"`, advice: ZONE_ADVICE };
}

/** All values of EXDATE or RDATE properties (several properties, comma lists). A PERIOD keeps only its start. */
function readTimeList(props: readonly ContentLine[], zones: ZoneContext, problems: string[]): EventTime[] {
  const times: EventTime[] = [];
  for (const prop of props) {
    for (const item of splitList(prop.value)) {
      const value = item.trim();
      const slash = value.indexOf('/');
      const time = readTime(prop, slash < 0 ? value : value.slice(0, slash), zones);
      if ('problem' in time) problems.push(time.problem);
      else times.push(time);
    }
  }
  return times;
}

function utcStamp(prop: ContentLine | undefined): number | undefined {
  const parsed = prop ? parseDateTime(prop.value.trim()) : undefined;
  return parsed?.utc ? instantOf({ kind: 'date-time', local: parsed.local, zone: 'UTC' }) : undefined;
}

function text(prop: ContentLine | undefined): string | undefined {
  return prop ? unescapeText(prop.value.slice(0, MAX_TEXT)).trim() : undefined;
}

function dayCount(from: EventTime, to: EventTime): number {
  return Math.round((instantOf(to) - instantOf(from)) / 86_400_000);
}

/**
 * Microsoft writes all-day events as midnight-to-midnight date-times with
 * X-MICROSOFT-CDO-ALLDAYEVENT:TRUE. They become dates; a "UTC midnight" is
 * first moved to the calendar's own zone.
 */
function asDate(time: EventTime, zones: ZoneContext): EventTime {
  if (time.kind === 'date') return time;
  const local: LocalDateTime =
    time.zone === 'UTC' ? instantToLocal(instantOf(time), zones.floatingZone(time.local.year)) : time.local;
  if (local.hour !== 0 || local.minute !== 0) return time;
  return { kind: 'date', date: { year: local.year, month: local.month, day: local.day } };
}

type SpanResult = Span | undefined | { readonly problem: string };

function readSpan(start: EventTime, end: EventTime | undefined, duration: ContentLine | undefined, isOverride: boolean): SpanResult {
  if (start.kind === 'date') {
    // All-day: a missing, empty or backwards end is read as one day, the way calendar apps show it.
    const days = end ? dayCount(start, end) : duration ? (parseDuration(duration.value.trim())?.days ?? 1) : 1;
    return { kind: 'nominal', days: Math.max(1, days), ms: 0 };
  }
  if (end) {
    if (end.kind === 'date') return { problem: 'DTEND is a date but DTSTART has a time' };
    const ms = instantOf(end) - instantOf(start);
    return ms > 0 ? { kind: 'exact', ms } : { problem: 'its end is not after its start' };
  }
  if (duration) {
    const parsed = parseDuration(duration.value.trim());
    if (!parsed) return { problem: `DURATION "${clip(duration.value)}" is not valid` };
    if (parsed.days < 0 || (parsed.days === 0 && parsed.ms <= 0)) return { problem: 'DURATION is not positive' };
    return { kind: 'nominal', days: parsed.days, ms: parsed.ms };
  }
  return isOverride ? undefined : { problem: 'neither DTEND nor DURATION' };
}

const ONLINE_MEETING_PROPERTY = /^(?:X-MICROSOFT-ONLINEMEETING|X-MICROSOFT-SKYPETEAMSMEETING|X-GOOGLE-CONFERENCE$|CONFERENCE$)/;

interface EventProperties {
  /** The first of each property that may appear once. */
  readonly single: ReadonlyMap<string, ContentLine>;
  readonly exdates: ContentLine[];
  readonly rdates: ContentLine[];
  readonly rrules: ContentLine[];
  readonly hasOnlineMeeting: boolean;
}

function sortProperties(properties: readonly ContentLine[]): EventProperties {
  const single = new Map<string, ContentLine>();
  const sorted = { single, exdates: [] as ContentLine[], rdates: [] as ContentLine[], rrules: [] as ContentLine[], hasOnlineMeeting: false };
  for (const prop of properties) {
    if (prop.name === 'EXDATE') sorted.exdates.push(prop);
    else if (prop.name === 'RDATE') sorted.rdates.push(prop);
    else if (prop.name === 'RRULE') sorted.rrules.push(prop);
    else if (!single.has(prop.name)) single.set(prop.name, prop);
    if (ONLINE_MEETING_PROPERTY.test(prop.name) && prop.value.trim() !== '') sorted.hasOnlineMeeting = true;
  }
  return sorted;
}

/** The event's RRULE, or undefined (with a warning) when it has none that can be expanded safely. */
function readRule(rrules: readonly ContentLine[], label: string, warnings: WarningLog): RecurrenceRule | undefined {
  if (rrules.length === 0) return undefined;
  if (rrules.length > 1) warnings.add(label, `${label} has ${rrules.length} RRULEs; only the first is used`);
  const parsed = parseRecurrenceRule(rrules[0]!.value.trim());
  if ('rule' in parsed) return parsed.rule;
  warnings.add(label, `${parsed.problem}; only the first occurrence of ${label} is imported`);
  return undefined;
}

export function readEvent(component: Component, order: number, context: ReadContext): EventRecord | undefined {
  const { zones, warnings } = context;
  const { properties, problems } = readProperties(component);
  const label = eventLabel(properties, component.line);
  for (const problem of problems) warnings.add(label, `line ${problem.line}: ${problem.message}, ignored`);
  const skip = (reason: string, advice?: string): undefined => {
    warnings.add(label, `${reason}: event ${label} skipped${advice ? `; ${advice}` : ''}`);
    return undefined;
  };
  const { single, exdates, rdates, rrules, hasOnlineMeeting } = sortProperties(properties);

  const summary = text(single.get('SUMMARY'));
  let uid = text(single.get('UID')) ?? '';
  if (uid.length > MAX_UID) return skip(`UID longer than ${MAX_UID} characters`);

  const recurrenceIdProp = single.get('RECURRENCE-ID');
  const recurrenceId = recurrenceIdProp ? readTime(recurrenceIdProp, recurrenceIdProp.value.trim(), zones) : undefined;
  if (recurrenceId && 'problem' in recurrenceId) return skip(recurrenceId.problem, recurrenceId.advice);
  if (recurrenceIdProp && paramValue(recurrenceIdProp, 'RANGE')?.toUpperCase() === 'THISANDFUTURE') {
    warnings.add(label, 'RECURRENCE-ID;RANGE=THISANDFUTURE is not supported; the change is applied to that one occurrence only');
  }

  // An override that only says "this occurrence is cancelled" may leave DTSTART out: it is then where it was.
  const dtstartProp = single.get('DTSTART') ?? recurrenceIdProp;
  if (!dtstartProp) return skip('no DTSTART');
  const startTime = readTime(dtstartProp, dtstartProp.value.trim(), zones);
  if ('problem' in startTime) return skip(startTime.problem, startTime.advice);
  const endProp = single.get('DTEND');
  const endTime = endProp ? readTime(endProp, endProp.value.trim(), zones) : undefined;
  if (endTime && 'problem' in endTime) return skip(endTime.problem, endTime.advice);

  const allDayFlag = ['X-MICROSOFT-CDO-ALLDAYEVENT', 'X-MICROSOFT-MSNCALENDAR-ALLDAYEVENT'].some(
    (name) => single.get(name)?.value.trim().toUpperCase() === 'TRUE',
  );
  const start = allDayFlag ? asDate(startTime, zones) : startTime;
  const end = allDayFlag && endTime && start.kind === 'date' ? asDate(endTime, zones) : endTime;
  const span = readSpan(start, end, single.get('DURATION'), recurrenceId !== undefined);
  if (span && 'problem' in span) return skip(span.problem);

  if (uid === '') {
    // A stable stand-in, so the same event keeps the same id across refreshes.
    uid = `no-uid:${dtstartProp.value.trim().slice(0, 40)}:${(summary ?? '').slice(0, 100)}`;
    warnings.add(label, `event at ${label} has no UID; it is imported as "${uid}"`);
  }

  const timeProblems: string[] = [];
  const record: EventRecord = {
    uid,
    label,
    order,
    sequence: Math.max(0, Number.parseInt(single.get('SEQUENCE')?.value ?? '0', 10) || 0),
    lastModified: utcStamp(single.get('LAST-MODIFIED')),
    dtstamp: utcStamp(single.get('DTSTAMP')),
    recurrenceId,
    start,
    span,
    rule: readRule(rrules, label, warnings),
    exdates: readTimeList(exdates, zones, timeProblems),
    rdates: readTimeList(rdates, zones, timeProblems),
    text: {
      summary,
      description: text(single.get('DESCRIPTION')),
      location: text(single.get('LOCATION')),
      status: single.get('STATUS')?.value.trim().toUpperCase() ?? '',
      hasOnlineMeeting,
    },
    vendor: context.vendor === 'unknown' ? vendorFromUid(uid) : context.vendor,
  };
  for (const problem of timeProblems) warnings.add(label, `EXDATE/RDATE value ignored: ${problem}`);
  return record;
}
