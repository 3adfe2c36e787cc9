import { z } from 'zod';
import type { Localized } from '../../core/policy/explain.ts';
import { Key, Label } from '../store/inputs.ts';
import type { GroupInput, StudentInput } from '../store/index.ts';
import { detectDelimiter, parseCsv } from './consent-import.ts';
import { findColumns, type LineError } from './csv-columns.ts';

/**
 * The school's students and their classes and lesson groups from the
 * student export its administration system makes (Magister, Somtoday, or a
 * spreadsheet with the same headers): the same roster `PUT /api/v1/roster`
 * sets. Columns are found by header (Dutch or English, any case, accents,
 * spaces); `;` or `,` separate them; UTF-8 with or without a BOM.
 *
 *   Stamnr;Roepnaam;Tussenvoegsel;Achternaam;Klas;Lesgroepen;Gebruikersnaam
 *   100231;Sanne;de;Vries;4V2;"4v2.ne,4v2.en";sdevries
 *
 * All or nothing: the roster replaces every group, so a file with any bad
 * line is refused whole, every bad line named with its number, in Dutch and
 * English. Reading stores nothing (the service does).
 */

export const ROSTER_FORMATS = ['auto', 'magister', 'somtoday'] as const;
export type RosterFormat = (typeof ROSTER_FORMATS)[number];
export type RosterSource = Exclude<RosterFormat, 'auto'>;

/** What `PUT /api/v1/roster` takes: the limits are that route's. */
export const MAX_ROSTER_STUDENTS = 50_000;
export const MAX_ROSTER_GROUPS = 10_000;
export const MAX_GROUP_MEMBERS = 5_000;

type Column = 'firstName' | 'infix' | 'lastName' | 'fullName' | 'className' | 'groups' | 'login' | 'email';

/** The student's number: what each system calls it decides which export a file is. */
const ID_HEADERS: Readonly<Record<RosterSource, readonly string[]>> = {
  magister: ['Stamnr', 'Stamnummer', 'Stamnr.'],
  somtoday: ['Leerlingnummer', 'Leerlingnr', 'Llnr'],
};

/** The other columns, in order of preference. */
const HEADERS: Readonly<Record<Column, readonly string[]>> = {
  firstName: ['Roepnaam', 'Voornaam', 'Voornamen', 'First name', 'Given name'],
  infix: ['Tussenvoegsel', 'Tussenvoegsels', 'Tussenv', 'Voorvoegsel', 'Voorvoegsels', 'Prefix'],
  lastName: ['Achternaam', 'Last name', 'Surname', 'Family name'],
  fullName: ['Volledige naam', 'Naam', 'Weergavenaam', 'Leerling', 'Name', 'Display name'],
  className: ['Klas', 'Stamklas', 'Stamgroep', 'Basisgroep', 'Klassen', 'Class'],
  groups: ['Lesgroepen', 'Lesgroep', 'Groepen', 'Clusters', 'Clustergroepen', 'Groups'],
  login: ['Gebruikersnaam', 'Loginnaam', 'Login', 'Inlognaam', 'Accountnaam', 'Account', 'Username', 'User name'],
  email: ['E-mailadres school', 'E-mail school', 'Schoolmail', 'E-mailadres', 'E-mail', 'Email', 'UPN'],
};

const SOURCE_NAMES: Readonly<Record<RosterSource, string>> = { magister: 'Magister', somtoday: 'Somtoday' };

/** One line of the file as the roster takes it; the messages of its issues are made per field below. */
const RosterLine = z.object({
  id: Key,
  name: Label.nullable(),
  loginName: Key.nullable(),
  groups: z.array(Key),
});

const FIELD_NAMES: Readonly<Record<string, Localized>> = {
  id: { nl: 'het leerlingnummer', en: 'the student number' },
  name: { nl: 'de naam', en: 'the name' },
  loginName: { nl: 'de gebruikersnaam', en: 'the login name' },
  groups: { nl: 'een groepscode', en: 'a group code' },
};

function issueMessage(issue: z.core.$ZodIssue): Localized {
  const field = FIELD_NAMES[String(issue.path[0])] ?? { nl: 'een veld', en: 'a field' };
  if (issue.code === 'too_small') return { nl: `${field.nl} is leeg`, en: `${field.en} is empty` };
  if (issue.code === 'too_big') return { nl: `${field.nl} is langer dan ${issue.maximum} tekens`, en: `${field.en} is longer than ${issue.maximum} characters` };
  if (issue.code === 'invalid_format') return { nl: `${field.nl} bevat stuurtekens`, en: `${field.en} contains control characters` };
  return { nl: `${field.nl}: ${issue.message}`, en: `${field.en}: ${issue.message}` };
}

