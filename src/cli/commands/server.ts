import { startDemoServer } from '../../server/app/demo-server.ts';
import type { DemoSummary } from '../../server/app/demo-seed.ts';
import { chooseDatabaseUrl } from '../../server/app/data-dir.ts';
import { DEFAULT_HOST, DEFAULT_PORT, serve, type RunningServer } from '../../server/app/server-app.ts';
import { jsonLogger, type Logger } from '../../server/http/logger.ts';
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, type Command, type Io } from '../command.ts';
import { localStamp, table } from '../format.ts';
import { parseCidr, parseIp } from '../../core/network/school-network.ts';
import { dataDirOf, STORE_OPTIONS, type StoreValues } from './server-options.ts';
import { RETENTION_OPTIONS, retentionPolicyOf, type RetentionValues } from './server-retention.ts';
import { createSite } from '../../server/web/site.ts';
import { startDemoLaptop, type DemoLaptop } from './demo-laptop.ts';
import { demoClock } from '../../server/app/demo-clock.ts';
import { parseInstant } from '../../core/time/parse-instant.ts';
import { loadPolicy } from '../../adapters/resources.ts';
import { checkFeedCron, DEFAULT_FEED_CRON } from '../../server/app/timetable-feed.ts';

interface Values extends StoreValues, RetentionValues {
  port?: string;
  host?: string;
  demo?: boolean;
  'no-laptop'?: boolean;
  'secure-cookies'?: boolean;
  'trusted-proxy'?: string[];
  at?: string;
  'timetable-feed'?: string;
  'timetable-feed-cron'?: string;
  'timetable-feed-school'?: string;
}

const SUBCOMMANDS = ['init', 'user add', 'school add', 'school list', 'timetable import', 'timetable status', 'roster import', 'device import', 'enroll-secret', 'mdm-profile', 'export', 'prune', 'backup', 'restore', 'catalog check', 'demo'];

function trustedProxiesOf(values: readonly string[] | undefined): string[] {
  for (const value of values ?? []) {
    if (parseIp(value) === undefined && parseCidr(value) === undefined) throw new UsageError(`--trusted-proxy '${value}' is not an address or a range such as 10.0.0.5 or 10.0.0.0/24`);
  }
  return [...(values ?? [])];
}

function portOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be a port number (0–65535), not '${value}'`);
  return port;
}

/** Runs until SIGINT or SIGTERM, then closes the server (ending live streams) and the store. */
async function untilStopped(server: Pick<RunningServer, 'close'>, io: Io): Promise<number> {
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.err('Stopping…');
  await server.close();
  return 0;
}

function printLaptop(io: Io, laptop: DemoLaptop): void {
  const socket = laptop.controlSocket.includes(' ') ? `"${laptop.controlSocket}"` : laptop.controlSocket;
  io.out([
    '',
    `A live laptop: this computer runs the agent in dry-run (it stops nothing) as ${laptop.student.name} (${laptop.student.login}), synced with this server.`,
    'Grant an exception in the portal as jansen and watch the laptop apply it (the [laptop] lines, and the count in the portal). Try:',
    `  npx lesmodus agent status --control-socket ${socket}`,
    `  npx lesmodus agent unlock --control-socket ${socket} --code <the code jansen's portal shows> --allow social --reason "Instagram-campagne analyseren"`,
  ].join('\n'));
}

export function printDemo(io: Io, url: string, demo: DemoSummary, dataDir: string): void {
  io.out(`Lesmodus demo server: ${demo.schoolName} (${demo.lessons} lessons this week, ${demo.devices} laptops, ${demo.exceptions} exceptions)`);
  io.out(`\n  ${url}\n  API: ${url}/api/v1/openapi.json\n`);
  io.out(`Demo logins (password for all: ${demo.password}):`);
  io.out(table(['Username', 'Role', 'Name', 'Code'], demo.logins.map((l) => [l.username, l.role, l.name, l.teacherCode ?? ''])));
  io.out(`\nData: ${dataDir} (a temporary folder is removed when the demo stops). Stop with Ctrl-C.`);
}

/** `--at`: a clock that starts there (read in the school's zone without an offset) and runs on. */
function demoClockOf(at: string | undefined): (() => number) | undefined {
  if (at === undefined) return undefined;
  const start = parseInstant(at, loadPolicy().timeZone);
  if (start === undefined) throw new UsageError(`--at '${at}' is not a date and time; write it as 2026-12-02T10:45 (Amsterdam time) or with an offset`);
  return demoClock(start);
}

/**
 * The demo's request log goes to a file, not the console: the console is for
 * the logins and the live laptop's lines, which a newcomer is told to watch.
 * Warnings and errors go to both.
 */
async function demoLog(): Promise<{ logger: Logger; path: string; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lesmodus-demo-log-'));
  const path = join(dir, 'server.log');
  const file = createWriteStream(path, { flags: 'a', mode: 0o600 });
  const toFile = jsonLogger((line) => file.write(line));
  const toConsole = jsonLogger();
  const logger: Logger = {
    info: toFile.info,
    warn: (message, fields) => { toFile.warn(message, fields); toConsole.warn(message, fields); },
    error: (message, fields) => { toFile.error(message, fields); toConsole.error(message, fields); },
  };
  return { logger, path, close: () => new Promise((resolve) => file.end(resolve)) };
}

const AT_OPTION = {
  type: 'string', valueName: '<ISO-8601>',
  help: 'Run the whole demo (server, portal, laptop) from this moment on, e.g. 2026-12-02T10:45 for a Wednesday lesson: try it in the evening or at the weekend.',
} as const;

