import { readFile } from 'node:fs/promises';
import { parseSchoolYear, schoolYearOf } from '../../core/policy/consent.ts';
import { DEFAULT_TIME_ZONE, formatLocalDate, instantToLocal } from '../../core/time/zoned.ts';
import { DEFAULT_CONSENT_REGISTER } from '../../server/app/consent-import.ts';
import { importConsents, withdrawConsent } from '../../server/services/consents.ts';
import { cliActor } from '../../server/services/service.ts';
import { ServerStoreError } from '../../server/store/index.ts';
import { UsageError, type Command } from '../command.ts';
import { table } from '../format.ts';
import { chooseSchool, noPositionals, SCHOOL_OPTION, STORE_OPTIONS, withStore, type StoreValues } from './server-options.ts';

/** The consent register (art. III.B.9) from the command line: import Magister's export, list, withdraw. */

function schoolYearOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (parseSchoolYear(value, DEFAULT_TIME_ZONE) === undefined) throw new UsageError(`--school-year '${value}' is not a school year such as 2026-2027`);
  return value;
}

interface ImportValues extends StoreValues {
  school?: string;
  'school-year'?: string;
  source?: string;
  replace?: boolean;
  'dry-run'?: boolean;
}

export const serverConsentImport: Command<ImportValues> = {
  path: ['server', 'consent', 'import'],
  positionals: '<file.csv>',
  summary: "Import the consent register (art. III.B.9: social media needs the student's or parents' consent, every school year) from a CSV file.",
  options: {
    ...STORE_OPTIONS,
    school: SCHOOL_OPTION,
    'school-year': { type: 'string', valueName: '<2026-2027>', help: 'The school year of lines without one (default: the current one).' },
    source: { type: 'string', valueName: '<name>', help: 'Where the consents come from, kept with each (default: csv), e.g. magister.' },
    replace: { type: 'boolean', help: 'The file is the whole register of its one register and school year: consents missing from it are withdrawn.' },
    'dry-run': { type: 'boolean', help: 'Only check the file; record nothing.' },
  },
  details: [
    'Columns by header, separated by ; (as Magister exports) or ,:',
    '  student       the student number or login name (required)',
    `  register      the consent register (default ${DEFAULT_CONSENT_REGISTER})`,
    '  schoolYear    e.g. 2026-2027 (default --school-year, or the current school year)',
    '  givenBy       student (16 or older) or parent (required; leerling/ouder also read)',
    '  registeredAt  when it was registered, ISO date or time (default: now)',
    'A file with any bad line imports nothing; every bad line is listed with its line number.',
    'Importing the same file again changes nothing. Example:',
    '  lesmodus server consent import --school svok-college --source magister toestemming-2026.csv',
  ].join('\n'),
  async run(values, positionals, io) {
    const [file, ...extra] = positionals;
    if (!file) throw new UsageError('name the CSV file');
    if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
    const schoolYear = schoolYearOption(values['school-year']);
    if (values.source !== undefined && !/^[^\p{Cc}]{1,64}$/u.test(values.source)) throw new UsageError('--source must be one line of at most 64 characters');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read '${file}': ${(error as Error).message}`);
    }
    return withStore(values, async (store, laptops) => {
      const school = await chooseSchool(store, values.school);
      const result = await importConsents({ store, laptops }, cliActor(), school, text, {
        now: Date.now(),
        ...(schoolYear ? { schoolYear } : {}),
        ...(values.source ? { source: values.source } : {}),
        replace: values.replace ?? false,
        dryRun: values['dry-run'] ?? false,
      });
      if (!result.ok) {
        for (const e of result.errors) io.err(`${file}${e.line > 0 ? `:${e.line}` : ''}: ${e.message}`);
        io.err(`${result.errors.length} bad line${result.errors.length === 1 ? '' : 's'} of ${result.lines}: nothing was imported. Fix the file and import it again.`);
        return 1;
      }
      if (result.recorded === null) {
        io.out(`${school.id}: ${result.consents.length} consents in ${file} are fine (dry run: nothing was recorded).`);
        return 0;
      }
      const r = result.recorded;
      io.out(`${school.id}: ${result.consents.length} consents imported from ${file}: ${r.added} new, ${r.updated} updated, ${r.unchanged} unchanged`
        + `${values.replace ? `, ${r.withdrawn} withdrawn (not in the file)` : ''}.`);
      return 0;
    });
  },
};

interface ListValues extends StoreValues {
  school?: string;
  'school-year'?: string;
  register?: string;
  student?: string;
}

export const serverConsentList: Command<ListValues> = {
  path: ['server', 'consent', 'list'],
  summary: 'List registered consents (art. III.B.9), by school, student, register and school year.',
  options: {
    ...STORE_OPTIONS,
    school: { type: 'string', valueName: '<school-id>', help: 'Only this school (default: every school).' },
    'school-year': { type: 'string', valueName: '<2026-2027>', help: 'Only this school year.' },
    register: { type: 'string', valueName: '<register>', help: 'Only this register, e.g. social-media.' },
    student: { type: 'string', valueName: '<student-id>', help: 'Only this student.' },
  },
  async run(values, positionals, io) {
    noPositionals(positionals);
    const schoolYear = schoolYearOption(values['school-year']);
    const rows = await withStore(values, async (store, laptops) => {
      if (values.school !== undefined) await chooseSchool(store, values.school);
      const zones = new Map((await store.schools()).map((s) => [s.id, s.timeZone]));
      const list = await store.consents({
        ...(values.school ? { schoolId: values.school } : {}),
        ...(schoolYear ? { schoolYear } : {}),
        ...(values.register ? { register: values.register } : {}),
        ...(values.student ? { studentId: values.student } : {}),
      });
      return list.map((c) => [c.schoolId, c.studentId, c.register, c.schoolYear, c.givenBy,
        formatLocalDate(instantToLocal(c.registeredAt, zones.get(c.schoolId) ?? DEFAULT_TIME_ZONE)), c.source]);
    });
    io.out(table(['School', 'Student', 'Register', 'School year', 'Given by', 'Registered', 'Source'], rows));
    io.out(`${rows.length} consent${rows.length === 1 ? '' : 's'}.`);
    return 0;
  },
};

interface WithdrawValues extends StoreValues {
  school?: string;
  student?: string;
  register?: string;
  'school-year'?: string;
}

export const serverConsentWithdraw: Command<WithdrawValues> = {
  path: ['server', 'consent', 'withdraw'],
  summary: "Withdraw a student's consent (AVG: consent can always be withdrawn); their laptop blocks social media again at its next sync.",
  options: {
    ...STORE_OPTIONS,
    school: SCHOOL_OPTION,
    student: { type: 'string', valueName: '<student-id>', help: 'The student (required).' },
    register: { type: 'string', valueName: '<register>', help: `The register (default ${DEFAULT_CONSENT_REGISTER}).` },
    'school-year': { type: 'string', valueName: '<2026-2027>', help: 'The school year (default: the current one).' },
  },
  async run(values, positionals, io) {
    noPositionals(positionals);
    if (!values.student) throw new UsageError('--student is required');
    const given = schoolYearOption(values['school-year']);
    return withStore(values, async (store, laptops) => {
      const school = await chooseSchool(store, values.school);
      const schoolYear = given ?? schoolYearOf(Date.now(), school.timeZone).label;
      const register = values.register ?? DEFAULT_CONSENT_REGISTER;
      let withdrawn: boolean;
      try {
        withdrawn = await withdrawConsent({ store, laptops }, cliActor(), school, { studentId: values.student!, register, schoolYear }, Date.now());
      } catch (error) {
        if (error instanceof ServerStoreError && error.code === 'invalid-input') throw new UsageError(error.message);
        throw error;
      }
      if (!withdrawn) {
        io.err(`${school.id}: student '${values.student}' has no ${register} consent for ${schoolYear}; nothing was withdrawn.`);
        return 1;
      }
      io.out(`${school.id}: the ${register} consent of student '${values.student}' for ${schoolYear} is withdrawn.`);
      return 0;
    });
  },
};
