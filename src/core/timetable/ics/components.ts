// The BEGIN/END structure of an iCalendar stream, read in two passes.
//
// Pass 1 (readStructure) checks the whole structure and keeps only what is
// not an event: calendar properties and VTIMEZONEs. Structure errors are fatal:
// a feed cut off in transit still parses line by line, and importing the part
// that arrived would silently drop every lesson after the cut.
//
// Pass 2 (forEachEvent) hands over one VEVENT at a time, by then with the
// whole calendar context known, whatever order the file has it in. A year of
// lessons is close to a million lines; not holding them all at once keeps
// garbage collection from dominating the import.

import { TimetableImportError } from '../import-error.ts';
import { clip } from '../warnings.ts';
import { forEachUnfoldedLine, parseContentLine, unescapeText, type ContentLine } from './content-lines.ts';

export interface LineProblem {
  readonly line: number;
  readonly message: string;
}

/** A component with its own lines still raw: they are parsed when read. */
export interface Component {
  /** Upper-cased, e.g. "VEVENT". */
  readonly name: string;
  /** The line of its BEGIN. */
  readonly line: number;
  /** Its own (unfolded) property lines, and the line number each starts on. */
  readonly rawLines: string[];
  readonly lineNumbers: number[];
  /** Sub-components; empty for the VEVENTs forEachEvent hands over, whose VALARMs nobody needs. */
  readonly children: Component[];
}

export interface Structure {
  /** Each VCALENDAR with its properties and non-event children (VTIMEZONE…). */
  readonly calendars: Component[];
  /** Problems outside any calendar (text after END:VCALENDAR). */
  readonly problems: LineProblem[];
}

export interface Properties {
  readonly properties: ContentLine[];
  /** Lines that are not content lines; whoever reads the component reports them. */
  readonly problems: LineProblem[];
}

/** Real feeds nest three deep (VCALENDAR > VEVENT > VALARM, VTIMEZONE > STANDARD); anything far deeper is not a timetable. */
const MAX_DEPTH = 8;

export function readProperties(component: Component): Properties {
  const properties: ContentLine[] = [];
  const problems: LineProblem[] = [];
  for (let i = 0; i < component.rawLines.length; i++) {
    const line = component.lineNumbers[i]!;
    const parsed = parseContentLine(component.rawLines[i]!, line);
    if (typeof parsed === 'string') problems.push({ line, message: parsed });
    else properties.push(parsed);
  }
  return { properties, problems };
}

/** The first property of a component with this name. */
export function property(component: Component, name: string): ContentLine | undefined {
  return readProperties(component).properties.find((p) => p.name === name);
}

/** How an event is named in messages: its UID when it has one, else the line it starts on. */
export function eventLabel(properties: readonly ContentLine[], beginLine: number): string {
  const uid = properties.find((p) => p.name === 'UID');
  const text = uid ? unescapeText(uid.value.slice(0, 200)).trim() : '';
  return text ? text : `line ${beginLine}`;
}

function describeNonCalendar(text: string): string {
  const start = text.trimStart();
  if (start.length === 0) {
    return 'The timetable feed is empty. Check that the feed URL is right and that the rooster software still publishes it.';
  }
  const first = start[0];
  if (first === '<') {
    return 'The timetable feed is an HTML page, not an iCalendar file (probably a login or error page). Check that the feed URL is the iCal/ICS link and that it has not expired.';
  }
  if (first === '{' || first === '[') {
    return 'The timetable feed is JSON, not an iCalendar file. Use the iCal/ICS link of the rooster software, not its API.';
  }
  const firstLine = start.slice(0, 200).split(/\r\n|\n|\r/)[0] ?? '';
  return `The timetable feed is not an iCalendar file: it should start with BEGIN:VCALENDAR but starts with "${clip(firstLine)}". Check the feed URL.`;
}

/** "BEGIN" or "END" when the line is one (names are case-insensitive), else undefined. Cheap: most lines are neither. */
function delimiter(text: string): 'BEGIN' | 'END' | undefined {
  const first = text.charCodeAt(0) | 0x20;
  if (first === 0x62 && text.length > 6 && text.slice(0, 6).toUpperCase() === 'BEGIN:') return 'BEGIN';
  if (first === 0x65 && text.length > 4 && text.slice(0, 4).toUpperCase() === 'END:') return 'END';
  return undefined;
}

function delimitedName(text: string, kind: 'BEGIN' | 'END'): string {
  return text.slice(kind.length + 1).trim().toUpperCase();
}

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Tracks the UID of the last complete event, for the message when the feed turns out to be cut off. */
class LastEvent {
  private uidLine: string | undefined;
  private complete: string | undefined;

