// How events become lessons: lengths, recurrence, exceptions, overrides,
// duplicates, all-day events and the order of the result.

import { describe, expect, it } from 'vitest';
import { importIcs } from '../../../src/core/timetable/import-ics.ts';
import { calendar, spans, starts, vevent } from './ics-text.ts';

const TZ = 'TZID=Europe/Amsterdam';

describe('how long a lesson lasts', () => {
  it('follows DURATION when there is no DTEND', () => {
    const timetable = importIcs(calendar(vevent('les', 'DTSTART:20261123T073000Z', 'DURATION:PT50M')));
    expect(spans(timetable.lessons)).toEqual(['2026-11-23T07:30:00.000Z/2026-11-23T08:20:00.000Z']);
  });

  it('skips a timed event with neither DTEND nor DURATION, naming it', () => {
    const timetable = importIcs(calendar(vevent('zonder-eind', 'DTSTART:20261123T073000Z'), vevent('ok', 'DTSTART:20261123T083000Z', 'DURATION:PT50M')));
    expect(timetable.lessons.map((l) => l.uid)).toEqual(['ok']);
    expect(timetable.warnings).toEqual([{ event: 'zonder-eind', message: 'neither DTEND nor DURATION: event zonder-eind skipped' }]);
  });

  it('skips an event that ends when or before it starts', () => {
    const timetable = importIcs(
      calendar(vevent('nul', 'DTSTART:20261123T073000Z', 'DTEND:20261123T073000Z'), vevent('terug', 'DTSTART:20261123T073000Z', 'DTEND:20261123T063000Z')),
    );
    expect(timetable.lessons).toEqual([]);
    expect(timetable.warnings.map((w) => w.message)).toEqual([
      'its end is not after its start: event nul skipped',
      'its end is not after its start: event terug skipped',
    ]);
  });

  it('names an event without UID by its line', () => {
    const text = calendar('BEGIN:VEVENT', 'DTSTART:20261123T073000Z', 'SUMMARY:wis', 'END:VEVENT');
    const timetable = importIcs(text);
    expect(timetable.lessons).toEqual([]);
    expect(timetable.warnings).toEqual([{ event: 'line 4', message: 'neither DTEND nor DURATION: event line 4 skipped' }]);
  });

  it('gives an event without UID a stable stand-in id, with a warning', () => {
    const text = calendar('BEGIN:VEVENT', 'DTSTART:20261123T073000Z', 'DURATION:PT50M', 'SUMMARY:wis', 'END:VEVENT');
    const timetable = importIcs(text);
    expect(timetable.lessons.map((l) => l.uid)).toEqual(['no-uid:20261123T073000Z:wis']);
    expect(timetable.warnings).toHaveLength(1);
  });
});

