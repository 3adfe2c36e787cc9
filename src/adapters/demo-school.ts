import { z } from 'zod';
import { addDays, instantToLocal, isoWeekday, localToInstant, parseClockTime } from '../core/time/zoned.ts';
import { parseInput } from '../core/validation.ts';
import { readJsonFile, RESOURCES_DIR } from './resources.ts';

/** The demo school in resources/demo: one student's week, laid on whatever week "now" is in. */
const DemoSchoolSchema = z.object({
  name: z.string(),
  timeZone: z.string(),
  periods: z.record(z.string(), z.tuple([z.string(), z.string()])),
  student: z.object({ name: z.string(), login: z.string(), class: z.string() }),
  /** ISO weekday → [period, subject, group, teacher code, room ("online" for an online lesson)]. */
  week: z.record(z.string(), z.array(z.tuple([z.string(), z.string(), z.string(), z.string(), z.string()]))),
});
export type DemoSchool = z.infer<typeof DemoSchoolSchema>;

export function loadDemoSchool(path = `${RESOURCES_DIR}demo/school.json`): DemoSchool {
  return parseInput(DemoSchoolSchema, readJsonFile(path), path);
}

function icsStamp(instant: number): string {
  return new Date(instant).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * The demo student's timetable for the school week that contains `now`, as an
 * iCalendar feed in Exchange's style (UTC times, "subject - group - TEACHER"), so
 * the demo goes through the same importer as a real feed.
 */
export function demoTimetableIcs(school: DemoSchool, now: number): string {
  const today = instantToLocal(now, school.timeZone);
  const monday = addDays({ year: today.year, month: today.month, day: today.day }, 1 - isoWeekday(today));
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:-//Lesmodus//Demo ${school.name}//NL`, `X-WR-TIMEZONE:${school.timeZone}`];
  for (const [weekday, lessons] of Object.entries(school.week)) {
    const date = addDays(monday, Number(weekday) - 1);
    for (const [period, subject, group, teacher, room] of lessons) {
      const times = school.periods[period];
      if (!times) throw new Error(`demo school: period ${period} is not defined`);
      const at = (clock: string) => {
        const minutes = parseClockTime(clock)!;
        return localToInstant({ ...date, hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0 }, school.timeZone);
      };
      const online = room === 'online';
      lines.push(
        'BEGIN:VEVENT',
        `UID:demo-${date.year}${date.month}${date.day}-${period}@lesmodus.demo`,
        `DTSTAMP:${icsStamp(now)}`,
        `DTSTART:${icsStamp(at(times[0]))}`,
        `DTEND:${icsStamp(at(times[1]))}`,
        `SUMMARY:${subject} - ${group} - ${teacher}`,
        ...(online ? ['DESCRIPTION:Online les via Teams'] : []),
        ...(online ? ['LOCATION:Online (Teams)'] : [`LOCATION:${room}`]),
        'END:VEVENT',
      );
    }
  }
  lines.push('END:VCALENDAR');
  return `${lines.join('\r\n')}\r\n`;
}