  sawLine(raw: string): void {
    if ((raw.charCodeAt(0) | 0x20) === 0x75 && /^uid[:;]/i.test(raw.slice(0, 4))) this.uidLine = raw;
  }

  ended(beginLine: number): void {
    const parsed = this.uidLine === undefined ? undefined : parseContentLine(this.uidLine, 0);
    this.complete = typeof parsed === 'object' ? eventLabel([parsed], beginLine) : `line ${beginLine}`;
    this.uidLine = undefined;
  }

  describe(): string {
    return this.complete ? `the last complete event is ${this.complete}` : 'no event was complete';
  }
}

/**
 * Pass 1: checks that the text is iCalendar with a complete BEGIN/END
 * structure, and returns the calendars without their events. Throws
 * TimetableImportError when the feed as a whole is unusable.
 */
export function readStructure(input: string): Structure {
  const text = withoutBom(input);
  const calendars: Component[] = [];
  const problems: LineProblem[] = [];
  // Open components; events and what is inside them are tracked by name only.
  const stack: { name: string; line: number; kept: Component | undefined }[] = [];
  const lastEvent = new LastEvent();
  let seenAny = false;

  const truncated = (open: { name: string; line: number }, found: string): TimetableImportError =>
    new TimetableImportError(
      `The timetable feed is incomplete: ${open.name} begun on line ${open.line} is not closed (${found}); ${lastEvent.describe()}. The download was probably cut off. Keep the previous timetable and fetch the feed again later.`,
    );

  forEachUnfoldedLine(text, (raw, line) => {
    if (!seenAny) {
      seenAny = true;
      if (raw.trim().toUpperCase() !== 'BEGIN:VCALENDAR') throw new TimetableImportError(describeNonCalendar(text));
    }
    const current = stack[stack.length - 1];
    const kind = delimiter(raw);
    if (kind === 'BEGIN') {
      const name = delimitedName(raw, kind);
      if (!current && name !== 'VCALENDAR') {
        problems.push({ line, message: `BEGIN:${clip(name)} outside a calendar ignored` });
        return;
      }
      if (stack.length >= MAX_DEPTH) {
        throw new TimetableImportError(
          `The timetable feed nests components more than ${MAX_DEPTH} deep (line ${line}); this is not a timetable export. Check the feed URL.`,
        );
      }
      const keep = current?.kept !== undefined && !(stack.length === 1 && name === 'VEVENT');
      const kept: Component | undefined = !current || keep ? { name, line, rawLines: [], lineNumbers: [], children: [] } : undefined;
      if (kept) current?.kept?.children.push(kept);
      stack.push({ name, line, kept });
    } else if (kind === 'END') {
      const name = delimitedName(raw, kind);
      if (!current) {
        problems.push({ line, message: `END:${clip(name)} outside a calendar ignored` });
        return;
      }
      if (name !== current.name) throw truncated(current, `line ${line} has END:${clip(name)}`);
      stack.pop();
      if (name === 'VEVENT' && stack.length === 1) lastEvent.ended(current.line);
      if (stack.length === 0 && current.kept) calendars.push(current.kept);
    } else if (current) {
      current.kept?.rawLines.push(raw);
      current.kept?.lineNumbers.push(line);
      if (stack.length === 2) lastEvent.sawLine(raw);
    } else {
      problems.push({ line, message: `"${clip(raw, 40)}" after END:VCALENDAR ignored` });
    }
  });

  if (!seenAny) throw new TimetableImportError(describeNonCalendar(text));
  const open = stack[stack.length - 1];
  if (open) throw truncated(open, 'the feed ends first');
  return { calendars, problems };
}

/**
 * Pass 2: calls `visit` with each VEVENT of each calendar (numbered from 0 in
 * file order), one at a time. Only call it on text readStructure accepted.
 */
export function forEachEvent(input: string, visit: (event: Component, calendarIndex: number) => void): void {
  let depth = 0;
  let calendarIndex = -1;
  let event: Component | undefined;
  forEachUnfoldedLine(withoutBom(input), (raw, line) => {
    const kind = delimiter(raw);
    if (kind === 'BEGIN') {
      const name = delimitedName(raw, kind);
      if (depth === 0 && name !== 'VCALENDAR') return; // ignored by readStructure too
      depth++;
      if (depth === 1) calendarIndex++;
      else if (depth === 2 && name === 'VEVENT') event = { name, line, rawLines: [], lineNumbers: [], children: [] };
    } else if (kind === 'END') {
      if (depth === 2 && event) {
        visit(event, calendarIndex);
        event = undefined;
      }
      depth = Math.max(0, depth - 1);
    } else if (depth === 2 && event) {
      event.rawLines.push(raw);
      event.lineNumbers.push(line);
    }
  });
}