describe('recurring lessons', () => {
  it('expand a weekly RRULE with UNTIL in the event zone', () => {
    const text = calendar(vevent('wis', `DTSTART;${TZ}:20261012T083000`, 'DURATION:PT50M', 'RRULE:FREQ=WEEKLY;UNTIL=20261102T073000Z'));
    expect(starts(importIcs(text).lessons)).toEqual([
      '2026-10-12T06:30:00.000Z',
      '2026-10-19T06:30:00.000Z',
      '2026-10-26T07:30:00.000Z',
      '2026-11-02T07:30:00.000Z',
    ]);
  });

  it('drop EXDATEs given as several properties, comma lists, folded lines, other zones and dates', () => {
    const text = calendar(
      vevent(
        'wis',
        `DTSTART;${TZ}:20261012T083000`,
        'DURATION:PT50M',
        'RRULE:FREQ=DAILY;COUNT=8',
        `EXDATE;${TZ}:20261013T083000,20261014T0`,
        ' 83000',
        'EXDATE:20261015T063000Z',
        'EXDATE;VALUE=DATE:20261016',
      ),
    );
    expect(starts(importIcs(text).lessons)).toEqual([
      '2026-10-12T06:30:00.000Z',
      '2026-10-17T06:30:00.000Z',
      '2026-10-18T06:30:00.000Z',
      '2026-10-19T06:30:00.000Z',
    ]);
  });

  it('add RDATEs to the rule', () => {
    const text = calendar(vevent('wis', `DTSTART;${TZ}:20261012T083000`, 'DURATION:PT50M', 'RRULE:FREQ=WEEKLY;COUNT=2', `RDATE;${TZ}:20261014T103000`));
    expect(starts(importIcs(text).lessons)).toEqual(['2026-10-12T06:30:00.000Z', '2026-10-14T08:30:00.000Z', '2026-10-19T06:30:00.000Z']);
  });

  it('import only the first occurrence of an unsupported rule, with a warning naming the event', () => {
    const timetable = importIcs(calendar(vevent('wis', 'DTSTART:20261012T063000Z', 'DURATION:PT50M', 'RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1')));
    expect(starts(timetable.lessons)).toEqual(['2026-10-12T06:30:00.000Z']);
    expect(timetable.warnings).toEqual([{ event: 'wis', message: 'RRULE BYSETPOS is not supported; only the first occurrence of wis is imported' }]);
  });

  it('expand an open-ended rule up to the horizon only', () => {
    const text = calendar(vevent('wis', 'DTSTART:20261012T063000Z', 'DURATION:PT50M', 'RRULE:FREQ=WEEKLY'));
    expect(importIcs(text, { horizonEnd: Date.UTC(2026, 10, 1) }).lessons).toHaveLength(3);
  });

  it('expand an open-ended rule for a year past the last event by default, whatever the clock says', () => {
    const text = calendar(vevent('wis', 'DTSTART:20260907T063000Z', 'DURATION:PT50M', 'RRULE:FREQ=WEEKLY'));
    const lessons = importIcs(text).lessons;
    expect(lessons).toHaveLength(53);
    expect(starts(lessons).at(-1)).toBe('2027-09-06T06:30:00.000Z');
  });

  it('warn when a bounded rule is cut at the horizon', () => {
    const text = calendar(vevent('wis', 'DTSTART:20261012T063000Z', 'DURATION:PT50M', 'RRULE:FREQ=WEEKLY;COUNT=100'));
    const timetable = importIcs(text, { horizonEnd: Date.UTC(2026, 10, 1) });
    expect(timetable.lessons).toHaveLength(3);
    expect(timetable.warnings).toEqual([{ event: 'wis', message: 'wis repeats beyond the import horizon; occurrences after 2026-10-26 are not imported' }]);
  });

  it('share one UID across all occurrences', () => {
    const text = calendar(vevent('wis', 'DTSTART:20261012T063000Z', 'DURATION:PT50M', 'RRULE:FREQ=DAILY;COUNT=3'));
    expect(importIcs(text).lessons.map((l) => l.uid)).toEqual(['wis', 'wis', 'wis']);
  });
});

