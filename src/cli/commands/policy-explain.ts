import { loadCatalogIndex, loadPolicy, readJsonFile } from '../../adapters/resources.ts';
import { loadTimetable } from '../../adapters/timetable-source.ts';
import { z } from 'zod';
import { GrantSchema, type Grant } from '../../core/grants/grant.ts';
import { decide } from '../../core/policy/decide.ts';
import { decisionJson } from '../../core/policy/decision-json.ts';
import { explain } from '../../core/policy/explain.ts';
import { parseInstant } from '../../core/time/parse-instant.ts';
import { parseInput } from '../../core/validation.ts';
import { UsageError, type Command } from '../command.ts';
import { json, localStamp } from '../format.ts';

interface Values {
  timetable?: string;
  at?: string;
  'on-school-network'?: boolean;
  grant?: string[];
  policy?: string;
  catalog?: string;
  json?: boolean;
}

/**
 * A time in a grant file: epoch milliseconds as the server stores them, or
 * ISO-8601 as `timetable import --json` prints them ("2026-11-23T07:30:00.000Z");
 * without an offset, in the policy's zone.
 */
function grantTime(zone: string) {
  return z.unknown().transform((value, ctx) => {
    // A number goes on as it is: GrantSchema says what is wrong with it.
    if (typeof value !== 'string') return value;
    const at = parseInstant(value, zone);
    if (at === undefined) ctx.addIssue({ code: 'custom', message: `"${value}" is not an ISO-8601 date and time (e.g. 2026-11-23T08:30 or 2026-11-23T07:30:00.000Z)` });
    return at ?? z.NEVER;
  });
}

/** The grant as written in a file: its times in either form, turned into instants before GrantSchema checks the rest. */
function grantFileSchema(zone: string) {
  const time = grantTime(zone);
  return z.looseObject({
    issuedAt: time.optional(),
    expiresAt: time.optional(),
    revokedAt: time.optional(),
    scope: z.looseObject({ lessonStart: time.optional(), start: time.optional(), end: time.optional() }).optional(),
  });
}

/** A grant file holds one grant or an array of them. */
function loadGrants(paths: readonly string[], zone: string): Grant[] {
  const times = grantFileSchema(zone);
  return paths.flatMap((path) => {
    const data = readJsonFile(path);
    const list = Array.isArray(data) ? data : [data];
    return list.map((item, i) => {
      const source = Array.isArray(data) ? `${path} [${i}]` : path;
      return parseInput(GrantSchema, parseInput(times, item, source), source);
    });
  });
}

export const policyExplain: Command<Values> = {
  path: ['policy', 'explain'],
  summary: 'Show what the policy blocks at an instant, why, and the message a student sees.',
  options: {
    timetable: { type: 'string', valueName: '<file-or-url>', help: 'The student\'s iCalendar timetable (required).' },
    at: { type: 'string', valueName: '<ISO-8601>', help: 'The instant, e.g. 2026-11-23T08:45+01:00 (without an offset: the policy\'s zone).' },
    'on-school-network': { type: 'boolean', help: 'The laptop is on the school\'s premises (art. III.A.2 applies in school hours).' },
    grant: { type: 'string', multiple: true, valueName: '<file.json>', help: 'A grant (exception) file, one grant or an array, times as ISO-8601 or epoch ms; repeatable.' },
    policy: { type: 'string', valueName: '<file.json>', help: 'Another policy file (default: the SVOK code of conduct).' },
    catalog: { type: 'string', valueName: '<file.json>', help: 'Another app and site catalog (default: the shipped one).' },
    json: { type: 'boolean', help: 'Print the decision as JSON.' },
  },
  details: 'Example:\n  lesmodus policy explain --timetable rooster.ics --at 2026-11-23T08:45 --json\n  lesmodus policy explain --timetable rooster.ics --at 2026-11-23T08:45 --grant uitzondering.json',
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!values.timetable) throw new UsageError('--timetable is required');
    if (!values.at) throw new UsageError('--at is required (an ISO-8601 instant)');
    const policy = loadPolicy(values.policy);
    const at = parseInstant(values.at, policy.timeZone);
    if (at === undefined) throw new UsageError(`--at '${values.at}' is not an ISO-8601 date and time (e.g. 2026-11-23T08:45:00+01:00)`);
    const catalog = loadCatalogIndex(values.catalog);
    const grants = loadGrants(values.grant ?? [], policy.timeZone);
    const timetable = await loadTimetable(values.timetable, { schoolTimeZone: policy.timeZone });

    const decision = decide(at, timetable.lessons, policy, grants, { catalog, onSchoolNetwork: values['on-school-network'] ?? false });
    const explanation = explain(decision, policy);
    if (values.json) {
      io.out(json(decisionJson(decision, explanation)));
      return 0;
    }
    const zone = policy.timeZone;
    const lines = [
      `At ${localStamp(at, zone)} (${zone}), ${policy.name} ${policy.version}`,
      '',
      explanation.message.nl,
      explanation.message.en,
      ...(explanation.hint ? [explanation.hint.nl] : []),
      '',
      `Lesson:    ${decision.lesson ? `${decision.lesson.subject ?? '?'} ${localStamp(decision.lesson.start, zone)}–${localStamp(decision.lesson.end, zone).slice(-5)}` : 'none'}`,
      `Blocked:   ${decision.blocked.categories.join(', ') || 'nothing'}${decision.blocked.capture.length ? `; browser ${decision.blocked.capture.join(', ')}` : ''}`,
      `Services:  ${decision.blocked.services.join(', ') || '-'}`,
      ...decision.reasons.map((r) => `Reason:    ${r.article} (${r.rule}) while ${r.condition}`),
      ...decision.allowed.map((a) => `Allowed:   ${[...a.categories, ...a.services, ...a.capture].join(', ')} by ${a.by.role} ${a.by.teacherCode ?? a.by.username} (${a.articles.join(', ')}): ${a.reason}`),
      ...decision.ignoredGrants.map((g) => `Ignored:   grant ${g.grant} (${g.why})`),
      `Changes:   ${decision.nextChange === null ? 'not before the timetable changes' : localStamp(decision.nextChange, zone)}`,
    ];
    io.out(lines.join('\n'));
    return 0;
  },
};
