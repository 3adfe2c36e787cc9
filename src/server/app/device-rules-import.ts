import type { DeviceRuleInput, ServerStore } from '../store/index.ts';
import { detectDelimiter, parseCsv } from './consent-import.ts';

/**
 * The MDM's device export (Intune, Jamf, a spreadsheet of the school's
 * laptops) as device rules: which serial number or hostname is whose laptop.
 * Columns are found by header; the student is their number or login name.
 */

const HEADERS = {
  student: ['student', 'leerling', 'studentnumber', 'leerlingnummer', 'login', 'loginname', 'user', 'username', 'primaryuser', 'gebruiker'],
  serial: ['serial', 'serialnumber', 'serienummer'],
  hostname: ['hostname', 'devicename', 'computername', 'apparaatnaam', 'naam'],
} as const;

const normalise = (header: string) => header.trim().toLowerCase().replace(/[\s_-]/g, '');

export interface RuleLineError {
  readonly line: number;
  readonly message: string;
}

export type DeviceRulesReading = { readonly ok: true; readonly rules: DeviceRuleInput[] } | { readonly ok: false; readonly errors: RuleLineError[] };

export async function readDeviceRulesCsv(store: Pick<ServerStore, 'student' | 'studentByLoginName'>, schoolId: string, text: string): Promise<DeviceRulesReading> {
  const [header, ...lines] = parseCsv(text, detectDelimiter(text));
  if (header === undefined) return { ok: false, errors: [{ line: 0, message: 'the file is empty' }] };
  const names = header.fields.map(normalise);
  const column = (kind: keyof typeof HEADERS) => names.findIndex((n) => (HEADERS[kind] as readonly string[]).includes(n));
  const at = { student: column('student'), serial: column('serial'), hostname: column('hostname') };
  if (at.student < 0 || (at.serial < 0 && at.hostname < 0)) {
    return { ok: false, errors: [{ line: header.line, message: 'the header needs a student column and a serial or hostname column (e.g. "serial;hostname;student")' }] };
  }
  const rules: DeviceRuleInput[] = [];
  const errors: RuleLineError[] = [];
  for (const { line, fields } of lines) {
    const cell = (index: number) => (index < 0 ? '' : (fields[index] ?? '').trim());
    const who = cell(at.student);
    const student = who === '' ? null : (await store.student(schoolId, who)) ?? (await store.studentByLoginName(schoolId, who));
    if (student === null) {
      errors.push({ line, message: who === '' ? 'no student' : `no student with number or login name "${who}"` });
      continue;
    }
    const serial = cell(at.serial);
    const hostname = cell(at.hostname);
    if (serial === '' && hostname === '') errors.push({ line, message: 'neither a serial number nor a hostname' });
    if (serial !== '') rules.push({ kind: 'serial', value: serial, studentId: student.id });
    if (hostname !== '') rules.push({ kind: 'hostname', value: hostname.split('.')[0]!, studentId: student.id });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rules };
}
