import { describe, expect, it } from 'vitest';
import {
  forEachUnfoldedLine,
  paramValue,
  parseContentLine,
  splitList,
  unescapeText,
  type ContentLine,
} from '../../../src/core/timetable/ics/content-lines.ts';
import { decodeIcsBytes } from '../../../src/core/timetable/ics/decode-bytes.ts';

function unfold(text: string): [string, number][] {
  const lines: [string, number][] = [];
  forEachUnfoldedLine(text, (line, number) => lines.push([line, number]));
  return lines;
}

function parsed(text: string): ContentLine {
  const result = parseContentLine(text, 1);
  if (typeof result === 'string') throw new Error(result);
  return result;
}

describe('unfolding content lines', () => {
  it('splits on CRLF, LF and a lone CR alike', () => {
    expect(unfold('A:1\r\nB:2\nC:3\rD:4').map(([l]) => l)).toEqual(['A:1', 'B:2', 'C:3', 'D:4']);
  });

  it('joins a fold that splits a word, removing exactly one space', () => {
    expect(unfold('DESCRIPTION:Toets hoofdstuk 3 en 4 (ce\r\n llen en weefsels)')).toEqual([
      ['DESCRIPTION:Toets hoofdstuk 3 en 4 (cellen en weefsels)', 1],
    ]);
  });

  it('keeps a space that belongs to the text after the fold space', () => {
    expect(unfold('SUMMARY:wis\r\n  - h4a')[0]![0]).toBe('SUMMARY:wis - h4a');
  });

  it('accepts a tab as the fold marker', () => {
    expect(unfold('SUMMARY:Neder\n\tlands')[0]![0]).toBe('SUMMARY:Nederlands');
  });

  it('joins the halves of a character split between two folds exactly', () => {
    const emoji = '\u{1F4DA}';
    const text = `SUMMARY:boek ${emoji[0]}\r\n ${emoji[1]} les`;
    expect(unfold(text)[0]![0]).toBe(`SUMMARY:boek ${emoji} les`);
  });

  it('reports the physical line a folded line starts on and skips blank lines', () => {
    expect(unfold('A:1\r\n\r\nB:2\r\n continued\r\nC:3\r\n').map(([, n]) => n)).toEqual([1, 3, 5]);
  });
});

describe('decoding bytes', () => {
  it('joins a UTF-8 character that a fold split between its bytes', () => {
    const bytes = new TextEncoder().encode('SUMMARY:caf\u00e9 les');
    const at = bytes.indexOf(0xa9); // second byte of "é"
    const folded = new Uint8Array([...bytes.slice(0, at), 0x0d, 0x0a, 0x20, ...bytes.slice(at)]);
    expect(decodeIcsBytes(folded)).toBe('SUMMARY:caf\u00e9 les');
  });

  it('drops a byte order mark', () => {
    expect(decodeIcsBytes(new Uint8Array([0xef, 0xbb, 0xbf, 0x41, 0x3a, 0x31]))).toBe('A:1');
  });
});

describe('parsing a content line', () => {
  it('upper-cases property and parameter names, keeping the value as written', () => {
    const line = parsed('dtStart;tzid=Europe/Amsterdam:20261123T083000');
    expect(line.name).toBe('DTSTART');
    expect(paramValue(line, 'TZID')).toBe('Europe/Amsterdam');
    expect(line.value).toBe('20261123T083000');
  });

  it('keeps colons, semicolons and commas inside a quoted parameter value', () => {
    const line = parsed('DTSTART;TZID="(UTC+01:00) Amsterdam, Berlijn; Bern":20261123T083000');
    expect(paramValue(line, 'TZID')).toBe('(UTC+01:00) Amsterdam, Berlijn; Bern');
    expect(line.value).toBe('20261123T083000');
  });

  it('splits multi-valued parameters and reads several parameters', () => {
    const line = parsed('ATTENDEE;ROLE=REQ-PARTICIPANT;DELEGATED-TO="mailto:a@x.nl","mailto:b@x.nl":mailto:c@x.nl');
    expect(line.params.get('DELEGATED-TO')).toEqual(['mailto:a@x.nl', 'mailto:b@x.nl']);
    expect(paramValue(line, 'ROLE')).toBe('REQ-PARTICIPANT');
    expect(line.value).toBe('mailto:c@x.nl');
  });

  it('keeps a colon inside the value', () => {
    expect(parsed('DESCRIPTION:Opmerkingen: Online les').value).toBe('Opmerkingen: Online les');
  });

  it('reports a line without a colon instead of guessing', () => {
    expect(parseContentLine('this is not a property', 7)).toMatch(/not an iCalendar line/);
    expect(parseContentLine('DTSTART;TZID="unterminated:20261123T083000', 7)).toMatch(/unterminated quoted parameter/);
    expect(parseContentLine(':no name', 7)).toMatch(/no property name/);
  });
});

describe('unescaping text', () => {
  it('turns \\, \\; \\\\ \\n and \\N into their characters', () => {
    expect(unescapeText('B1.12\\, 1e verdieping\\; lift\\nachter\\Nde aula \\\\ pad')).toBe(
      'B1.12, 1e verdieping; lift\nachter\nde aula \\ pad',
    );
  });

  it('keeps other backslashes as written', () => {
    expect(unescapeText('C:\\Users\\docent')).toBe('C:\\Users\\docent');
  });

  it('splits value lists on unescaped commas only', () => {
    expect(splitList('a,b\\,c,d')).toEqual(['a', 'b\\,c', 'd']);
  });
});
