import type { DeviceRuleInput, ServerStore, Student } from '../store/index.ts';
import { detectDelimiter, parseCsv } from './consent-import.ts';
import { findColumns } from './csv-columns.ts';

/**
 * The MDM's device export (Intune's "Devices" export, Jamf Pro's computer
 * inventory, a spreadsheet of the school's laptops) as device rules: which
 * serial number or hostname is whose laptop. Columns are found by header
 * (any case, accents, spaces); the student is their number or login name,
 * or a UPN / e-mail address whose part before the @ is their login.
 */

const HEADERS = {
  student: ['Student', 'Leerling', 'Student number', 'Leerlingnummer', 'Stamnr', 'Login', 'Login name', 'Gebruikersnaam',
    // Jamf Pro: Username; Intune: the primary user.
    'Username', 'User', 'Primary user', 'Primary user UPN', 'User principal name', 'UPN', 'Primary user email address', 'Email Address', 'Gebruiker'],
  serial: ['Serial', 'Serial number', 'Serienummer'],
  hostname: ['Hostname', 'Device name', 'Computer name', 'Apparaatnaam', 'Naam'],
} as const;

/** What firmware reports when the maker left the serial empty (VMs, self-built PCs): no laptop's own. */
const PLACEHOLDER_SERIALS = new Set(['', '0', 'none', 'n/a', 'na', 'default string', 'to be filled by o.e.m.', 'system serial number', '123456789', 'not specified']);

export interface RuleLineError {
  readonly line: number;
  readonly message: string;
}

export type DeviceRulesReading =
  | { readonly ok: true; readonly rules: DeviceRuleInput[]; readonly skipped: RuleLineError[] }
  | { readonly ok: false; readonly errors: RuleLineError[] };

export interface DeviceRulesReadOptions {
  /**
   * An MDM's whole export: a device without a primary user (a shared cart) or
   * whose user is no student (a teacher's laptop) is skipped and listed, not
   * an error. Without it every line must name a student.
   */
  readonly mdmExport?: boolean;
}

type StudentLookup = Pick<ServerStore, 'student' | 'studentByLoginName'>;

async function studentOf(store: StudentLookup, schoolId: string, who: string): Promise<Student | null> {
  const found = (await store.student(schoolId, who)) ?? (await store.studentByLoginName(schoolId, who));
  if (found !== null || !who.includes('@')) return found;
  const local = who.slice(0, who.indexOf('@'));
  return local === '' ? null : (await store.student(schoolId, local)) ?? (await store.studentByLoginName(schoolId, local));
}

export async function readDeviceRulesCsv(store: StudentLookup, schoolId: string, text: string, options: DeviceRulesReadOptions = {}): Promise<DeviceRulesReading> {
  const [header, ...lines] = parseCsv(text, detectDelimiter(text));
  if (header === undefined) return { ok: false, errors: [{ line: 0, message: 'the file is empty' }] };
  const at = findColumns(header.fields, HEADERS);
  if (at.student === undefined || (at.serial === undefined && at.hostname === undefined)) {
    return { ok: false, errors: [{ line: header.line, message: 'the header needs a student column (student, login, Username, Primary user UPN) and a serial or hostname column (Serial number, Device name, Computer Name)' }] };
  }
  const rules: DeviceRuleInput[] = [];
  const errors: RuleLineError[] = [];
  const skipped: RuleLineError[] = [];
  for (const { line, fields } of lines) {
    const cell = (index: number | undefined) => (index === undefined ? '' : (fields[index] ?? '').trim());
    const who = cell(at.student);
    const student = who === '' ? null : await studentOf(store, schoolId, who);
    if (student === null) {
      const message = who === '' ? 'no student' : `no student with number or login name "${who}"`;
      (options.mdmExport ? skipped : errors).push({ line, message });
      continue;
    }
    const serial = PLACEHOLDER_SERIALS.has(cell(at.serial).toLowerCase()) ? '' : cell(at.serial);
    const hostname = cell(at.hostname);
    if (serial === '' && hostname === '') errors.push({ line, message: 'neither a serial number nor a hostname' });
    if (serial !== '') rules.push({ kind: 'serial', value: serial, studentId: student.id });
    if (hostname !== '') rules.push({ kind: 'hostname', value: hostname.split('.')[0]!, studentId: student.id });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rules, skipped };
}
