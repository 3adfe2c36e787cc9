import { parseSchoolYear, schoolYearOf } from '../../core/policy/consent.ts';
import { localToInstant, parseLocalDate } from '../../core/time/zoned.ts';
import { CONSENT_GIVERS, type ConsentGiver, type ConsentInput, type RecordConsentsResult, type School, type ServerStore } from '../store/index.ts';

/**
 * Importing the consent register (art. III.B.9) from a CSV file, as Magister
 * or a spreadsheet exports it. Columns are found by their header (English or
 * Dutch); semicolons or commas separate them (Magister uses semicolons).
 *
 *   student;register;schoolYear;givenBy;registeredAt
 *   123456;social-media;2026-2027;parent;2026-09-01
 *
 * All or nothing: a file with any bad line imports nothing and every bad
 * line is reported with its line number, so a half-imported register never
 * looks complete (the school fixes the file and imports it again, which is
 * harmless for the lines already in: importing is idempotent).
 */

export const DEFAULT_CONSENT_REGISTER = 'social-media';

export interface ConsentImportOptions {
  /** For lines without a school year (default: the current one, school time). */
  readonly schoolYear?: string;
  /** Where the consents came from, e.g. "magister" (default "csv"). */
  readonly source?: string;
  /** The file is the whole register of its one register and school year: consents missing from it are withdrawn. */
  readonly replace?: boolean;
  /** Only check the file; record nothing. */
  readonly dryRun?: boolean;
  readonly now: number;
}

export interface ConsentLineError {
  /** 1-based line number in the file (the header is line 1). */
  readonly line: number;
  readonly message: string;
}

export type ConsentImportResult =
  | { readonly ok: true; readonly lines: number; readonly consents: readonly ConsentInput[]; readonly recorded: RecordConsentsResult | null }
  | { readonly ok: false; readonly lines: number; readonly errors: readonly ConsentLineError[] };

type Column = 'student' | 'register' | 'schoolYear' | 'givenBy' | 'registeredAt';

/** Header names per column, compared without case, spaces, dashes or underscores. */
const HEADERS: Record<Column, readonly string[]> = {
  student: ['student', 'studentid', 'leerling', 'leerlingnummer', 'stamnummer', 'loginname', 'login', 'gebruikersnaam'],
  register: ['register', 'toestemming', 'consent'],
  schoolYear: ['schoolyear', 'schooljaar', 'year', 'jaar'],
  givenBy: ['givenby', 'gegevendoor', 'door', 'by'],
  registeredAt: ['registeredat', 'geregistreerdop', 'geregistreerd', 'datum', 'date'],
};

const GIVERS: Record<string, ConsentGiver> = { student: 'student', leerling: 'student', parent: 'parent', parents: 'parent', ouder: 'parent', ouders: 'parent', verzorger: 'parent' };

const normalise = (header: string) => header.trim().toLowerCase().replace(/[\s_-]/g, '');

/** Splits CSV text into lines of fields: quotes ("a;b", "say ""hi""") and CRLF handled; each record keeps its first line's number. */
export function parseCsv(text: string, delimiter: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const body = text.replace(/^\uFEFF/, '');
  const endRecord = () => {
    fields.push(field);
    if (fields.some((f) => f.trim() !== '')) records.push({ line: start, fields });
    fields = [];
    field = '';
  };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false;
      else { if (ch === '\n') line++; field += ch; }
    } else if (ch === '"' && field.trim() === '') { field = ''; quoted = true; }
    else if (ch === delimiter) { fields.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += ch;
  }
  endRecord();
  return records;
}

