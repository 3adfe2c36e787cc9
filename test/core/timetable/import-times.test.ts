// Where an event's times land: UTC, TZID in all the ways feeds name zones,
// floating times, and the DST weeks (last Sundays of March and October).

import { describe, expect, it } from 'vitest';
import { importIcs } from '../../../src/core/timetable/import-ics.ts';
import { calendar, spans, starts, vevent } from './ics-text.ts';

const AMSTERDAM_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Customized Time Zone',
  'BEGIN:STANDARD',
  'DTSTART:16010101T030000',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10',
  'END:STANDARD',
  'BEGIN:DAYLIGHT',
  'DTSTART:16010101T020000',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3',
  'END:DAYLIGHT',
  'END:VTIMEZONE',
];

/** One 08:30–09:20 lesson on Monday 23 November 2026 (winter time) with the given TZID parameter. */
function lessonWithTzid(tzid: string, ...extra: string[]): string {
  return calendar(...extra, vevent('les', `DTSTART;TZID=${tzid}:20261123T083000`, `DTEND;TZID=${tzid}:20261123T092000`, 'SUMMARY:wis'));
}

const WINTER_0830 = '2026-11-23T07:30:00.000Z/2026-11-23T08:20:00.000Z';

describe('times with a zone', () => {
  it('reads UTC times as they are', () => {
    const timetable = importIcs(calendar(vevent('les', 'DTSTART:20261123T073000Z', 'DTEND:20261123T082000Z')));
    expect(spans(timetable.lessons)).toEqual([WINTER_0830]);
  });

  it('reads an IANA TZID without a VTIMEZONE, in any case', () => {
    expect(spans(importIcs(lessonWithTzid('Europe/Amsterdam')).lessons)).toEqual([WINTER_0830]);
    expect(spans(importIcs(lessonWithTzid('europe/amsterdam')).lessons)).toEqual([WINTER_0830]);
  });

  it('reads a zone far from the school in its own offset', () => {
    expect(starts(importIcs(lessonWithTzid('America/New_York')).lessons)).toEqual(['2026-11-23T13:30:00.000Z']);
  });

  it('reads Windows zone ids', () => {
    expect(spans(importIcs(lessonWithTzid('W. Europe Standard Time')).lessons)).toEqual([WINTER_0830]);
    expect(spans(importIcs(lessonWithTzid('Romance Standard Time')).lessons)).toEqual([WINTER_0830]);
  });

  it("reads Outlook's quoted, localized display names", () => {
    const timetable = importIcs(lessonWithTzid('"(UTC+01:00) Amsterdam, Berlijn, Bern, Rome, Stockholm, Wenen"'));
    expect(spans(timetable.lessons)).toEqual([WINTER_0830]);
    expect(timetable.warnings).toEqual([]);
  });

  it('reads IANA names behind a vendor prefix', () => {
    expect(spans(importIcs(lessonWithTzid('/mozilla.org/20050126_1/Europe/Amsterdam')).lessons)).toEqual([WINTER_0830]);
    expect(spans(importIcs(lessonWithTzid('/citadel.org/20190914_1/Europe/Amsterdam')).lessons)).toEqual([WINTER_0830]);
  });

  it("uses a VTIMEZONE's X-LIC-LOCATION when the TZID itself is no known name", () => {
    const vtimezone = ['BEGIN:VTIMEZONE', 'TZID:Amsterdam tijd', 'X-LIC-LOCATION:Europe/Amsterdam', ...AMSTERDAM_VTIMEZONE.slice(2)];
    const timetable = importIcs(lessonWithTzid('Amsterdam tijd', ...vtimezone));
    expect(spans(timetable.lessons)).toEqual([WINTER_0830]);
    expect(timetable.warnings).toEqual([]);
  });

  it("uses the school zone, with a warning, for an unnamed zone whose VTIMEZONE has the school's offsets", () => {
    const timetable = importIcs(lessonWithTzid('Customized Time Zone', ...AMSTERDAM_VTIMEZONE));
    expect(spans(timetable.lessons)).toEqual([WINTER_0830]);
    expect(timetable.warnings).toEqual([
      { event: null, message: expect.stringMatching(/^time zone "Customized Time Zone" is not a known name.*Europe\/Amsterdam is used$/) },
    ]);
  });

  it('skips an event whose VTIMEZONE has other offsets than the school, naming the event and the zone', () => {
    const eastern = AMSTERDAM_VTIMEZONE.map((l) => l.replace('+0200', '-0400').replace('+0100', '-0500'));
    const timetable = importIcs(lessonWithTzid('Customized Time Zone', ...eastern));
    expect(timetable.lessons).toEqual([]);
    expect(timetable.warnings).toEqual([
      { event: 'les', message: expect.stringMatching(/^unknown time zone "Customized Time Zone": event les skipped; /) },
    ]);
  });

  it('skips an event with an unknown zone and no VTIMEZONE, keeping the other events', () => {
    const timetable = importIcs(
      calendar(
        vevent('mars', 'DTSTART;TZID=Mars/Olympus_Mons:20261123T083000', 'DTEND;TZID=Mars/Olympus_Mons:20261123T092000'),
        vevent('aarde', 'DTSTART:20261123T073000Z', 'DTEND:20261123T082000Z'),
      ),
    );
    expect(timetable.lessons.map((l) => l.uid)).toEqual(['aarde']);
    expect(timetable.warnings.map((w) => w.message)).toEqual([
      'unknown time zone "Mars/Olympus_Mons": event mars skipped; set the rooster software to export times in UTC or with an IANA time zone such as Europe/Amsterdam',
    ]);
  });

  it('ignores a bare TZID property inside an event, as Somtoday writes it', () => {
    const timetable = importIcs(calendar(vevent('les', 'DTSTART:20261123T073000Z', 'DTEND:20261123T082000Z', 'TZID:America/New_York')));
    expect(spans(timetable.lessons)).toEqual([WINTER_0830]);
  });

  it('reads an end in another zone than the start', () => {
    const timetable = importIcs(calendar(vevent('les', 'DTSTART;TZID=Europe/Amsterdam:20261123T083000', 'DTEND:20261123T082000Z')));
    expect(spans(timetable.lessons)).toEqual([WINTER_0830]);
  });
});

