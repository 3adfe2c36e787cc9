import { describe, expect, it } from 'vitest';
import { isCancelled, isOnline, meansNoLessons } from '../../../src/core/timetable/lesson-flags.ts';

const cancelled = (input: { status?: string; markers?: string[]; summary?: string; description?: string }) =>
  isCancelled({ status: '', markers: [], summary: '', description: '', ...input });

const online = (input: { hasOnlineMeeting?: boolean; summary?: string; description?: string; location?: string }) =>
  isOnline({ hasOnlineMeeting: false, summary: '', description: '', location: '', ...input });

describe('cancelled lessons', () => {
  it('follow STATUS:CANCELLED', () => {
    expect(cancelled({ status: 'CANCELLED', summary: 'wis - h4a - JNS' })).toBe(true);
  });

  it("follow Zermelo's [x] marker", () => {
    expect(cancelled({ markers: ['x'], summary: '[x] c201 gs v4.gs1' })).toBe(true);
  });

  it('follow Dutch wording in the summary', () => {
    for (const summary of ['VERVALLEN: wis - h4a - JNS', 'wis - h4a - JNS (vervalt)', 'Uitval 3e uur', 'Les gaat niet door']) {
      expect(cancelled({ summary }), summary).toBe(true);
    }
  });

  it('follow a remark about the lesson itself', () => {
    expect(cancelled({ description: 'c201 gs v4.gs1\nWijzigingen: Les vervalt' })).toBe(true);
    expect(cancelled({ description: 'De lessen vallen uit wegens ziekte' })).toBe(true);
    expect(cancelled({ description: 'Wijzigingen: Vervallen' })).toBe(true);
  });

  it('ignore remarks about something else', () => {
    expect(cancelled({ description: 'Opmerkingen: de toets is vervallen, we bespreken H3' })).toBe(false);
    expect(cancelled({ description: 'Huiswerk: lees over de uitval van de stroom' })).toBe(false);
    expect(cancelled({ summary: 'Uitvaluur-opvang' })).toBe(false);
  });

  it('ignore a denial', () => {
    expect(cancelled({ description: 'Let op: les vervalt niet, ook al is het studiedag' })).toBe(false);
  });

  it('are not flagged for other Zermelo markers', () => {
    expect(cancelled({ markers: ['>', 'o', 'toets'], summary: '[o] [toets] t101 bi v4.bi1' })).toBe(false);
  });
});

describe('online lessons', () => {
  it('follow a meeting the calendar attached', () => {
    expect(online({ hasOnlineMeeting: true })).toBe(true);
  });

  it('follow a platform as LOCATION', () => {
    for (const location of ['Online', 'Microsoft Teams', 'Teams', 'Online (Teams)', 'https://teams.microsoft.com/l/meetup-join/abc']) {
      expect(online({ location }), location).toBe(true);
    }
  });

  it("follow the feed's own words", () => {
    expect(online({ description: 'inf v4.inf1\nOpmerkingen: Online les via Teams' })).toBe(true);
    expect(online({ description: 'Deze les is online' })).toBe(true);
    expect(online({ summary: 'wis - h4a - JNS (online)' })).toBe(true);
    expect(online({ description: 'Deelnemen: https://meet.google.com/abc-defg-hij' })).toBe(true);
  });

  it('are not flagged for a room, a test or a denial', () => {
    expect(online({ location: 'b104', summary: '[o] [toets] t101 bi v4.bi1 v4.bi2' })).toBe(false);
    expect(online({ description: 'Geen online les vandaag, gewoon in b104' })).toBe(false);
    expect(online({ description: 'Zie de online lesstof in de ELO' })).toBe(false);
  });
});

describe('days without lessons', () => {
  it('are study days and holidays', () => {
    for (const summary of ['Studiedag (geen lessen)', 'Herfstvakantie', 'Koningsdag', 'Lesvrij', 'Vrij', 'Tweede Pinksterdag']) {
      expect(meansNoLessons(summary), summary).toBe(true);
    }
  });

  it('are not ordinary all-day events', () => {
    for (const summary of ['Vrijdagmiddagborrel', 'Toetsweek', 'Sportdag', 'Excursie Rijksmuseum', 'Ouderavond']) {
      expect(meansNoLessons(summary), summary).toBe(false);
    }
  });
});
