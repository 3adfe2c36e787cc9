// The facts the three sample feeds (test/fixtures/timetables, copies of the
// shared samples) must yield, as listed in their README.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importIcs } from '../../../src/core/timetable/import-ics.ts';
import type { Lesson } from '../../../src/core/timetable/lesson.ts';
import { iso, spans } from './ics-text.ts';

function sample(name: string) {
  return importIcs(readFileSync(new URL(`../../fixtures/timetables/${name}`, import.meta.url), 'utf8'));
}

function lessonAt(lessons: readonly Lesson[], startIso: string): Lesson {
  const found = lessons.find((l) => iso(l.start) === startIso);
  if (!found) throw new Error(`no lesson at ${startIso}; have ${lessons.map((l) => iso(l.start)).join(', ')}`);
  return found;
}

describe('the Zermelo student feed', () => {
  const timetable = sample('zermelo-student-v4.ics');

  it('imports every event without warnings', () => {
    expect(timetable.lessons).toHaveLength(6);
    expect(timetable.warnings).toEqual([]);
  });

  it('has ne in b104 for v4.ne2 on Monday 23 November 08:30–09:20 local', () => {
    expect(lessonAt(timetable.lessons, '2026-11-23T07:30:00.000Z')).toEqual({
      uid: '2200101@kennemerlyceum',
      start: Date.UTC(2026, 10, 23, 7, 30),
      end: Date.UTC(2026, 10, 23, 8, 20),
      subject: 'ne',
      groups: ['v4.ne2'],
      teachers: [],
      location: 'b104',
      cancelled: false,
      online: false,
    });
  });

  it('has the changed wisb lesson in its new room a012', () => {
    expect(lessonAt(timetable.lessons, '2026-11-23T08:20:00.000Z')).toMatchObject({ subject: 'wisb', location: 'a012', cancelled: false });
  });

  it('keeps the cancelled gs lesson, marked cancelled', () => {
    expect(lessonAt(timetable.lessons, '2026-11-23T09:30:00.000Z')).toMatchObject({ subject: 'gs', cancelled: true });
  });

  it('has the bi test for two groups in t101, not online', () => {
    expect(lessonAt(timetable.lessons, '2026-11-24T07:30:00.000Z')).toMatchObject({
      subject: 'bi',
      groups: ['v4.bi1', 'v4.bi2'],
      location: 't101',
      cancelled: false,
      online: false,
    });
  });

  it('has the Wednesday inf lesson online, without a room', () => {
    expect(lessonAt(timetable.lessons, '2026-11-25T11:30:00.000Z')).toMatchObject({
      subject: 'inf',
      groups: ['v4.inf1'],
      location: null,
      online: true,
      cancelled: false,
    });
  });

  it('has no other online or cancelled lessons', () => {
    expect(timetable.lessons.filter((l) => l.online).map((l) => l.subject)).toEqual(['inf']);
    expect(timetable.lessons.filter((l) => l.cancelled).map((l) => l.subject)).toEqual(['gs']);
  });
});

describe('the Somtoday student feed', () => {
  const timetable = sample('somtoday-student.ics');

  it('collapses the event listed twice into one lesson and sorts the rest by start', () => {
    expect(spans(timetable.lessons)).toEqual([
      '2027-03-26T07:30:00.000Z/2027-03-26T08:20:00.000Z',
      '2027-03-29T06:30:00.000Z/2027-03-29T07:20:00.000Z',
      '2027-03-29T08:20:00.000Z/2027-03-29T09:10:00.000Z',
    ]);
    expect(timetable.warnings).toEqual([]);
  });

  it('reads room, group and teacher on both sides of the March clock change', () => {
    expect(timetable.lessons.map(({ location, groups, teachers }) => ({ location, groups, teachers }))).toEqual([
      { location: 'a012', groups: ['h4a'], teachers: ['JNS'] },
      { location: 'b104', groups: ['h4a'], teachers: ['VRM'] },
      { location: 'tm145_o&o', groups: ['h4oeno2'], teachers: ['DKR'] },
    ]);
  });
});

describe('the Outlook class calendar', () => {
  const timetable = sample('outlook-h4a.ics');

  it('expands the weekly wis lesson across the October clock change, without 19 October', () => {
    expect(spans(timetable.lessons)).toEqual([
      '2026-10-12T06:30:00.000Z/2026-10-12T07:20:00.000Z',
      '2026-10-26T07:30:00.000Z/2026-10-26T08:20:00.000Z',
      '2026-11-02T09:15:00.000Z/2026-11-02T10:05:00.000Z',
      '2026-11-09T07:30:00.000Z/2026-11-09T08:20:00.000Z',
    ]);
  });

  it('moves 2 November to 10:15–11:05 in room B1.14', () => {
    expect(lessonAt(timetable.lessons, '2026-11-02T09:15:00.000Z')).toMatchObject({ location: 'B1.14', subject: 'wis', teachers: ['JNS'] });
  });

  it('reads subject, group and teacher, and the escaped comma in LOCATION', () => {
    expect(lessonAt(timetable.lessons, '2026-10-12T06:30:00.000Z')).toMatchObject({
      uid: '040000008200E00074C5B7101A82E00800000000H4A-WIS-MA',
      subject: 'wis',
      groups: ['h4a'],
      teachers: ['JNS'],
      location: 'B1.12, 1e verdieping',
      cancelled: false,
      online: false,
    });
  });

  it('keeps the study day as a date without lessons', () => {
    expect(timetable.allDay).toEqual([
      {
        uid: '040000008200E00074C5B7101A82E00800000000H4A-STUDIEDAG',
        start: '2026-11-04',
        end: '2026-11-05',
        summary: 'Studiedag (geen lessen)',
        noLessons: true,
      },
    ]);
    expect(timetable.warnings).toEqual([]);
  });
});
