import { readFile } from 'node:fs/promises';
import type { Locale } from '../../core/policy/explain.ts';
import type { LineError } from '../../server/app/csv-columns.ts';
import { ROSTER_FORMATS, type RosterFormat } from '../../server/app/roster-import.ts';
import { importRoster } from '../../server/services/roster.ts';
import { cliActor } from '../../server/services/service.ts';
import { UsageError, type Command, type Io, type OptionSpec } from '../command.ts';
import { chooseSchool, SCHOOL_OPTION, STORE_OPTIONS, withStore, type StoreValues } from './server-options.ts';

/** `lesmodus server roster import`: the student export of Magister or Somtoday as the school's roster. */

export const LANG_OPTION: OptionSpec = { type: 'string', valueName: '<nl|en>', help: 'The language of the messages (default nl).' };

export function localeOf(value: string | undefined): Locale {
  if (value === undefined || value === 'nl' || value === 'en') return value ?? 'nl';
  throw new UsageError(`--lang must be nl or en, not '${value}'`);
}

export async function readCsvFile(file: string | undefined, extra: readonly string[]): Promise<{ file: string; text: string }> {
  if (!file) throw new UsageError('name the CSV file');
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
  try {
    return { file, text: await readFile(file, 'utf8') };
  } catch (error) {
    throw new UsageError(`cannot read '${file}': ${(error as Error).message}`);
  }
}

/** Every bad line as `file:line: message`, then what to do. */
export function printLineErrors(io: Io, file: string, errors: readonly LineError[], lines: number, lang: Locale): void {
  for (const e of errors) io.err(`${file}${e.line > 0 ? `:${e.line}` : ''}: ${e.message[lang]}`);
  const n = errors.length;
  io.err(lang === 'nl'
    ? `${n} ${n === 1 ? 'fout' : 'fouten'} in ${lines} ${lines === 1 ? 'regel' : 'regels'}: er is niets ingelezen. Verbeter het bestand en lees het opnieuw in.`
    : `${n} ${n === 1 ? 'error' : 'errors'} in ${lines} ${lines === 1 ? 'line' : 'lines'}: nothing was imported. Fix the file and import it again.`);
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

interface Values extends StoreValues {
  school?: string;
  format?: string;
  'dry-run'?: boolean;
  lang?: string;
}

export const serverRosterImport: Command<Values> = {
  path: ['server', 'roster', 'import'],
  positionals: '<file.csv>',
  summary: "Import the school's students, classes and lesson groups from a Magister or Somtoday student export (CSV). Audited.",
  options: {
    ...STORE_OPTIONS,
    school: SCHOOL_OPTION,
    format: { type: 'string', valueName: '<auto|magister|somtoday>', help: 'Which export it is (default auto: recognised by its student number column).' },
    'dry-run': { type: 'boolean', help: 'Only check the file and say what would change; store nothing.' },
    lang: LANG_OPTION,
  },
  details: [
    'Columns by header (any case, accents or spaces), separated by ; or ,; UTF-8 with or without BOM:',
    '  Stamnr (Magister) or Leerlingnummer (Somtoday)   the student number (required)',
    '  Roepnaam, Tussenvoegsel/Voorvoegsel, Achternaam   the name (or one column Naam)',
    '  Klas/Stamgroep and Lesgroep(en)/Groepen           group codes as the timetable has them (at least one column)',
    '  Gebruikersnaam/Login, else E-mail(adres)/UPN      the login on the laptop (the part before @)',
    'The file is the whole roster: students are created or updated (none removed), every group is replaced.',
    'A file with any bad line imports nothing; every bad line is listed with its number. Example:',
    '  lesmodus server roster import --school kl --dry-run leerlingen-magister.csv',
  ].join('\n'),
  async run(values, positionals, io) {
    const [first, ...extra] = positionals;
    const lang = localeOf(values.lang);
    const format = (values.format ?? 'auto') as RosterFormat;
    if (!ROSTER_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${ROSTER_FORMATS.join(', ')}, not '${values.format}'`);
    const { file, text } = await readCsvFile(first, extra);
    return withStore(values, async (store, laptops) => {
      const school = await chooseSchool(store, values.school);
      const result = await importRoster({ store, laptops }, cliActor(), school, text, { format, dryRun: values['dry-run'] ?? false, now: Date.now() });
      if (!result.ok) {
        printLineErrors(io, file, result.errors, result.lines, lang);
        return 1;
      }
      const { students, groups } = result.roster;
      const c = result.changes;
      const source = result.source === 'magister' ? 'Magister' : 'Somtoday';
      const dropped = c.groupsRemoved.length > 0 ? c.groupsRemoved.slice(0, 10).join(', ') + (c.groupsRemoved.length > 10 ? ', …' : '') : '';
      if (lang === 'nl') {
        io.out(`${school.id}: ${plural(students.length, 'leerling', 'leerlingen')} en ${plural(groups.length, 'groep', 'groepen')} uit ${file} (${source}-export)`
          + `${result.stored ? ' ingelezen' : ' zijn in orde (proef: niets opgeslagen)'}: ${c.newStudents} nieuw, ${c.changedStudents} gewijzigd, ${c.unchangedStudents} ongewijzigd; `
          + `${plural(c.groupsAdded.length, 'nieuwe groep', 'nieuwe groepen')}, ${plural(c.groupsRemoved.length, 'groep vervalt', 'groepen vervallen')}${dropped ? ` (${dropped})` : ''}.`);
      } else {
        io.out(`${school.id}: ${plural(students.length, 'student', 'students')} and ${plural(groups.length, 'group', 'groups')} from ${file} (${source} export)`
          + `${result.stored ? ' imported' : ' are fine (dry run: nothing was stored)'}: ${c.newStudents} new, ${c.changedStudents} changed, ${c.unchangedStudents} unchanged; `
          + `${plural(c.groupsAdded.length, 'new group', 'new groups')}, ${plural(c.groupsRemoved.length, 'group dropped', 'groups dropped')}${dropped ? ` (${dropped})` : ''}.`);
      }
      return 0;
    });
  },
};
