import { parseLocalDate, type LocalDate } from '../../core/time/zoned.ts';
import { cliActor } from '../../server/services/service.ts';
import { importTimetableFrom } from '../../server/services/timetable.ts';
import { UsageError, type Command } from '../command.ts';
import { localStamp } from '../format.ts';
import { chooseSchool, dataDirOf, noPositionals, SCHOOL_OPTION, STORE_OPTIONS, withStore, type StoreValues } from './server-options.ts';
import { readFeedStatus } from '../../server/app/timetable-feed-status.ts';
import { DEFAULT_TIME_ZONE } from '../../core/time/zoned.ts';

interface Values extends StoreValues {
  school?: string;
  from?: string;
  to?: string;
}

function dateOption(value: string | undefined, name: string): LocalDate | undefined {
  if (value === undefined) return undefined;
  const date = parseLocalDate(value);
  if (date === undefined) throw new UsageError(`--${name} '${value}' is not a date (YYYY-MM-DD)`);
  return date;
}

export const serverTimetableImport: Command<Values> = {
  path: ['server', 'timetable', 'import'],
  positionals: '<file-or-url>',
  summary: "Import a school's iCalendar timetable (Zermelo, Somtoday, Untis, Magister, Outlook) into the server.",
  options: {
    ...STORE_OPTIONS,
    school: SCHOOL_OPTION,
    from: { type: 'string', valueName: '<YYYY-MM-DD>', help: "The first day to replace (default: the feed's first lesson day)." },
    to: { type: 'string', valueName: '<YYYY-MM-DD>', help: "The last day to replace (default: the feed's last lesson day)." },
  },
  details: 'Lessons in the days replaced that the feed no longer has are removed; other days are left alone.\n'
    + 'Example:\n  lesmodus server timetable import https://school.zportal.nl/api/v3/ical?token=… --school svok-college',
  async run(values, positionals, io) {
    const [source, ...extra] = positionals;
    if (!source) throw new UsageError('name the timetable file or URL');
    if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
    const range = { from: dateOption(values.from, 'from'), to: dateOption(values.to, 'to') };
    await withStore(values, async (store, laptops) => {
      const school = await chooseSchool(store, values.school);
      const result = await importTimetableFrom({ store, laptops }, cliActor(), school, source, range, Date.now());
      for (const warning of result.warnings) io.err(`warning: ${warning.event ? `${warning.event}: ` : ''}${warning.message}`);
      io.out(`${school.id}: ${result.added} lessons imported from ${localStamp(result.from, school.timeZone)} until ${localStamp(result.to, school.timeZone)} `
        + `(${result.removed} replaced${result.skipped ? `, ${result.skipped} outside the range left out` : ''}).`);
    });
    return 0;
  },
};

export const serverTimetableStatus: Command<StoreValues> = {
  path: ['server', 'timetable', 'status'],
  summary: "The timetable feed's last refresh on this server: when, whether it worked (or why not), and how many lessons it imported.",
  options: { 'data-dir': STORE_OPTIONS['data-dir'] },
  details: 'The server refreshes the feed given with lesmodus server --timetable-feed <url> at start and on its schedule.',
  async run(values, positionals, io) {
    noPositionals(positionals);
    const status = await readFeedStatus(dataDirOf(values).root);
    if (status === null || status.last === null) {
      io.out('No timetable feed has been refreshed here yet (start the server with --timetable-feed <url>).');
      return 0;
    }
    const { last } = status;
    io.out(`${status.schoolId}: ${status.source} (schedule '${status.expression}')`);
    io.out(`Last refresh ${localStamp(last.at, DEFAULT_TIME_ZONE)}: ${last.ok ? `ok, ${last.message}` : `FAILED, the stored timetable stays: ${last.message}`}`);
    return last.ok ? 0 : 1;
  },
};
