import { loadTimetable } from '../../adapters/timetable-source.ts';
import { DEFAULT_TIME_ZONE, isValidTimeZone } from '../../core/time/zoned.ts';
import { UsageError, type Command } from '../command.ts';
import { json, lessonJson, localStamp, localTime, table } from '../format.ts';

interface Values {
  json?: boolean;
  zone?: string;
}

export const timetableImport: Command<Values> = {
  path: ['timetable', 'import'],
  positionals: '<file-or-url>',
  summary: 'Read an iCalendar timetable (Zermelo, Somtoday, Untis, Magister, Outlook, Google) and list its lessons.',
  options: {
    json: { type: 'boolean', help: 'Print {"lessons","allDay","warnings"} as JSON (instants in UTC).' },
    zone: { type: 'string', valueName: '<iana-zone>', help: `The school's time zone, for floating times and the table (default ${DEFAULT_TIME_ZONE}).` },
  },
  details: 'Examples:\n  lesmodus timetable import rooster.ics\n  lesmodus timetable import https://school.zportal.nl/api/v3/ical?token=… --json',
  async run(values, positionals, io) {
    const [source, ...extra] = positionals;
    if (!source) throw new UsageError('name the timetable file or URL');
    if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
    const zone = values.zone ?? DEFAULT_TIME_ZONE;
    if (!isValidTimeZone(zone)) throw new UsageError(`unknown time zone '${zone}' (use an IANA name such as Europe/Amsterdam)`);

    const timetable = await loadTimetable(source, { schoolTimeZone: zone });
    if (values.json) {
      io.out(json({ lessons: timetable.lessons.map(lessonJson), allDay: timetable.allDay, warnings: timetable.warnings }));
      return 0;
    }
    const rows = timetable.lessons.map((l) => [
      localStamp(l.start, zone),
      localTime(l.end, zone),
      l.subject ?? '',
      l.groups.join(' '),
      l.teachers.join(' '),
      l.location ?? '',
      [l.cancelled ? 'cancelled' : '', l.online ? 'online' : ''].filter(Boolean).join(', '),
    ]);
    io.out(table(['Start', 'End', 'Subject', 'Groups', 'Teachers', 'Location', 'Notes'], rows));
    for (const day of timetable.allDay) io.out(`All day ${day.start}${day.noLessons ? ' (no lessons)' : ''}: ${day.summary}`);
    io.out(`${timetable.lessons.length} lessons (${timetable.lessons.filter((l) => l.cancelled).length} cancelled), ${timetable.allDay.length} all-day events, times in ${zone}.`);
    for (const warning of timetable.warnings) io.err(`warning: ${warning.event ? `${warning.event}: ` : ''}${warning.message}`);
    return 0;
  },
};