const OPTIONS = {
  ...STORE_OPTIONS,
  port: { type: 'string', valueName: '<port>', help: `The port to listen on (default ${DEFAULT_PORT}; 0 picks a free one).` },
  host: { type: 'string', valueName: '<address>', help: `The address to listen on (default ${DEFAULT_HOST}; 0.0.0.0 for the whole network).` },
  'secure-cookies': { type: 'boolean', help: 'Mark the session cookie Secure always (it is, and HSTS is sent, whenever a request came over HTTPS).' },
  'trusted-proxy': { type: 'string', multiple: true, valueName: '<address|cidr>', help: 'A reverse proxy in front of the server (repeat for more): only its X-Forwarded-For/-Proto are believed, for rate limits per real client and HTTPS.' },
} as const;

export const serverDemo: Command<Values> = {
  path: ['server', 'demo'],
  summary: 'Start a throwaway server with the demo school (this week\'s timetable, teachers, a leader, laptops, exceptions) and print the logins.',
  options: {
    'data-dir': STORE_OPTIONS['data-dir'], port: OPTIONS.port, host: OPTIONS.host,
    'no-laptop': { type: 'boolean', help: 'Do not run the live demo laptop (the agent in dry-run on this computer).' },
    at: AT_OPTION,
  },
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const clock = demoClockOf(values.at);
    const log = await demoLog();
    const { server, demo, dataDir } = await startDemoServer({
      host: values.host ?? DEFAULT_HOST, port: portOf(values.port), logger: log.logger,
      ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
      ...(clock ? { clock } : {}),
    });
    printDemo(io, server.url, demo, dataDir);
    io.out(`Server log (every request): ${log.path}`);
    if (clock) io.out(`Demo clock: it is ${localStamp(clock(), loadPolicy().timeZone)} (Europe/Amsterdam) for the server, the portal and the laptop.`);
    const laptop = values['no-laptop'] ? null : await startDemoLaptop({ serverUrl: server.url, serverDataDir: dataDir, schoolId: demo.schoolId, out: (line) => io.out(line), ...(clock ? { now: clock } : {}) })
      .catch(async (error: unknown) => {
        io.err(`The live demo laptop did not start (${(error as Error).message}); the server runs without it.`);
        return null;
      });
    if (laptop !== null) printLaptop(io, laptop);
    // The laptop first: its folder is inside the demo's, which the server removes when it closes.
    return untilStopped({ close: async () => { await laptop?.stop(); await server.close(); await log.close(); } }, io);
  },
};

function timetableFeedOf(values: Values): { url: string; expression?: string; schoolId?: string } | undefined {
  const url = values['timetable-feed'];
  if (url === undefined) {
    if (values['timetable-feed-cron'] !== undefined) throw new UsageError('--timetable-feed-cron needs --timetable-feed <url>');
    return undefined;
  }
  if (!/^(https?|webcal):\/\//i.test(url)) throw new UsageError(`--timetable-feed must be an http(s) or webcal URL, not '${url}'`);
  const expression = values['timetable-feed-cron'];
  const problem = expression === undefined ? null : checkFeedCron(expression);
  if (problem !== null) throw new UsageError(`--timetable-feed-cron: ${problem}`);
  return { url, ...(expression ? { expression } : {}), ...(values['timetable-feed-school'] ? { schoolId: values['timetable-feed-school'] } : {}) };
}

export const serverStart: Command<Values> = {
  path: ['server'],
  summary: 'Run the school server: the API for the portal, the dashboard and the laptops (lesmodus server --help for its commands).',
  options: {
    ...OPTIONS, ...RETENTION_OPTIONS,
    'timetable-feed': { type: 'string', valueName: '<url>', help: "The school's timetable ICS feed (Zermelo, Somtoday, Untis…): refreshed at start and every night (see --timetable-feed-cron)." },
    'timetable-feed-cron': { type: 'string', valueName: '<cron>', help: `When to refresh it, school time (default '${DEFAULT_FEED_CRON}': 05:30 every day).` },
    'timetable-feed-school': { type: 'string', valueName: '<school-id>', help: 'The school of the feed (may be left out when the server has one).' },
    demo: { type: 'boolean', help: 'Start the demo school instead (the same as lesmodus server demo).' }, at: AT_OPTION },
  details: `Commands: ${SUBCOMMANDS.map((c) => `lesmodus server ${c}`).join(', ')}.\n`
    + 'What is past retention is deleted when the server starts and every night at 03:41.\n'
    + 'First run lesmodus server init. Example:\n  lesmodus server --data-dir /var/lib/lesmodus --host 0.0.0.0',
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unknown command 'server ${positionals.join(' ')}'; commands: ${SUBCOMMANDS.join(', ')}`);
    const retention = retentionPolicyOf(values);
    if (values.demo) {
      if (values['database-url'] !== undefined || values['secure-cookies']) throw new UsageError('the demo always runs on its own SQLite database, without --database-url or --secure-cookies');
      return serverDemo.run(values, positionals, io);
    }
    const feed = timetableFeedOf(values);
    if (values.at !== undefined) throw new UsageError('--at moves the demo\'s clock only (lesmodus server demo --at …); a real server runs on its own clock');
    const server = await serve({
      retention,
      dataDir: dataDirOf(values).root,
      databaseUrl: chooseDatabaseUrl(values['database-url']),
      host: values.host ?? DEFAULT_HOST,
      port: portOf(values.port),
      settings: { secureCookies: values['secure-cookies'] ?? false, trustedProxies: trustedProxiesOf(values['trusted-proxy']) },
      site: createSite(),
      ...(feed ? { timetableFeed: feed } : {}),
    });
    io.out(`Lesmodus server listening on ${server.url} (API description: ${server.url}/api/v1/openapi.json). Stop with Ctrl-C.`);
    return untilStopped(server, io);
  },
};
