// Subject, groups, teachers and room from the way rooster systems write a
// lesson's SUMMARY (and, for some, labelled lines in DESCRIPTION).
//
// Formats seen in Dutch feeds:
//   Somtoday   "b104 - h4a - VRM"          room - group - TEACHER
//   Outlook    "wis - h4a - JNS (verplaatst)"  subject - group - TEACHER (note)
//   Magister   "fatl - oba", "ne - vrm - h4a"  subject - teacher (lower case) [- group]
//   Zermelo    "[>] a012 wisb v4.wisb1"     [markers] room subject group…, room optional
//   Untis and others, as configured: "wis, h4a, JNS", or "wis" with
//   "Docent: JNS" / "Klas: h4a" lines in DESCRIPTION.
// Anything else (Google Calendar, free text) keeps the whole summary as subject.
//
// Heuristics for single tokens, in Dutch secondary school conventions:
//   teacher  2–4 capital letters (JNS, VRM); lower case only where Magister writes them so
//   group    a class, year digit then letters ("h4a", "h4oeno2", "4vwo3"), or a cluster
//            with a dot before letters ("v4.ne2")
//   room     anything else containing a digit ("b104", "s5", "tm145_o&o", "B1.14"),
//            or a known room word ("aula")
//   subject  what is left: short lower-case codes ("ne", "wisb", "inf")
// Position decides the rest: a room, when present, comes first.

import type { Vendor } from './vendor.ts';

export interface SummaryFields {
  readonly subject: string | null;
  readonly groups: readonly string[];
  readonly teachers: readonly string[];
  readonly room: string | null;
  /** Zermelo's bracketed markers, lower-cased without brackets: "x", ">", "o", "toets". */
  readonly markers: readonly string[];
}

export interface SummaryHints {
  readonly vendor: Vendor;
  /** The LOCATION property: a first part equal to it is the room, whatever it looks like. */
  readonly location: string | undefined;
}

const TEACHER_CODE = /^[A-Z]{2,4}$/;
const LOWER_CASE_TEACHER_CODE = /^[a-z]{2,4}$/;
const CLASS_NAME = /^[a-z]{1,3}\d[a-z][a-z0-9]*$/i;
const YEAR_FIRST_CLASS = /^\d[a-z]{1,4}\d{0,2}$/i;
const CLUSTER_GROUP = /^[a-z0-9]+\.[a-z][a-z0-9_-]*$/i;
const ROOM_WORDS = new Set(['aula', 'gym', 'gymzaal', 'sporthal', 'sportzaal', 'mediatheek', 'bibliotheek', 'studieplein', 'kantine', 'theater']);

const MARKER = /^\[([^\][]{0,20})\]\s*/;
const TRAILING_NOTE = /\(([^()]{0,60})\)$/;
const STATUS_PREFIX = /^(?:vervallen|vervalt|geannuleerd|afgelast|canceled|cancelled|verplaatst|gewijzigd)\s*:\s*/i;

/** Longer summaries are not one lesson's codes; they are kept whole as the subject. */
const MAX_CODED_SUMMARY = 200;

export function isGroupToken(token: string): boolean {
  return CLASS_NAME.test(token) || YEAR_FIRST_CLASS.test(token) || CLUSTER_GROUP.test(token);
}

export function isRoomToken(token: string): boolean {
  if (ROOM_WORDS.has(token.toLowerCase())) return true;
  return /\d/.test(token) && !isGroupToken(token) && !/\s/.test(token);
}

function isTeacherToken(token: string, vendor: Vendor): boolean {
  return TEACHER_CODE.test(token) || (vendor === 'magister' && LOWER_CASE_TEACHER_CODE.test(token));
}

interface Collected {
  subject: string | null;
  room: string | null;
  groups: string[];
  teachers: string[];
}

/** Splits leading "[x] [toets]" markers off the summary. */
function peelMarkers(summary: string): { body: string; markers: string[] } {
  const markers: string[] = [];
  let body = summary.trim();
  for (let m = MARKER.exec(body); m; m = MARKER.exec(body)) {
    markers.push(m[1]!.trim().toLowerCase());
    body = body.slice(m[0].length);
  }
  return { body, markers };
}

/** Drops a "Vervallen:" prefix and trailing notes like "(verplaatst)": they say what happened, not who or where. */
function peelNotes(body: string): string {
  let rest = body.replace(STATUS_PREFIX, '').trimEnd();
  for (let m = TRAILING_NOTE.exec(rest); m && m.index > 0; m = TRAILING_NOTE.exec(rest)) rest = rest.slice(0, m.index).trimEnd();
  return rest;
}