describe('overrides (RECURRENCE-ID)', () => {
  const master = vevent('wis', 'SUMMARY:wis - h4a - JNS', 'LOCATION:B1.12', `DTSTART;${TZ}:20261012T083000`, `DTEND;${TZ}:20261012T092000`, 'RRULE:FREQ=WEEKLY;COUNT=3');

  it('replace their occurrence, also when they come before the master', () => {
    const override = vevent('wis', `RECURRENCE-ID;${TZ}:20261019T083000`, `DTSTART;${TZ}:20261019T101500`, `DTEND;${TZ}:20261019T110500`, 'LOCATION:B1.14', 'SEQUENCE:1');
    const lessons = importIcs(calendar(override, master)).lessons;
    expect(spans(lessons)).toEqual([
      '2026-10-12T06:30:00.000Z/2026-10-12T07:20:00.000Z',
      '2026-10-19T08:15:00.000Z/2026-10-19T09:05:00.000Z',
      '2026-10-26T07:30:00.000Z/2026-10-26T08:20:00.000Z',
    ]);
    expect(lessons.map((l) => l.location)).toEqual(['B1.12', 'B1.14', 'B1.12']);
  });

  it('match their occurrence by instant when written in UTC', () => {
    const override = vevent('wis', 'RECURRENCE-ID:20261019T063000Z', 'DTSTART:20261019T081500Z', 'DURATION:PT50M');
    expect(starts(importIcs(calendar(master, override)).lessons)).toEqual(['2026-10-12T06:30:00.000Z', '2026-10-19T08:15:00.000Z', '2026-10-26T07:30:00.000Z']);
  });

  it('cancel their occurrence with STATUS:CANCELLED, keeping it listed as cancelled', () => {
    const override = vevent('wis', `RECURRENCE-ID;${TZ}:20261019T083000`, `DTSTART;${TZ}:20261019T083000`, 'STATUS:CANCELLED');
    const lessons = importIcs(calendar(master, override)).lessons;
    expect(lessons.map((l) => [l.cancelled, l.subject, l.teachers[0]])).toEqual([
      [false, 'wis', 'JNS'],
      [true, 'wis', 'JNS'],
      [false, 'wis', 'JNS'],
    ]);
    expect(spans(lessons)[1]).toBe('2026-10-19T06:30:00.000Z/2026-10-19T07:20:00.000Z');
  });

  it('cancel their occurrence in place when they leave DTSTART out', () => {
    const override = vevent('wis', `RECURRENCE-ID;${TZ}:20261019T083000`, 'STATUS:CANCELLED');
    const lessons = importIcs(calendar(master, override)).lessons;
    expect(spans(lessons)[1]).toBe('2026-10-19T06:30:00.000Z/2026-10-19T07:20:00.000Z');
    expect(lessons.map((l) => l.cancelled)).toEqual([false, true, false]);
  });

  it('stand alone when their master is missing', () => {
    const override = vevent('wees', 'RECURRENCE-ID:20261019T063000Z', 'DTSTART:20261019T081500Z', 'DURATION:PT50M');
    expect(starts(importIcs(calendar(override)).lessons)).toEqual(['2026-10-19T08:15:00.000Z']);
  });
});

describe('duplicate events', () => {
  const version = (sequence: number, room: string, ...extra: string[]) =>
    vevent('les', 'DTSTART:20261123T073000Z', 'DURATION:PT50M', `SEQUENCE:${sequence}`, `LOCATION:${room}`, ...extra);

  it('collapse into one lesson', () => {
    expect(importIcs(calendar(version(0, 'b104'), version(0, 'b104'))).lessons).toHaveLength(1);
  });

  it('keep the highest SEQUENCE wherever it is in the file', () => {
    expect(importIcs(calendar(version(2, 'nieuw'), version(1, 'oud'))).lessons.map((l) => l.location)).toEqual(['nieuw']);
  });

  it('break SEQUENCE ties by LAST-MODIFIED, then DTSTAMP, then file order', () => {
    const newerEdit = calendar(version(1, 'nieuw', 'LAST-MODIFIED:20261120T000000Z'), version(1, 'oud', 'LAST-MODIFIED:20261101T000000Z'));
    expect(importIcs(newerEdit).lessons.map((l) => l.location)).toEqual(['nieuw']);
    const stamps = calendar(
      ['BEGIN:VEVENT', 'UID:les', 'DTSTAMP:20261120T000000Z', 'DTSTART:20261123T073000Z', 'DURATION:PT50M', 'LOCATION:nieuw', 'END:VEVENT'],
      ['BEGIN:VEVENT', 'UID:les', 'DTSTAMP:20261101T000000Z', 'DTSTART:20261123T073000Z', 'DURATION:PT50M', 'LOCATION:oud', 'END:VEVENT'],
    );
    expect(importIcs(stamps).lessons.map((l) => l.location)).toEqual(['nieuw']);
    expect(importIcs(calendar(version(1, 'eerst'), version(1, 'laatst'))).lessons.map((l) => l.location)).toEqual(['laatst']);
  });
});

