// Timetables the samples do not cover, constructed in the style of other
// exporters (see test/fixtures/timetables/README.md).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importIcs } from '../../../src/core/timetable/import-ics.ts';
import { spans } from './ics-text.ts';

function fixture(name: string) {
  return importIcs(readFileSync(new URL(`../../fixtures/timetables/${name}`, import.meta.url)));
}

describe('an Untis-style teacher feed', () => {
  const timetable = fixture('untis-teacher.ics');

  it('reads floating times in the X-WR-TIMEZONE', () => {
    expect(spans(timetable.lessons)).toEqual([
      '2026-11-23T07:30:00.000Z/2026-11-23T08:20:00.000Z',
      '2026-11-23T08:20:00.000Z/2026-11-23T09:10:00.000Z',
      '2026-11-24T07:30:00.000Z/2026-11-24T08:20:00.000Z',
    ]);
  });

  it('takes teacher and classes from labelled DESCRIPTION lines', () => {
    expect(timetable.lessons[0]).toMatchObject({ subject: 'wis', teachers: ['JNS'], groups: ['h4a', 'h4b'], location: '104' });
  });

  it('reads a comma-separated summary', () => {
    expect(timetable.lessons[1]).toMatchObject({ subject: 'wis', teachers: ['JNS'], groups: ['h5c'], location: '106' });
  });

  it('keeps the cancelled lesson, marked cancelled', () => {
    expect(timetable.lessons.map((l) => l.cancelled)).toEqual([false, false, true]);
  });
});

describe('a Google Calendar export', () => {
  const timetable = fixture('google-class.ics');
  const weekly = timetable.lessons.filter((l) => l.uid === '3b9f0c2e7a1d4f6b@google.com');

  it('expands the weekly lesson across the March change, honouring EXDATE and UNTIL', () => {
    expect(spans(weekly)).toEqual([
      '2027-03-22T07:30:00.000Z/2027-03-22T08:20:00.000Z',
      '2027-03-29T06:30:00.000Z/2027-03-29T07:20:00.000Z',
      '2027-04-12T06:30:00.000Z/2027-04-12T07:20:00.000Z',
    ]);
  });

  it('reads a subject followed by a class', () => {
    expect(weekly[0]).toMatchObject({ subject: 'Wiskunde', groups: ['h4a'], teachers: [], location: 'Lokaal 2.14', online: false });
  });

  it('marks the Google Meet lesson online and keeps its free-text title', () => {
    expect(timetable.lessons.find((l) => l.uid === '7c1e44aa90b2@google.com')).toMatchObject({ subject: 'Mentoruur', online: true, location: null });
  });

  it('keeps the holiday week as dates without lessons', () => {
    expect(timetable.allDay).toEqual([{ uid: 'meivakantie@google.com', start: '2027-04-26', end: '2027-05-01', summary: 'Meivakantie', noLessons: true }]);
  });

  it('has nothing to warn about', () => {
    expect(timetable.warnings).toEqual([]);
  });
});

describe('an Outlook calendar with display-name time zones', () => {
  const timetable = fixture('outlook-display-name.ics');
  const byUid = (suffix: string) => timetable.lessons.filter((l) => l.uid.endsWith(suffix));

  it('reads the localized display-name zone and keeps 08:30 across the March change', () => {
    expect(spans(byUid('JNS-ENTL'))).toEqual([
      '2027-03-26T07:30:00.000Z/2027-03-26T08:20:00.000Z',
      '2027-03-27T07:30:00.000Z/2027-03-27T08:20:00.000Z',
      '2027-03-28T06:30:00.000Z/2027-03-28T07:20:00.000Z',
      '2027-03-29T06:30:00.000Z/2027-03-29T07:20:00.000Z',
    ]);
  });

  it('places the Customized Time Zone lesson in the school zone and marks the Teams lesson online', () => {
    expect(spans(byUid('JNS-TEAMS'))).toEqual(['2027-03-31T11:15:00.000Z/2027-03-31T12:05:00.000Z']);
    expect(byUid('JNS-TEAMS')[0]).toMatchObject({ subject: 'ckv', online: true });
  });

  it('reads Romance Standard Time', () => {
    expect(spans(byUid('JNS-ROMANCE'))).toEqual(['2027-04-01T06:30:00.000Z/2027-04-01T07:20:00.000Z']);
  });

  it('skips only the lesson in an unknown zone, and says why for each guess it made', () => {
    expect(byUid('JNS-MARS')).toEqual([]);
    expect(timetable.warnings.map((w) => [w.event, w.message.split(':')[0]])).toEqual([
      [null, 'time zone "Customized Time Zone" is not a known name, but its VTIMEZONE has the same offsets as Europe/Amsterdam (+01'],
      ['040000008200E00074C5B7101A82E00800000000JNS-MARS', 'unknown time zone "Mars Standard Time"'],
    ]);
  });

  it('leaves ordinary lessons offline', () => {
    expect(byUid('JNS-ENTL').every((l) => !l.online && !l.cancelled)).toBe(true);
  });
});

describe('a Magister-style feed', () => {
  const timetable = fixture('magister-student.ics');

  it('reads lower-case teacher codes and a class after the teacher', () => {
    expect(timetable.lessons.map(({ subject, teachers, groups, location }) => ({ subject, teachers, groups, location }))).toEqual([
      { subject: 'fatl', teachers: ['oba'], groups: [], location: '11s' },
      { subject: 'ne', teachers: ['vrm'], groups: ['4vwo3'], location: 'b104' },
    ]);
  });

  it('sees a cancellation written in words', () => {
    expect(timetable.lessons.map((l) => l.cancelled)).toEqual([false, true]);
  });
});