describe('floating times', () => {
  const floating = (...extra: string[]) => calendar(...extra, vevent('les', 'DTSTART:20261123T083000', 'DTEND:20261123T092000'));

  it("use the calendar's X-WR-TIMEZONE", () => {
    expect(starts(importIcs(floating('X-WR-TIMEZONE:Europe/London')).lessons)).toEqual(['2026-11-23T08:30:00.000Z']);
  });

  it('use the school zone when there is no X-WR-TIMEZONE', () => {
    expect(starts(importIcs(floating(), { schoolTimeZone: 'Europe/Lisbon' }).lessons)).toEqual(['2026-11-23T08:30:00.000Z']);
  });

  it('default to Europe/Amsterdam, never the zone of the machine', () => {
    expect(spans(importIcs(floating()).lessons)).toEqual([WINTER_0830]);
  });

  it('fall back to the school zone, with a warning, when X-WR-TIMEZONE is not a zone', () => {
    const timetable = importIcs(floating('X-WR-TIMEZONE:Amsterdam/Centrum'));
    expect(spans(timetable.lessons)).toEqual([WINTER_0830]);
    expect(timetable.warnings).toEqual([{ event: null, message: 'X-WR-TIMEZONE "Amsterdam/Centrum" is not a known time zone; floating times are read in Europe/Amsterdam' }]);
  });

  it('still obey X-WR-TIMEZONE when it comes after the events', () => {
    const text = calendar(vevent('les', 'DTSTART:20261123T083000', 'DTEND:20261123T092000'), 'X-WR-TIMEZONE:Europe/London');
    expect(starts(importIcs(text).lessons)).toEqual(['2026-11-23T08:30:00.000Z']);
  });
});

describe('the DST weeks', () => {
  it('reads lessons on both sides of the last Sunday of March with a TZID', () => {
    const text = calendar(
      vevent('vr', 'DTSTART;TZID=Europe/Amsterdam:20270326T083000', 'DURATION:PT50M'),
      vevent('ma', 'DTSTART;TZID=Europe/Amsterdam:20270329T083000', 'DURATION:PT50M'),
    );
    expect(starts(importIcs(text).lessons)).toEqual(['2027-03-26T07:30:00.000Z', '2027-03-29T06:30:00.000Z']);
  });

  it('reads lessons on both sides of the last Sunday of October as floating times', () => {
    const text = calendar(
      vevent('vr', 'DTSTART:20261023T083000', 'DTEND:20261023T092000'),
      vevent('ma', 'DTSTART:20261026T083000', 'DTEND:20261026T092000'),
    );
    expect(starts(importIcs(text).lessons)).toEqual(['2026-10-23T06:30:00.000Z', '2026-10-26T07:30:00.000Z']);
  });

  it('keeps a daily 08:30 lesson at 08:30 across the March change', () => {
    const text = calendar(vevent('dagelijks', 'DTSTART;TZID=Europe/Amsterdam:20270326T083000', 'DTEND;TZID=Europe/Amsterdam:20270326T092000', 'RRULE:FREQ=DAILY;COUNT=5'));
    expect(spans(importIcs(text).lessons)).toEqual([
      '2027-03-26T07:30:00.000Z/2027-03-26T08:20:00.000Z',
      '2027-03-27T07:30:00.000Z/2027-03-27T08:20:00.000Z',
      '2027-03-28T06:30:00.000Z/2027-03-28T07:20:00.000Z',
      '2027-03-29T06:30:00.000Z/2027-03-29T07:20:00.000Z',
      '2027-03-30T06:30:00.000Z/2027-03-30T07:20:00.000Z',
    ]);
  });

  it('keeps a daily floating lesson at 08:30 across the October change', () => {
    const text = calendar(vevent('dagelijks', 'DTSTART:20261024T083000', 'DTEND:20261024T092000', 'RRULE:FREQ=DAILY;COUNT=3'));
    expect(starts(importIcs(text).lessons)).toEqual(['2026-10-24T06:30:00.000Z', '2026-10-25T07:30:00.000Z', '2026-10-26T07:30:00.000Z']);
  });

  it('moves a time in the spring gap forward, as RFC 5545 says', () => {
    const text = calendar(vevent('nacht', 'DTSTART;TZID=Europe/Amsterdam:20270328T023000', 'DURATION:PT30M'));
    expect(spans(importIcs(text).lessons)).toEqual(['2027-03-28T01:30:00.000Z/2027-03-28T02:00:00.000Z']);
  });

  it('takes the first of the repeated October hour', () => {
    const text = calendar(vevent('nacht', 'DTSTART;TZID=Europe/Amsterdam:20261025T023000', 'DURATION:PT30M'));
    expect(starts(importIcs(text).lessons)).toEqual(['2026-10-25T00:30:00.000Z']);
  });
});
