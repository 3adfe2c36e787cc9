// Small helpers to write iCalendar text in tests without repeating the frame.

import type { Lesson } from '../../../src/core/timetable/lesson.ts';

/** A VCALENDAR around `lines` (strings or nested arrays), joined with CRLF as RFC 5545 wants. */
export function calendar(...lines: (string | string[])[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Lesmodus tests//NL', ...lines.flat(), 'END:VCALENDAR', ''].join('\r\n');
}

/** A VEVENT with a UID and DTSTAMP, plus the given property lines. */
export function vevent(uid: string, ...properties: string[]): string[] {
  return ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260901T000000Z', ...properties, 'END:VEVENT'];
}

/** "2026-11-23T07:30:00.000Z" */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Start and end of each lesson as ISO instants, for compact assertions. */
export function spans(lessons: readonly Lesson[]): string[] {
  return lessons.map((l) => `${iso(l.start)}/${iso(l.end)}`);
}

export function starts(lessons: readonly Lesson[]): string[] {
  return lessons.map((l) => iso(l.start));
}
