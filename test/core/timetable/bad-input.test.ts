// Feeds that are not iCalendar, cut off, partly broken or hostile. The whole
// feed fails only when it is unusable; then the error says what and what to do.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importIcs, TimetableImportError } from '../../../src/core/timetable/import-ics.ts';
import { calendar, starts, vevent } from './ics-text.ts';

function importError(input: string): TimetableImportError {
  try {
    importIcs(input);
  } catch (error) {
    if (error instanceof TimetableImportError) return error;
    throw new Error(`threw something else: ${String(error)}`);
  }
  throw new Error('did not throw');
}

const outlook = readFileSync(new URL('../../fixtures/timetables/outlook-h4a.ics', import.meta.url), 'utf8');

describe('text that is not iCalendar', () => {
  it('is refused when empty', () => {
    for (const empty of ['', '   \r\n\r\n', '\uFEFF']) expect(importError(empty).message).toMatch(/^The timetable feed is empty\./);
  });

  it('is refused as an HTML page, such as a login or error page', () => {
    expect(importError('<!DOCTYPE html><html><body>Sessie verlopen</body></html>').message).toMatch(/is an HTML page, not an iCalendar file.*feed URL/);
  });

  it('is refused as JSON', () => {
    expect(importError('{"error":"unauthorized"}').message).toMatch(/is JSON, not an iCalendar file/);
  });

  it('is refused with the first line quoted', () => {
    expect(importError('BEGIN:VCARD\r\nFN:Jansen\r\nEND:VCARD').message).toBe(
      'The timetable feed is not an iCalendar file: it should start with BEGIN:VCALENDAR but starts with "BEGIN:VCARD". Check the feed URL.',
    );
  });
});

describe('a feed that was cut off', () => {
  it('is refused without END:VCALENDAR, naming the last complete event', () => {
    const cut = outlook.slice(0, outlook.lastIndexOf('END:VCALENDAR'));
    expect(importError(cut).message).toBe(
      'The timetable feed is incomplete: VCALENDAR begun on line 1 is not closed (the feed ends first); the last complete event is 040000008200E00074C5B7101A82E00800000000H4A-STUDIEDAG. The download was probably cut off. Keep the previous timetable and fetch the feed again later.',
    );
  });

  it('is refused when it ends inside an event', () => {
    const cut = outlook.slice(0, outlook.indexOf('SEQUENCE:1'));
    expect(importError(cut).message).toMatch(
      /^The timetable feed is incomplete: VEVENT begun on line 32 is not closed \(the feed ends first\); the last complete event is 040000008200E00074C5B7101A82E00800000000H4A-WIS-MA\./,
    );
  });

  it('is refused when an unterminated event is followed by END:VCALENDAR', () => {
    const text = calendar(vevent('heel', 'DTSTART:20261123T073000Z', 'DURATION:PT50M'), 'BEGIN:VEVENT', 'UID:half', 'DTSTART:20261123T083000Z');
    expect(importError(text).message).toMatch(/VEVENT begun on line 10 is not closed \(line 13 has END:VCALENDAR\); the last complete event is heel\./);
  });

  it('is refused at any point it is cut, never with another error', () => {
    for (let end = 1; end < outlook.length; end += 7) {
      const cut = outlook.slice(0, end);
      if (cut.trimEnd().endsWith('END:VCALENDAR')) continue;
      expect(() => importIcs(cut), `cut at ${end}`).toThrow(TimetableImportError);
    }
  });
});

describe('a feed with one broken part', () => {
  it('imports the rest and names the event with a malformed line', () => {
    const text = calendar(vevent('kapot', 'DTSTART:20261123T073000Z', 'DURATION:PT50M', 'dit is geen property'), vevent('heel', 'DTSTART:20261123T083000Z', 'DURATION:PT50M'));
    const timetable = importIcs(text);
    expect(timetable.lessons.map((l) => l.uid)).toEqual(['kapot', 'heel']);
    expect(timetable.warnings).toEqual([{ event: 'kapot', message: 'line 9: not an iCalendar line (no ":" after DIT), ignored' }]);
  });

  it('skips an event with an unreadable DTSTART, naming it', () => {
    const text = calendar(vevent('kapot', 'DTSTART:2026-11-23 08:30', 'DURATION:PT50M'), vevent('heel', 'DTSTART:20261123T083000Z', 'DURATION:PT50M'));
    const timetable = importIcs(text);
    expect(timetable.lessons.map((l) => l.uid)).toEqual(['heel']);
    expect(timetable.warnings).toEqual([{ event: 'kapot', message: 'DTSTART "2026-11-23 08:30" is not a date-time: event kapot skipped' }]);
  });

  it('ignores an unreadable EXDATE value with a warning, keeping the event', () => {
    const text = calendar(vevent('wis', 'DTSTART:20261012T063000Z', 'DURATION:PT50M', 'RRULE:FREQ=DAILY;COUNT=2', 'EXDATE:morgen'));
    const timetable = importIcs(text);
    expect(timetable.lessons).toHaveLength(2);
    expect(timetable.warnings).toEqual([{ event: 'wis', message: 'EXDATE/RDATE value ignored: EXDATE "morgen" is not a date-time' }]);
  });

  it('warns about text after END:VCALENDAR and imports the calendar', () => {
    const timetable = importIcs(calendar(vevent('les', 'DTSTART:20261123T073000Z', 'DURATION:PT50M')) + '<html>oops</html>\r\n');
    expect(timetable.lessons).toHaveLength(1);
    expect(timetable.warnings).toEqual([{ event: null, message: 'line 11: "<html>oops</html>" after END:VCALENDAR ignored' }]);
  });

  it('reads several calendars in one stream', () => {
    const text = calendar(vevent('een', 'DTSTART:20261123T073000Z', 'DURATION:PT50M')) + calendar(vevent('twee', 'DTSTART:20261123T083000Z', 'DURATION:PT50M'));
    expect(importIcs(text).lessons.map((l) => l.uid)).toEqual(['een', 'twee']);
  });
});

