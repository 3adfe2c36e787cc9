import { demoTimetableIcs, loadDemoSchool } from '../../adapters/demo-school.ts';
import { loadCatalogIndex, loadPolicy } from '../../adapters/resources.ts';
import { decide } from '../../core/policy/decide.ts';
import { explain } from '../../core/policy/explain.ts';
import { parseInstant } from '../../core/time/parse-instant.ts';
import { addDays, instantToLocal, localToInstant } from '../../core/time/zoned.ts';
import { importIcs } from '../../core/timetable/import-ics.ts';
import { UsageError, type Command } from '../command.ts';
import { localStamp, localTime, table } from '../format.ts';

interface Values {
  at?: string;
  'off-school-network'?: boolean;
}

export const demo: Command<Values> = {
  path: ['demo'],
  summary: 'Show the policy engine at work on the demo school\'s timetable for this week.',
  options: {
    at: { type: 'string', valueName: '<ISO-8601>', help: 'Pretend it is this instant (default: now).' },
    'off-school-network': { type: 'boolean', help: 'Pretend the laptop is at home (art. III.A.2 then applies only in online lessons).' },
  },
  run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const policy = loadPolicy();
    const zone = policy.timeZone;
    const now = values.at === undefined ? Date.now() : parseInstant(values.at, zone);
    if (now === undefined) throw new UsageError(`--at '${values.at}' is not an ISO-8601 date and time`);
    const school = loadDemoSchool();
    const catalog = loadCatalogIndex();
    const { lessons } = importIcs(demoTimetableIcs(school, now), { schoolTimeZone: zone });
    const context = { catalog, onSchoolNetwork: !values['off-school-network'] };

    io.out(`${school.name}: timetable of ${school.student.name} (${school.student.class}) this week, ${zone}\n`);
    io.out(table(
      ['Start', 'End', 'Subject', 'Teacher', 'Location'],
      lessons.map((l) => [localStamp(l.start, zone), localTime(l.end, zone), l.subject ?? '', l.teachers.join(' '), l.online ? 'online' : l.location ?? '']),
    ));

    const nowDecision = decide(now, lessons, policy, [], context);
    io.out(`\nNow (${localStamp(now, zone)}, ${context.onSchoolNetwork ? 'on the school network' : 'at home'}):`);
    io.out(`  ${explain(nowDecision, policy).message.nl}`);
    io.out(`  ${explain(nowDecision, policy).message.en}`);

    // Follow nextChange through the day, as the agent does: one decision per change, no polling.
    const today = instantToLocal(now, zone);
    const dayStart = localToInstant({ year: today.year, month: today.month, day: today.day }, zone);
    const dayEnd = localToInstant(addDays({ year: today.year, month: today.month, day: today.day }, 1), zone);
    io.out(`\nToday, change by change:`);
    for (let at: number | null = dayStart; at !== null && at < dayEnd; ) {
      const decision = decide(at, lessons, policy, [], context);
      io.out(`  ${localTime(at, zone)}  ${explain(decision, policy).message.nl}`);
      at = decision.nextChange;
    }
    io.out(`\nTry: lesmodus policy explain --help, lesmodus timetable import --help, lesmodus catalog classify --help`);
    return 0;
  },
};
