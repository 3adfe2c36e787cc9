// One VEVENT, read and validated, with its times placed in a zone. This is the
// shape between "text" and "lessons": everything after it is pure logic.

import type { LocalDate, LocalDateTime } from '../time/zoned.ts';
import type { RecurrenceRule } from './ics/recurrence-rule.ts';
import type { Vendor } from './vendor.ts';
import { wallMs, wallToInstant } from './wall-clock.ts';

/** A DATE, or a wall-clock DATE-TIME in an IANA zone ("UTC" for the Z form; floating times already have their zone). */
export type EventTime =
  | { readonly kind: 'date'; readonly date: LocalDate }
  | { readonly kind: 'date-time'; readonly local: LocalDateTime; readonly zone: string };

/**
 * How long each occurrence lasts. DTEND gives an exact length; DURATION's
 * days are nominal (same wall time n days later) and its time part exact.
 */
export type Span = { readonly kind: 'exact'; readonly ms: number } | { readonly kind: 'nominal'; readonly days: number; readonly ms: number };

/**
 * The free text of an event, unescaped; interpreting it is vendor-summary's
 * and lesson-flags' job. Undefined means the property was absent, so an
 * override without SUMMARY can borrow its master's.
 */
export interface EventText {
  readonly summary: string | undefined;
  readonly description: string | undefined;
  readonly location: string | undefined;
  /** Upper-cased STATUS, "" when absent. */
  readonly status: string;
  /** The event carries a Teams, Skype or Google Meet meeting (X-MICROSOFT-…, X-GOOGLE-CONFERENCE, CONFERENCE). */
  readonly hasOnlineMeeting: boolean;
}

export interface EventRecord {
  readonly uid: string;
  /** How warnings name the event: the UID, or "line N". */
  readonly label: string;
  /** Position in the file, for "last one wins" among equals. */
  readonly order: number;
  readonly sequence: number;
  /** LAST-MODIFIED and DTSTAMP as epoch ms, when present. */
  readonly lastModified: number | undefined;
  readonly dtstamp: number | undefined;
  readonly recurrenceId: EventTime | undefined;
  /** Date-only for all-day events (including Microsoft all-day events written as midnight to midnight). */
  readonly start: EventTime;
  /** Undefined only for an override that takes its length from the master. */
  readonly span: Span | undefined;
  readonly rule: RecurrenceRule | undefined;
  readonly exdates: readonly EventTime[];
  readonly rdates: readonly EventTime[];
  readonly text: EventText;
  readonly vendor: Vendor;
}

/** The instant of a date-time; for a date, midnight UTC of that date (only ever used for ordering and horizons). */
export function instantOf(time: EventTime): number {
  return time.kind === 'date' ? wallMs(time.date) : wallToInstant(time.local, time.zone);
}

/** Identity of an occurrence for RECURRENCE-ID and EXDATE matching: the instant, or the date for all-day events. */
export function occurrenceKey(time: EventTime): string {
  return time.kind === 'date' ? `d${wallMs(time.date)}` : `t${instantOf(time)}`;
}
