import type { Command } from './command.ts';

/**
 * Every command's words and the module that holds it. A run loads only its
 * own command's module: `lesmodus server device revoke` need not load the
 * web server, the agent and PostgreSQL's driver first, which halves the
 * start of a short command (IT scripts and the agent's status call run many).
 * Only help and an unknown command load them all. A test checks this table
 * against what the modules export.
 */

interface CommandModule {
  /** The paths of the commands the module exports, each as the words after `lesmodus`. */
  readonly paths: readonly string[];
  load(): Promise<Record<string, unknown>>;
}

const MODULES: readonly CommandModule[] = [
  { paths: ['timetable import'], load: () => import('./commands/timetable-import.ts') },
  { paths: ['policy explain'], load: () => import('./commands/policy-explain.ts') },
  { paths: ['catalog classify'], load: () => import('./commands/catalog-classify.ts') },
  { paths: ['agent', 'agent status'], load: () => import('./commands/agent.ts') },
  { paths: ['agent unlock'], load: () => import('./commands/agent-unlock.ts') },
  { paths: ['demo'], load: () => import('./commands/demo.ts') },
  { paths: ['server', 'server demo'], load: () => import('./commands/server.ts') },
  { paths: ['server init'], load: () => import('./commands/server-init.ts') },
  { paths: ['server school add', 'server school list'], load: () => import('./commands/server-school.ts') },
  { paths: ['server user add'], load: () => import('./commands/server-user.ts') },
  { paths: ['server timetable import', 'server timetable status'], load: () => import('./commands/server-timetable.ts') },
  { paths: ['server roster import'], load: () => import('./commands/server-roster.ts') },
  { paths: ['server consent import', 'server consent list', 'server consent withdraw'], load: () => import('./commands/server-consent.ts') },
  { paths: ['server enroll-secret', 'server enroll-secret list', 'server enroll-secret revoke'], load: () => import('./commands/server-enroll-secret.ts') },
  {
    paths: ['server device revoke', 'server device restore', 'server device rules import', 'server device rules list', 'server device import', 'server devices import'],
    load: () => import('./commands/server-device.ts'),
  },
  { paths: ['server export'], load: () => import('./commands/server-export.ts') },
  { paths: ['server prune'], load: () => import('./commands/server-retention.ts') },
  { paths: ['server mdm-profile'], load: () => import('./commands/server-mdm-profile.ts') },
  { paths: ['server catalog check'], load: () => import('./commands/server-catalog.ts') },
  { paths: ['server backup', 'server restore'], load: () => import('./commands/server-backup.ts') },
];

function isCommand(value: unknown): value is Command<any> {
  return typeof value === 'object' && value !== null && Array.isArray((value as Command).path) && typeof (value as Command).run === 'function';
}

/** The commands a module exports, in the table's order of its paths. */
async function commandsOf(entry: CommandModule): Promise<Command<any>[]> {
  const exported = Object.values(await entry.load()).filter(isCommand);
  return entry.paths.map((path) => {
    const command = exported.find((c) => c.path.join(' ') === path);
    if (command === undefined) throw new Error(`command-table: ${path} is not exported by its module`);
    return command;
  });
}

/** The command whose words are the longest prefix of argv (so `agent status` is not `agent` with an argument), loading only its module. */
export async function findCommand(argv: readonly string[]): Promise<Command<any> | undefined> {
  let best: { entry: CommandModule; path: string; words: number } | undefined;
  for (const entry of MODULES) {
    for (const path of entry.paths) {
      const words = path.split(' ');
      if (words.every((word, i) => argv[i] === word) && (best === undefined || words.length > best.words)) best = { entry, path, words: words.length };
    }
  }
  if (best === undefined) return undefined;
  return (await commandsOf(best.entry)).find((c) => c.path.join(' ') === best.path);
}

/** Every command, for help and the overview: this loads every module. */
export async function allCommands(): Promise<Command<any>[]> {
  return (await Promise.all(MODULES.map(commandsOf))).flat();
}

/** The paths the table names, as the words after `lesmodus`. */
export const COMMAND_PATHS: readonly string[] = MODULES.flatMap((m) => m.paths);

/** What each module really exports: for the test that keeps the table honest. */
export async function exportedPaths(): Promise<string[]> {
  const all = await Promise.all(MODULES.map(async (m) => Object.values(await m.load()).filter(isCommand).map((c) => c.path.join(' '))));
  return all.flat();
}
