import { describe, expect, it } from 'vitest';
import { formatLocalDate, localToInstant, type LocalDateTime } from '../../../src/core/time/zoned.ts';
import { parseRecurrenceRule, type RecurrenceRule } from '../../../src/core/timetable/ics/recurrence-rule.ts';
import { TimetableImportError } from '../../../src/core/timetable/import-error.ts';
import { ExpansionBudget, expandRule, type ExpansionLimits } from '../../../src/core/timetable/recurrence.ts';

const AMS = 'Europe/Amsterdam';
const FAR = Date.UTC(2100, 0, 1);

function rule(text: string): RecurrenceRule {
  const parsed = parseRecurrenceRule(text);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.rule;
}

function at(date: string, time = '08:30'): LocalDateTime {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return { year, month, day, hour, minute, second: 0 };
}

function limits(overrides: Partial<ExpansionLimits> = {}): ExpansionLimits {
  return { horizonEnd: FAR, maxOccurrences: 10_000, budget: new ExpansionBudget(1_000_000), ...overrides };
}

/** Occurrence dates of an Amsterdam 08:30 event. */
function dates(ruleText: string, start: string, extra: Partial<ExpansionLimits> = {}): string[] {
  return expandRule(rule(ruleText), at(start), (l) => localToInstant(l, AMS), limits(extra)).starts.map(formatLocalDate);
}

describe('parsing RRULE', () => {
  it('reads every supported part', () => {
    expect(rule('FREQ=MONTHLY;INTERVAL=2;COUNT=6;BYDAY=2MO,-1FR;BYMONTHDAY=-1;BYMONTH=1,9;WKST=SU')).toEqual({
      freq: 'MONTHLY',
      interval: 2,
      count: 6,
      until: undefined,
      byDay: [
        { weekday: 1, ordinal: 2 },
        { weekday: 5, ordinal: -1 },
      ],
      byMonthDay: [-1],
      byMonth: [1, 9],
      weekStart: 7,
    });
  });

  it('reads UNTIL as a date, a UTC date-time or a floating date-time', () => {
    expect(rule('FREQ=DAILY;UNTIL=20261231').until).toEqual({ kind: 'date', date: { year: 2026, month: 12, day: 31 } });
    expect(rule('FREQ=DAILY;UNTIL=20261231T225959Z').until).toMatchObject({ kind: 'date-time', utc: true });
    expect(rule('FREQ=DAILY;UNTIL=20261231T235959').until).toMatchObject({ kind: 'date-time', utc: false });
  });

  it('refuses parts it would have to ignore, rather than inventing lessons', () => {
    expect(parseRecurrenceRule('FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1')).toEqual({ problem: 'RRULE BYSETPOS is not supported' });
    expect(parseRecurrenceRule('FREQ=DAILY;BYHOUR=8,10')).toEqual({ problem: 'RRULE BYHOUR is not supported' });
    expect(parseRecurrenceRule('FREQ=HOURLY')).toEqual({ problem: 'RRULE FREQ=HOURLY is not supported' });
  });

  it('refuses malformed values', () => {
    for (const bad of ['COUNT=1e9', 'COUNT=0', 'INTERVAL=-1', 'BYDAY=XX', 'BYDAY=0MO', 'BYMONTH=13', 'BYMONTHDAY=0', 'UNTIL=2026-12-31', 'WKST=ZZ']) {
      expect(parseRecurrenceRule(`FREQ=MONTHLY;${bad}`), bad).toHaveProperty('problem');
    }
    expect(parseRecurrenceRule('FREQ=WEEKLY;BYDAY=1MO')).toHaveProperty('problem');
    expect(parseRecurrenceRule('INTERVAL=2')).toEqual({ problem: 'RRULE has no FREQ' });
  });
});

