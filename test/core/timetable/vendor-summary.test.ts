import { describe, expect, it } from 'vitest';
import { vendorFromProdId, vendorFromUid, type Vendor } from '../../../src/core/timetable/vendor.ts';
import { isGroupToken, isRoomToken, parseLabelledDescription, parseSummary } from '../../../src/core/timetable/vendor-summary.ts';

const parse = (summary: string, vendor: Vendor = 'unknown', location?: string) => {
  const { subject, groups, teachers, room } = parseSummary(summary, { vendor, location });
  return { subject, groups, teachers, room };
};

describe('recognising the vendor', () => {
  it('reads PRODID', () => {
    expect(vendorFromProdId('Zermelo Roostermakers Portal API')).toBe('zermelo');
    expect(vendorFromProdId('-//Topicus//SOM //NL')).toBe('somtoday');
    expect(vendorFromProdId('Microsoft Exchange Server 2010')).toBe('outlook');
    expect(vendorFromProdId('-//Google Inc//Google Calendar 70.9054//EN')).toBe('google');
    expect(vendorFromProdId('-//Untis//WebUntis//NL')).toBe('untis');
    expect(vendorFromProdId('-//Iddink//Magister//NL')).toBe('magister');
    expect(vendorFromProdId('-//Apple Inc.//macOS 14//EN')).toBe('unknown');
    expect(vendorFromProdId(undefined)).toBe('unknown');
  });

  it('falls back to marks vendors leave in UIDs', () => {
    expect(vendorFromUid('040000008200E00074C5B7101A82E00800000000ABC')).toBe('outlook');
    expect(vendorFromUid('51200000000101@somtoday.nl')).toBe('somtoday');
    expect(vendorFromUid('2200101@kennemerlyceum')).toBe('unknown');
  });
});

describe('telling rooms, groups and subjects apart', () => {
  it('sees classes and cluster groups as groups', () => {
    for (const group of ['h4a', 'v4b', 'h4oeno2', '4vwo3', 'v4.ne2', 'v4.wisb1']) expect(isGroupToken(group), group).toBe(true);
  });

  it('sees room codes as rooms, not groups', () => {
    for (const room of ['b104', 'a012', 's5', 'tm145_o&o', 'B1.14', 'aula']) {
      expect(isRoomToken(room), room).toBe(true);
      expect(isGroupToken(room), room).toBe(false);
    }
  });

  it('sees subject codes as neither', () => {
    for (const subject of ['ne', 'wisb', 'inf', 'o&o']) {
      expect(isRoomToken(subject), subject).toBe(false);
      expect(isGroupToken(subject), subject).toBe(false);
    }
  });
});

describe('Somtoday summaries', () => {
  it('read room - group - TEACHER', () => {
    expect(parse('b104 - h4a - VRM', 'somtoday', 'b104')).toEqual({ subject: null, groups: ['h4a'], teachers: ['VRM'], room: 'b104' });
  });

  it('take a room with an underscore and an ampersand', () => {
    expect(parse('tm145_o&o - h4oeno2 - DKR', 'somtoday')).toEqual({ subject: null, groups: ['h4oeno2'], teachers: ['DKR'], room: 'tm145_o&o' });
  });

  it('are recognised without PRODID when the first part equals LOCATION', () => {
    expect(parse('lab - h4a - VRM', 'unknown', 'lab')).toMatchObject({ room: 'lab', subject: null });
  });
});

describe('Outlook summaries', () => {
  it('read subject - group - TEACHER and drop a trailing note', () => {
    expect(parse('wis - h4a - JNS (verplaatst)', 'outlook', 'B1.14')).toEqual({ subject: 'wis', groups: ['h4a'], teachers: ['JNS'], room: null });
  });

  it('read several groups and teachers', () => {
    expect(parse('lo - h4a, h4b - JNS/VRM', 'outlook')).toEqual({ subject: 'lo', groups: ['h4a', 'h4b'], teachers: ['JNS', 'VRM'], room: null });
  });

  it('ignore a status prefix', () => {
    expect(parse('Geannuleerd: wis - h4a - JNS', 'outlook')).toMatchObject({ subject: 'wis', teachers: ['JNS'] });
  });
});