/** A login written as an e-mail address or UPN (sdevries@school.nl): laptops report the part before the @. */
function loginOf(value: string): string | null {
  const login = value.includes('@') ? value.slice(0, value.indexOf('@')) : value;
  return login === '' ? null : login;
}

/** "4v2.ne, 4v2.en", "4v2.ne 4v2.en" or "4v2.ne|4v2.en": group codes have no spaces or commas. */
function groupCodes(cell: string): string[] {
  return cell.split(/[,;|\s]+/).filter((code) => code !== '');
}

export interface RosterReading {
  /** Which export the file is (named or recognised by its student number column). */
  readonly source: RosterSource | null;
  /** Lines after the header. */
  readonly lines: number;
  readonly students: readonly StudentInput[];
  readonly groups: readonly GroupInput[];
  /** Empty when the file can be imported. */
  readonly errors: readonly LineError[];
}

export interface RosterReadOptions {
  readonly format: RosterFormat;
  /** Whose login name this is now (a student id), or null: a login kept by a student outside the file cannot be given to another. */
  readonly loginOwner: (login: string) => Promise<string | null>;
}

const fail = (lines: number, errors: LineError[], source: RosterSource | null = null): RosterReading => ({ source, lines, students: [], groups: [], errors });

function chooseSource(header: readonly string[], format: RosterFormat): { source: RosterSource; at: number } | LineError {
  const found = (source: RosterSource) => findColumns(header, { id: ID_HEADERS[source] }).id;
  const candidates: RosterSource[] = format === 'auto' ? ['magister', 'somtoday'] : [format];
  for (const source of candidates) {
    const at = found(source);
    if (at !== undefined) return { source, at };
  }
  const shown = header.map((h) => h.trim()).join(', ');
  if (format !== 'auto') {
    const other: RosterSource = format === 'magister' ? 'somtoday' : 'magister';
    if (found(other) !== undefined) {
      return { line: 1, message: {
        nl: `dit lijkt een ${SOURCE_NAMES[other]}-export (kolom ${ID_HEADERS[other][0]}), geen ${SOURCE_NAMES[format]}-export; kies --format ${other} of auto`,
        en: `this looks like a ${SOURCE_NAMES[other]} export (column ${ID_HEADERS[other][0]}), not a ${SOURCE_NAMES[format]} one; choose --format ${other} or auto`,
      } };
    }
  }
  const expected = candidates.map((s) => `${ID_HEADERS[s][0]} (${SOURCE_NAMES[s]})`).join(' / ');
  return { line: 1, message: {
    nl: `de kopregel heeft geen kolom met het leerlingnummer: verwacht ${expected}; gevonden: ${shown}`,
    en: `the header has no student number column: expected ${expected}; found: ${shown}`,
  } };
}