/** Semicolon when the header has more semicolons than commas outside quotes (Magister), else comma. */
export function detectDelimiter(text: string): ';' | ',' {
  // Delimiters inside quoted header names do not count.
  const header = (text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '').replace(/"[^"]*"/g, '');
  return (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
}

function parseRegisteredAt(value: string, timeZone: string): number | undefined {
  const date = parseLocalDate(value);
  if (date !== undefined) return localToInstant(date, timeZone);
  // A full ISO time (2026-09-01T10:15:00Z, or with an offset); one without an offset is school time.
  const local = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (local) {
    const day = parseLocalDate(local[1]!)!;
    return localToInstant({ ...day, hour: Number(local[2]), minute: Number(local[3]), second: Number(local[4] ?? 0) }, timeZone);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** Reads and checks the file, resolving students by id or login name; records nothing. */
export async function readConsentCsv(
  store: ServerStore, school: School, text: string, options: ConsentImportOptions,
): Promise<{ lines: number; consents: ConsentInput[]; errors: ConsentLineError[] }> {
  const errors: ConsentLineError[] = [];
  const records = parseCsv(text, detectDelimiter(text));
  const [header, ...rows] = records;
  if (header === undefined) return { lines: 0, consents: [], errors: [{ line: 1, message: 'the file is empty (expected a header: student;register;schoolYear;givenBy;registeredAt)' }] };
  const index = new Map<Column, number>();
  header.fields.forEach((name, i) => {
    const key = normalise(name);
    for (const [column, names] of Object.entries(HEADERS) as [Column, readonly string[]][]) {
      if (names.includes(key) && !index.has(column)) index.set(column, i);
    }
  });
  for (const required of ['student', 'givenBy'] as const) {
    if (!index.has(required)) errors.push({ line: header.line, message: `no "${required}" column in the header (found: ${header.fields.map((f) => f.trim()).join(', ')})` });
  }
  if (errors.length > 0) return { lines: rows.length, consents: [], errors };

  const defaultYear = options.schoolYear ?? schoolYearOf(options.now, school.timeZone).label;
  if (parseSchoolYear(defaultYear, school.timeZone) === undefined) {
    return { lines: rows.length, consents: [], errors: [{ line: 0, message: `"${defaultYear}" is not a school year such as "2026-2027"` }] };
  }
  const source = options.source ?? 'csv';
  // A line without registeredAt keeps the time already on record, so importing the same file again changes nothing.
  const onRecord = new Map((await store.consents({ schoolId: school.id })).map((c) => [`${c.studentId}\u0000${c.register}\u0000${c.schoolYear}`, c.registeredAt]));
  const consents: ConsentInput[] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    const cell = (column: Column) => {
      const i = index.get(column);
      return i === undefined ? '' : (row.fields[i] ?? '').trim();
    };
    const problems: string[] = [];
    const who = cell('student');
    let studentId: string | undefined;
    if (who === '') problems.push('no student');
    else {
      const student = (await store.student(school.id, who)) ?? (await store.studentByLoginName(school.id, who));
      if (student === null) problems.push(`no student "${who}" (by id or login name) at ${school.id}`);
      else studentId = student.id;
    }
    const register = cell('register') || DEFAULT_CONSENT_REGISTER;
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(register)) problems.push(`register "${register}" is not a register name such as "social-media"`);
    const schoolYear = cell('schoolYear') || defaultYear;
    if (parseSchoolYear(schoolYear, school.timeZone) === undefined) problems.push(`school year "${schoolYear}" is not one such as "2026-2027"`);
    const givenByText = cell('givenBy').toLowerCase();
    const givenBy = GIVERS[givenByText];
    if (givenBy === undefined) problems.push(givenByText === '' ? `no givenBy (${CONSENT_GIVERS.join(' or ')})` : `givenBy "${cell('givenBy')}" is not ${CONSENT_GIVERS.join(' or ')}`);
    const registeredText = cell('registeredAt');
    const registeredAt = registeredText === '' ? options.now : parseRegisteredAt(registeredText, school.timeZone);
    if (registeredAt === undefined) problems.push(`registeredAt "${registeredText}" is not an ISO date (2026-09-01) or time`);
    else if (registeredAt > options.now) problems.push(`registeredAt "${registeredText}" is in the future`);
    if (problems.length > 0 || studentId === undefined || givenBy === undefined || registeredAt === undefined) {
      errors.push({ line: row.line, message: problems.join('; ') });
      continue;
    }
    const key = `${studentId}\u0000${register}\u0000${schoolYear}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      errors.push({ line: row.line, message: `student "${studentId}" has ${register} ${schoolYear} on line ${earlier} already` });
      continue;
    }
    seen.set(key, row.line);
    consents.push({ studentId, register, schoolYear, givenBy, registeredAt: registeredText === '' ? onRecord.get(key) ?? registeredAt : registeredAt, source });
  }
  if (options.replace && errors.length === 0) {
    const kinds = new Set(consents.map((c) => `${c.register} ${c.schoolYear}`));
    if (kinds.size > 1) errors.push({ line: 0, message: `--replace needs one register and school year in the file; it has ${[...kinds].join(', ')}` });
  }
  return { lines: rows.length, consents, errors };
}