describe('all-day events', () => {
  it('become dates, with an exclusive end, not lessons', () => {
    const timetable = importIcs(calendar(vevent('vak', 'SUMMARY:Herfstvakantie', 'DTSTART;VALUE=DATE:20261017', 'DTEND;VALUE=DATE:20261026')));
    expect(timetable.lessons).toEqual([]);
    expect(timetable.allDay).toEqual([{ uid: 'vak', start: '2026-10-17', end: '2026-10-26', summary: 'Herfstvakantie', noLessons: true }]);
  });

  it('last one day when they have no end', () => {
    expect(importIcs(calendar(vevent('dag', 'SUMMARY:Sportdag', 'DTSTART;VALUE=DATE:20261104'))).allDay).toEqual([
      { uid: 'dag', start: '2026-11-04', end: '2026-11-05', summary: 'Sportdag', noLessons: false },
    ]);
  });

  it("include Microsoft's midnight-to-midnight all-day events", () => {
    const text = calendar(
      vevent('ms', 'SUMMARY:Studiedag', `DTSTART;${TZ}:20261104T000000`, `DTEND;${TZ}:20261105T000000`, 'X-MICROSOFT-CDO-ALLDAYEVENT:TRUE'),
      vevent('ms-utc', 'SUMMARY:Lesvrij', 'DTSTART:20261105T230000Z', 'DTEND:20261106T230000Z', 'X-MICROSOFT-CDO-ALLDAYEVENT:TRUE'),
    );
    const timetable = importIcs(text);
    expect(timetable.lessons).toEqual([]);
    expect(timetable.allDay.map((e) => [e.uid, e.start, e.end, e.noLessons])).toEqual([
      ['ms', '2026-11-04', '2026-11-05', true],
      ['ms-utc', '2026-11-06', '2026-11-07', true],
    ]);
  });

  it('are dropped when cancelled: the lessons then do take place', () => {
    expect(importIcs(calendar(vevent('dag', 'SUMMARY:Studiedag', 'DTSTART;VALUE=DATE:20261104', 'STATUS:CANCELLED'))).allDay).toEqual([]);
  });
});

describe('sloppily written feeds', () => {
  it('are read with a byte order mark, bare LF line ends and lower-case names', () => {
    const text = '\uFEFF' + calendar(vevent('les', 'dtstart;tzid=Europe/Amsterdam:20261123T083000', 'duration:PT50M', 'summary:wis - h4a - JNS')).replace(/\r\n/g, '\n');
    const timetable = importIcs(text);
    expect(spans(timetable.lessons)).toEqual(['2026-11-23T07:30:00.000Z/2026-11-23T08:20:00.000Z']);
    expect(timetable.lessons[0]).toMatchObject({ subject: 'wis', teachers: ['JNS'] });
  });

  it('are read with a DTSTART folded inside its parameter', () => {
    const text = calendar(vevent('les', 'DTSTART;TZID=Europe/Ams', ' terdam:20261123T083000', 'DURATION:PT50M'));
    expect(starts(importIcs(text).lessons)).toEqual(['2026-11-23T07:30:00.000Z']);
  });
});

describe('the result', () => {
  it('is sorted by start, then UID', () => {
    const text = calendar(
      vevent('b', 'DTSTART:20261123T083000Z', 'DURATION:PT50M'),
      vevent('c', 'DTSTART:20261123T073000Z', 'DURATION:PT50M'),
      vevent('a', 'DTSTART:20261123T083000Z', 'DURATION:PT50M'),
    );
    expect(importIcs(text).lessons.map((l) => l.uid)).toEqual(['c', 'a', 'b']);
  });

  it('is the same for the same feed, whatever the event order', () => {
    const events = [
      vevent('x', 'DTSTART:20261123T083000Z', 'DURATION:PT50M', 'SUMMARY:ne'),
      vevent('y', 'DTSTART:20261124T083000Z', 'DURATION:PT50M', 'SUMMARY:en'),
      vevent('z', 'DTSTART:20261123T083000Z', 'DURATION:PT50M', 'SUMMARY:wis'),
    ];
    expect(importIcs(calendar(...events.reverse()))).toEqual(importIcs(calendar(...events.reverse())));
  });
});
