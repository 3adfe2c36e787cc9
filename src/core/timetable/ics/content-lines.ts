// RFC 5545 §3.1: content lines, folding, parameters and TEXT escaping.
// Everything here is a single linear pass over the characters, so a 10 MB
// line or a million folds costs time proportional to its length, never more.

import { clip } from '../warnings.ts';

export interface ContentLine {
  /** Upper-cased: iCalendar names are case-insensitive. */
  readonly name: string;
  /** Upper-cased parameter names; values unquoted, multi-valued parameters split on commas. */
  readonly params: ReadonlyMap<string, readonly string[]>;
  /** The raw value, still escaped (only TEXT values are unescaped, by the reader that knows the type). */
  readonly value: string;
  readonly line: number;
}

const NO_PARAMS: ReadonlyMap<string, readonly string[]> = new Map();

/**
 * Calls `visit` with every logical line: splits on CRLF, LF or a lone CR and
 * joins folded lines. A continuation line starts with one space or tab, which
 * is removed and nothing else: a fold may fall in the middle of a word (or
 * between the halves of a surrogate pair), so the halves are joined exactly.
 * Blank lines carry nothing and are skipped. `line` is the physical line
 * number (1-based) where the logical line starts.
 */
export function forEachUnfoldedLine(text: string, visit: (text: string, line: number) => void): void {
  let current: string | undefined;
  let folded: string[] | undefined;
  let startLine = 0;
  const flush = (): void => {
    if (current !== undefined) visit(folded ? folded.join('') : current, startLine);
  };
  // Scanned with indexOf rather than split: no array of a million lines has to exist at once.
  let nextLf = text.indexOf('\n');
  let nextCr = text.indexOf('\r');
  let line = 0;
  for (let pos = 0; pos < text.length; ) {
    if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf('\n', pos);
    if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos);
    const end = Math.min(nextLf === -1 ? text.length : nextLf, nextCr === -1 ? text.length : nextCr);
    line++;
    if (end > pos) {
      const first = text.charCodeAt(pos);
      if ((first === 0x20 || first === 0x09) && current !== undefined) {
        (folded ??= [current]).push(text.slice(pos + 1, end));
      } else {
        flush();
        current = text.slice(pos, end);
        folded = undefined;
        startLine = line;
      }
    }
    pos = end + (text.charCodeAt(end) === 0x0d && text.charCodeAt(end + 1) === 0x0a ? 2 : 1);
  }
  flush();
}

function isNameChar(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x2d // -
  );
}

/** The end of a run of name characters starting at `from`. */
function scanName(text: string, from: number): number {
  let i = from;
  while (i < text.length && isNameChar(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Parses `NAME;PARAM=a,"b;c":value`. Returns a string describing the problem
 * when the line is not a content line. Colons, semicolons and commas inside
 * double quotes belong to the parameter value.
 */
export function parseContentLine(text: string, line: number): ContentLine | string {
  const nameEnd = scanName(text, 0);
  if (nameEnd === 0) return 'not an iCalendar line (no property name)';
  const name = text.slice(0, nameEnd).toUpperCase();
  const after = text.charCodeAt(nameEnd);
  if (after === 0x3a /* : */) return { name, params: NO_PARAMS, value: text.slice(nameEnd + 1), line };
  if (after !== 0x3b /* ; */) return `not an iCalendar line (no ":" after ${clip(name)})`;

  const params = new Map<string, string[]>();
  let i = nameEnd;
  while (text.charCodeAt(i) === 0x3b) {
    const paramStart = i + 1;
    const paramEnd = scanName(text, paramStart);
    if (paramEnd === paramStart || text.charCodeAt(paramEnd) !== 0x3d /* = */) {
      return `malformed parameter in ${clip(name)}`;
    }
    const paramName = text.slice(paramStart, paramEnd).toUpperCase();
    const values: string[] = [];
    i = paramEnd;
    do {
      i++; // skip "=" or ","
      if (text.charCodeAt(i) === 0x22 /* " */) {
        const close = text.indexOf('"', i + 1);
        if (close < 0) return `unterminated quoted parameter ${clip(paramName)} in ${clip(name)}`;
        values.push(text.slice(i + 1, close));
        i = close + 1;
      } else {
        const valueStart = i;
        while (i < text.length) {
          const c = text.charCodeAt(i);
          if (c === 0x3b || c === 0x3a || c === 0x2c || c === 0x22) break;
          i++;
        }
        if (text.charCodeAt(i) === 0x22) return `stray quote in parameter ${clip(paramName)} of ${clip(name)}`;
        values.push(text.slice(valueStart, i));
      }
    } while (text.charCodeAt(i) === 0x2c /* , */);
    const existing = params.get(paramName);
    if (existing) existing.push(...values);
    else params.set(paramName, values);
  }
  if (text.charCodeAt(i) !== 0x3a) return `not an iCalendar line (no ":" after the parameters of ${clip(name)})`;
  return { name, params, value: text.slice(i + 1), line };
}

/** The first value of a parameter, e.g. TZID or VALUE. */
export function paramValue(line: ContentLine, param: string): string | undefined {
  return line.params.get(param)?.[0];
}

/**
 * Unescapes a TEXT value: `\\` `\;` `\,` `\n` `\N`. Any other backslash is
 * kept as written: producers that are sloppy about escaping (a Windows path in
 * a description) lose nothing that way.
 */
export function unescapeText(value: string): string {
  if (value.indexOf('\\') < 0) return value;
  let out = '';
  let from = 0;
  for (let i = value.indexOf('\\'); i >= 0 && i < value.length - 1; i = value.indexOf('\\', from)) {
    const next = value[i + 1]!;
    out += value.slice(from, i);
    if (next === 'n' || next === 'N') out += '\n';
    else if (next === '\\' || next === ';' || next === ',') out += next;
    else out += '\\' + next;
    from = i + 2;
  }
  return out + value.slice(from);
}

/** Splits a comma-separated value list (EXDATE, RDATE, CATEGORIES) on commas that are not escaped. */
export function splitList(value: string): string[] {
  if (value.indexOf(',') < 0) return [value];
  const items: string[] = [];
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x2c) {
      items.push(value.slice(from, i));
      from = i + 1;
    }
  }
  items.push(value.slice(from));
  return items;
}