describe('Zermelo summaries', () => {
  it('read room subject group', () => {
    expect(parse('b104 ne v4.ne2', 'zermelo')).toEqual({ subject: 'ne', groups: ['v4.ne2'], teachers: [], room: 'b104' });
  });

  it('read markers and several groups', () => {
    const fields = parseSummary('[o] [toets] t101 bi v4.bi1 v4.bi2', { vendor: 'zermelo', location: undefined });
    expect(fields).toEqual({ subject: 'bi', groups: ['v4.bi1', 'v4.bi2'], teachers: [], room: 't101', markers: ['o', 'toets'] });
  });

  it('read a lesson without a room', () => {
    expect(parse('inf v4.inf1', 'zermelo')).toEqual({ subject: 'inf', groups: ['v4.inf1'], teachers: [], room: null });
  });

  it('read a one-digit room', () => {
    expect(parse('s5 lo v4.lo3', 'zermelo')).toMatchObject({ room: 's5', subject: 'lo' });
  });

  it('are recognised without PRODID', () => {
    expect(parse('[x] c201 gs v4.gs1')).toEqual({ subject: 'gs', groups: ['v4.gs1'], teachers: [], room: 'c201' });
  });
});

describe('Magister summaries', () => {
  it('read subject - teacher in lower case', () => {
    expect(parse('fatl - oba', 'magister', '11s')).toEqual({ subject: 'fatl', groups: [], teachers: ['oba'], room: null });
  });

  it('read subject - teacher - class', () => {
    expect(parse('ne - vrm - 4vwo3', 'magister')).toEqual({ subject: 'ne', groups: ['4vwo3'], teachers: ['vrm'], room: null });
  });
});

describe('other summaries', () => {
  it('read comma-separated codes', () => {
    expect(parse('wis, h4a, JNS', 'untis')).toEqual({ subject: 'wis', groups: ['h4a'], teachers: ['JNS'], room: null });
  });

  it('read a subject followed by a class', () => {
    expect(parse('Wiskunde h4a', 'google')).toEqual({ subject: 'Wiskunde', groups: ['h4a'], teachers: [], room: null });
  });

  it('keep free text whole as the subject', () => {
    expect(parse('Toets wiskunde hoofdstuk 3', 'google')).toMatchObject({ subject: 'Toets wiskunde hoofdstuk 3', groups: [], teachers: [] });
    expect(parse('Studiedag - geen lessen')).toMatchObject({ subject: 'Studiedag - geen lessen', groups: [] });
    expect(parse('Les 3')).toMatchObject({ subject: 'Les 3', room: null });
  });

  it('give no subject for an empty summary', () => {
    expect(parse('')).toEqual({ subject: null, groups: [], teachers: [], room: null });
  });
});

describe('labelled descriptions', () => {
  it('read teachers, classes, subject and room in Dutch, German and English', () => {
    expect(parseLabelledDescription('Vak: wis\nDocent(en): JNS, VRM\nKlas: h4a\nLokaal: 104')).toEqual({
      subject: 'wis',
      teachers: ['JNS', 'VRM'],
      groups: ['h4a'],
      room: '104',
    });
    expect(parseLabelledDescription('Lehrer: MUE\nKlasse: 5b')).toEqual({ teachers: ['MUE'], groups: ['5b'] });
    expect(parseLabelledDescription('Teacher: ABC')).toEqual({ teachers: ['ABC'] });
  });

  it('ignore lines that are not labels it knows', () => {
    expect(parseLabelledDescription('Opmerkingen: neem je boek mee\nconstructor: x\nhttps://example.nl/a:b')).toEqual({});
  });
});