/** Reads and checks a student export; stores nothing. */
export async function readRosterCsv(text: string, options: RosterReadOptions): Promise<RosterReading> {
  const records = parseCsv(text, detectDelimiter(text));
  const [header, ...rows] = records;
  if (header === undefined) {
    return fail(0, [{ line: 1, message: { nl: 'het bestand is leeg (verwacht een kopregel, bijvoorbeeld Stamnr;Roepnaam;Achternaam;Klas;Lesgroepen)', en: 'the file is empty (expected a header such as Stamnr;Roepnaam;Achternaam;Klas;Lesgroepen)' } }]);
  }
  const chosen = chooseSource(header.fields, options.format);
  if ('message' in chosen) return fail(rows.length, [chosen]);
  const { source } = chosen;
  const at = findColumns(header.fields, HEADERS);
  const headerErrors: LineError[] = [];
  if (at.className === undefined && at.groups === undefined) {
    // The roster replaces every group: a file without them would empty them all.
    headerErrors.push({ line: header.line, message: { nl: 'de kopregel heeft geen kolom Klas of Lesgroep(en): het rooster vervangt alle groepen, dus zonder groepen wordt niets ingelezen', en: 'the header has no Klas (class) or Lesgroep(en) (groups) column: the roster replaces every group, so nothing is imported without them' } });
  }
  if (headerErrors.length > 0) return fail(rows.length, headerErrors, source);

  const errors: LineError[] = [];
  const students: StudentInput[] = [];
  const members = new Map<string, string[]>();
  const lineOfId = new Map<string, number>();
  const lineOfLogin = new Map<string, { line: number; id: string }>();
  for (const row of rows) {
    const cell = (index: number | undefined) => (index === undefined ? '' : (row.fields[index] ?? '').trim());
    if (row.fields.some((f) => f.includes('\uFFFD'))) {
      errors.push({ line: row.line, message: { nl: 'onleesbare tekens: sla het bestand op als CSV UTF-8', en: 'unreadable characters: save the file as CSV UTF-8' } });
      continue;
    }
    const id = cell(chosen.at);
    const parts = [cell(at.firstName), cell(at.infix), cell(at.lastName)].filter((p) => p !== '');
    const name = parts.length > 0 && (at.firstName !== undefined || at.lastName !== undefined) ? parts.join(' ') : cell(at.fullName);
    const login = cell(at.login) || cell(at.email);
    const parsed = RosterLine.safeParse({
      id, name: name === '' ? null : name, loginName: login === '' ? null : loginOf(login),
      groups: [...groupCodes(cell(at.className)), ...groupCodes(cell(at.groups))],
    });
    if (!parsed.success) {
      const messages = parsed.error.issues.map(issueMessage);
      errors.push({ line: row.line, message: { nl: messages.map((m) => m.nl).join('; '), en: messages.map((m) => m.en).join('; ') } });
      continue;
    }
    const line = parsed.data;
    const earlier = lineOfId.get(line.id);
    if (earlier !== undefined) {
      errors.push({ line: row.line, message: { nl: `leerlingnummer ${line.id} staat al op regel ${earlier}`, en: `student number ${line.id} is on line ${earlier} already` } });
      continue;
    }
    lineOfId.set(line.id, row.line);
    if (line.loginName !== null) {
      const other = lineOfLogin.get(line.loginName);
      if (other !== undefined) {
        errors.push({ line: row.line, message: { nl: `gebruikersnaam ${line.loginName} is al van leerling ${other.id} (regel ${other.line})`, en: `login name ${line.loginName} already belongs to student ${other.id} (line ${other.line})` } });
        continue;
      }
      lineOfLogin.set(line.loginName, { line: row.line, id: line.id });
    }
    students.push({ id: line.id, name: line.name, loginName: line.loginName });
    for (const code of new Set(line.groups)) members.set(code, [...(members.get(code) ?? []), line.id]);
  }
  // A login kept by a student who is not in the file cannot move to another (the store would refuse the whole roster).
  for (const [login, { line, id }] of lineOfLogin) {
    const owner = await options.loginOwner(login);
    if (owner !== null && owner !== id && !lineOfId.has(owner)) {
      errors.push({ line, message: { nl: `gebruikersnaam ${login} is van leerling ${owner}, die niet in dit bestand staat`, en: `login name ${login} belongs to student ${owner}, who is not in this file` } });
    }
  }
  errors.sort((a, b) => a.line - b.line);
  const groups = [...members].map(([code, studentIds]) => ({ code, name: null, studentIds })).sort((a, b) => a.code.localeCompare(b.code));
  if (students.length > MAX_ROSTER_STUDENTS) errors.push({ line: 0, message: { nl: `meer dan ${MAX_ROSTER_STUDENTS} leerlingen in één bestand`, en: `more than ${MAX_ROSTER_STUDENTS} students in one file` } });
  if (groups.length > MAX_ROSTER_GROUPS) errors.push({ line: 0, message: { nl: `meer dan ${MAX_ROSTER_GROUPS} groepen in één bestand`, en: `more than ${MAX_ROSTER_GROUPS} groups in one file` } });
  for (const group of groups.filter((g) => g.studentIds.length > MAX_GROUP_MEMBERS)) {
    errors.push({ line: 0, message: { nl: `groep ${group.code} heeft meer dan ${MAX_GROUP_MEMBERS} leerlingen`, en: `group ${group.code} has more than ${MAX_GROUP_MEMBERS} students` } });
  }
  if (errors.length > 0) return fail(rows.length, errors, source);
  return { source, lines: rows.length, students, groups, errors: [] };
}