describe('expanding RRULE', () => {
  it('counts DTSTART as the first of COUNT occurrences', () => {
    expect(dates('FREQ=WEEKLY;COUNT=3', '2026-10-12')).toEqual(['2026-10-12', '2026-10-19', '2026-10-26']);
  });

  it('expands several weekdays per week in order, every other week', () => {
    expect(dates('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=5', '2026-09-03')).toEqual([
      '2026-09-03',
      '2026-09-14',
      '2026-09-17',
      '2026-09-28',
      '2026-10-01',
    ]);
  });

  it('lets WKST decide which weeks an INTERVAL=2 rule skips (RFC 5545 example)', () => {
    expect(dates('FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO', '1997-08-05')).toEqual([
      '1997-08-05',
      '1997-08-10',
      '1997-08-19',
      '1997-08-24',
    ]);
    expect(dates('FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU', '1997-08-05')).toEqual([
      '1997-08-05',
      '1997-08-17',
      '1997-08-19',
      '1997-08-31',
    ]);
  });

  it('includes a date UNTIL as a whole day', () => {
    expect(dates('FREQ=DAILY;UNTIL=20261014', '2026-10-12')).toEqual(['2026-10-12', '2026-10-13', '2026-10-14']);
  });

  it('compares a UTC UNTIL with the instant, not the wall clock', () => {
    // 08:30 Amsterdam is 06:30Z in October: an UNTIL of 06:30Z on the 14th includes the 14th, 06:29Z does not.
    expect(dates('FREQ=DAILY;UNTIL=20261014T063000Z', '2026-10-12')).toEqual(['2026-10-12', '2026-10-13', '2026-10-14']);
    expect(dates('FREQ=DAILY;UNTIL=20261014T062900Z', '2026-10-12')).toEqual(['2026-10-12', '2026-10-13']);
  });

  it('compares a floating UNTIL with the wall clock', () => {
    expect(dates('FREQ=DAILY;UNTIL=20261014T083000', '2026-10-12')).toEqual(['2026-10-12', '2026-10-13', '2026-10-14']);
    expect(dates('FREQ=DAILY;UNTIL=20261014T082959', '2026-10-12')).toEqual(['2026-10-12', '2026-10-13']);
  });

  it('finds the last Friday and the second Monday of each month', () => {
    expect(dates('FREQ=MONTHLY;BYDAY=-1FR;COUNT=3', '2026-09-25')).toEqual(['2026-09-25', '2026-10-30', '2026-11-27']);
    expect(dates('FREQ=MONTHLY;BYDAY=2MO;COUNT=3', '2026-09-14')).toEqual(['2026-09-14', '2026-10-12', '2026-11-09']);
  });

  it('skips months without the day instead of moving it', () => {
    expect(dates('FREQ=MONTHLY;COUNT=3', '2027-01-31')).toEqual(['2027-01-31', '2027-03-31', '2027-05-31']);
    expect(dates('FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3', '2027-01-31')).toEqual(['2027-01-31', '2027-02-28', '2027-03-31']);
  });

  it('intersects BYMONTHDAY with BYDAY (Friday the 13th)', () => {
    expect(dates('FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13;COUNT=3', '2026-02-13')).toEqual(['2026-02-13', '2026-03-13', '2026-11-13']);
  });

  it('finds the last Sunday of March and October, the rule of European DST', () => {
    expect(dates('FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU;COUNT=4', '2026-03-29')).toEqual([
      '2026-03-29',
      '2026-10-25',
      '2027-03-28',
      '2027-10-31',
    ]);
  });

  it('counts a yearly weekday position within the year when there is no BYMONTH', () => {
    expect(dates('FREQ=YEARLY;BYDAY=20MO;COUNT=2', '2026-05-18')).toEqual(['2026-05-18', '2027-05-17']);
  });

  it('limits a daily rule to the given weekdays and months', () => {
    expect(dates('FREQ=DAILY;BYDAY=MO,WE;BYMONTH=11;COUNT=4', '2026-10-28')).toEqual(['2026-10-28', '2026-11-02', '2026-11-04', '2026-11-09']);
  });

  it('keeps the wall-clock time across the March clock change', () => {
    const instants = expandRule(rule('FREQ=DAILY;COUNT=3'), at('2027-03-27'), (l) => localToInstant(l, AMS), limits()).starts.map((l) =>
      new Date(localToInstant(l, AMS)).toISOString(),
    );
    expect(instants).toEqual(['2027-03-27T07:30:00.000Z', '2027-03-28T06:30:00.000Z', '2027-03-29T06:30:00.000Z']);
  });

  it('stops an unbounded rule at the horizon and says so', () => {
    const horizonEnd = localToInstant(at('2026-10-01', '00:00'), AMS);
    const expansion = expandRule(rule('FREQ=WEEKLY'), at('2026-09-07'), (l) => localToInstant(l, AMS), limits({ horizonEnd }));
    expect(expansion.starts.map(formatLocalDate)).toEqual(['2026-09-07', '2026-09-14', '2026-09-21', '2026-09-28']);
    expect(expansion.stoppedBy).toBe('horizon');
  });

  it('stops at the occurrence cap', () => {
    const expansion = expandRule(rule('FREQ=DAILY;COUNT=999999999'), at('2026-09-07'), (l) => localToInstant(l, AMS), limits({ maxOccurrences: 10 }));
    expect(expansion.starts).toHaveLength(10);
    expect(expansion.stoppedBy).toBe('cap');
  });

  it('gives up on a date that never comes instead of looping for ever', () => {
    const expansion = expandRule(rule('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30'), at('2026-02-01'), (l) => localToInstant(l, AMS), limits());
    expect(expansion.starts.map(formatLocalDate)).toEqual(['2026-02-01']);
  });

  it('throws the import error when the shared budget runs out', () => {
    const budget = new ExpansionBudget(100);
    expect(() => expandRule(rule('FREQ=DAILY'), at('2026-09-07'), (l) => localToInstant(l, AMS), limits({ budget }))).toThrow(TimetableImportError);
  });
});