function sameText(a: string, b: string | undefined): boolean {
  return b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** The first part of a separated summary: room (Somtoday), group, or subject (everyone else). */
function placeFirst(first: string, into: Collected, hints: SummaryHints): void {
  const roomFirstVendor = hints.vendor === 'somtoday' || hints.vendor === 'unknown';
  if (sameText(first, hints.location) || (roomFirstVendor && isRoomToken(first))) into.room = first;
  else if (isGroupToken(first)) into.groups.push(first);
  else into.subject = first;
}

/** "a - b - c" or "a, b, c": the first part, then groups and teachers. Undefined when a later part is neither. */
function fromSeparatedParts(parts: string[], hints: SummaryHints): Collected | undefined {
  const into: Collected = { subject: null, room: null, groups: [], teachers: [] };
  placeFirst(parts[0]!, into, hints);
  for (const part of parts.slice(1)) {
    for (const item of part.split(/[,/]/)) {
      const token = item.trim();
      if (token === '') continue;
      if (isTeacherToken(token, hints.vendor)) into.teachers.push(token);
      else if (isGroupToken(token)) into.groups.push(token);
      else return undefined;
    }
  }
  return into;
}

/**
 * Zermelo's "room subject group…": the first token is a room when it looks
 * like one and something follows it. For a Zermelo feed, extra tokens are
 * groups; for an unknown feed they mean this is not a coded summary at all.
 */
function fromTokens(tokens: string[], hints: SummaryHints): Collected | undefined {
  const zermelo = hints.vendor === 'zermelo';
  const into: Collected = { subject: null, room: null, groups: [], teachers: [] };
  let rest = tokens;
  if (tokens.length >= 2 && (isRoomToken(tokens[0]!) || sameText(tokens[0]!, hints.location))) {
    into.room = tokens[0]!;
    rest = tokens.slice(1);
  }
  for (const token of rest) {
    if (isGroupToken(token)) into.groups.push(token);
    else if (TEACHER_CODE.test(token) && into.subject !== null) into.teachers.push(token);
    else if (into.subject === null) into.subject = token;
    else if (zermelo) into.groups.push(token);
    else return undefined;
  }
  return zermelo || into.subject !== null ? into : undefined;
}

function splitParts(body: string, separator: string): string[] | undefined {
  const parts = body.split(separator).map((p) => p.trim());
  return parts.length >= 2 && parts.every((p) => p !== '') ? parts : undefined;
}

export function parseSummary(summary: string, hints: SummaryHints): SummaryFields {
  const { body: marked, markers } = peelMarkers(summary);
  const whole: Collected = { subject: summary.trim() || null, room: null, groups: [], teachers: [] };
  let found: Collected | undefined;
  const body = marked.length <= MAX_CODED_SUMMARY ? peelNotes(marked) : '';
  if (body !== '') {
    const dashed = splitParts(body, ' - ');
    const commas = dashed ? undefined : splitParts(body, ', ');
    if (dashed) found = fromSeparatedParts(dashed, hints);
    else if (commas) found = fromSeparatedParts(commas, hints);
    else found = fromTokens(body.split(/\s+/), hints);
  }
  const fields = found ?? whole;
  return { ...fields, markers };
}

/** What a labelled DESCRIPTION line ("Docent: JNS", "Klas: h4a", "Lehrer: MUE") is about. */
type Label = 'teachers' | 'groups' | 'subject' | 'room';

const LABELS: ReadonlyMap<string, Label> = new Map<string, Label>([
  ['docent', 'teachers'],
  ['docenten', 'teachers'],
  ['leraar', 'teachers'],
  ['leraren', 'teachers'],
  ['lehrer', 'teachers'],
  ['lehrkraft', 'teachers'],
  ['lehrkräfte', 'teachers'],
  ['teacher', 'teachers'],
  ['teachers', 'teachers'],
  ['klas', 'groups'],
  ['klassen', 'groups'],
  ['klasse', 'groups'],
  ['lesgroep', 'groups'],
  ['lesgroepen', 'groups'],
  ['groep', 'groups'],
  ['groepen', 'groups'],
  ['class', 'groups'],
  ['classes', 'groups'],
  ['vak', 'subject'],
  ['fach', 'subject'],
  ['subject', 'subject'],
  ['lokaal', 'room'],
  ['lokalen', 'room'],
  ['raum', 'room'],
  ['room', 'room'],
]);

/** "Docent(en)" -> "docent": the label of a "Label: value" line, lower-cased, without a plural suffix in brackets. */
function labelOf(line: string, colon: number): string {
  return line.slice(0, colon).replace(/\([a-z]{1,3}\)\s*$/i, '').trim().toLowerCase();
}

export interface DescriptionFields {
  readonly subject?: string;
  readonly room?: string;
  readonly groups?: string[];
  readonly teachers?: string[];
}

/**
 * Fields a vendor states outright in DESCRIPTION, one "Label: value" per line.
 * Stated fields are more reliable than guessing from the summary, so they win.
 */
export function parseLabelledDescription(description: string): DescriptionFields {
  const found: { subject?: string; room?: string; groups?: string[]; teachers?: string[] } = {};
  if (description.indexOf(':') < 0) return found;
  for (const line of description.split('\n')) {
    const colon = line.indexOf(':');
    const label = colon > 0 && colon <= 16 ? LABELS.get(labelOf(line, colon)) : undefined;
    const value = label ? line.slice(colon + 1).trim() : '';
    if (!label || value === '') continue;
    if (label === 'subject') found.subject ??= value;
    else if (label === 'room') found.room ??= value;
    else found[label] ??= value.split(/[,;/]/).map((v) => v.trim()).filter((v) => v !== '');
  }
  return found;
}