describe('hostile input', () => {
  // A hang would hit the test timeout; speed itself is measured by `npm run bench`.
  it('handles a 10 MB line', () => {
    const huge = 'x'.repeat(10_000_000);
    const text = calendar(vevent('groot', 'DTSTART:20261123T073000Z', 'DURATION:PT50M', `SUMMARY:${huge}`, `DESCRIPTION:${huge}`, `X-JUNK;A="${huge}":${huge}`));
    const timetable = importIcs(text);
    expect(timetable.lessons).toHaveLength(1);
    expect(timetable.lessons[0]!.subject!.length).toBeLessThanOrEqual(4000);
  });

  it('keeps warnings short when the broken text is huge', () => {
    const huge = 'X'.repeat(1_000_000);
    const text = calendar(vevent('les', 'DTSTART:20261123T073000Z', 'DURATION:PT50M', huge, `EXDATE;TZID=${huge}:20261123T083000`), `BEGIN:${huge}`, `END:${huge}`);
    const timetable = importIcs(text);
    expect(timetable.lessons).toHaveLength(1);
    expect(timetable.warnings.length).toBeGreaterThanOrEqual(2);
    for (const warning of timetable.warnings) expect(warning.message.length).toBeLessThan(400);
  });

  it('refuses components nested absurdly deep', () => {
    const text = calendar(...Array.from({ length: 10_000 }, () => 'BEGIN:VEVENT'));
    expect(importError(text).message).toMatch(/nests components more than 8 deep/);
  });

  it('caps an absurd COUNT with a warning', () => {
    const timetable = importIcs(calendar(vevent('dag', 'DTSTART:20261012T063000Z', 'DURATION:PT50M', 'RRULE:FREQ=DAILY;COUNT=999999999')), {
      horizonEnd: Date.UTC(2100, 0, 1),
    });
    expect(timetable.lessons).toHaveLength(5000);
    expect(timetable.warnings).toEqual([{ event: 'dag', message: 'dag repeats more than 5000 times; occurrences after 2040-06-19 are not imported' }]);
  });

  it('reads COUNT=1e9 as a broken rule: only the first occurrence', () => {
    const timetable = importIcs(calendar(vevent('dag', 'DTSTART:20261012T063000Z', 'DURATION:PT50M', 'RRULE:FREQ=DAILY;COUNT=1e9')));
    expect(starts(timetable.lessons)).toEqual(['2026-10-12T06:30:00.000Z']);
    expect(timetable.warnings[0]!.message).toMatch(/^RRULE COUNT=1E9 is not valid/);
  });

  it('refuses a feed whose rules expand into millions of lessons', () => {
    const events = Array.from({ length: 700 }, (_, i) => vevent(`dag${i}`, 'DTSTART:20261012T063000Z', 'DURATION:PT50M', 'RRULE:FREQ=DAILY'));
    expect(() => importIcs(calendar(...events), { horizonEnd: Date.UTC(2100, 0, 1) })).toThrow(/expand into more than a million lessons/);
  });

  it('never throws anything but TimetableImportError on garbled feeds', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = ':;,"=\\\r\n TZIDBEGINEND\u00e9\uD800';
    for (let round = 0; round < 300; round++) {
      const chars = [...outlook];
      for (let k = 0; k < 5; k++) chars[random(chars.length)] = alphabet[random(alphabet.length)]!;
      const garbled = chars.join('');
      try {
        importIcs(garbled);
      } catch (error) {
        expect(error, `round ${round}`).toBeInstanceOf(TimetableImportError);
      }
    }
  });
});

describe('options', () => {
  it('refuse a school time zone that is not IANA', () => {
    expect(() => importIcs(calendar(), { schoolTimeZone: 'Amsterdam' })).toThrow(TimetableImportError);
  });

  it('accept bytes as well as text', () => {
    const bytes = new TextEncoder().encode(calendar(vevent('les', 'DTSTART:20261123T073000Z', 'DURATION:PT50M', 'SUMMARY:Fran\u00e7ais')));
    expect(importIcs(bytes).lessons[0]!.subject).toBe('Fran\u00e7ais');
  });
});
