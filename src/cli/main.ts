import { lesmodusVersion } from '../adapters/version.ts';
import { helpText, runCommand, type Command, type Io } from './command.ts';
import { agentRun, agentStatus } from './commands/agent.ts';
import { agentUnlock } from './commands/agent-unlock.ts';
import { catalogClassify } from './commands/catalog-classify.ts';
import { demo } from './commands/demo.ts';
import { policyExplain } from './commands/policy-explain.ts';
import { SERVER_COMMANDS } from './commands/server-commands.ts';
import { timetableImport } from './commands/timetable-import.ts';

export const COMMANDS: readonly Command<any>[] = [timetableImport, policyExplain, catalogClassify, agentRun, agentStatus, agentUnlock, demo, ...SERVER_COMMANDS];

function overview(commands: readonly Command<any>[], prefix: readonly string[]): string {
  const rows = commands.map((c) => [c.path.join(' '), c.summary] as const);
  const width = Math.max(...rows.map(([p]) => p.length)) + 2;
  const title = prefix.length ? `lesmodus ${prefix.join(' ')}` : 'lesmodus';
  return [
    `Usage: ${title} <command> [options]`,
    '',
    prefix.length ? 'Commands:' : 'Lesmodus: classroom device policy for the Gedragscode Social Media SVOK.\n\nCommands:',
    ...rows.map(([p, s]) => `  ${p.padEnd(width)}${s}`),
    '',
    `Run 'lesmodus <command> --help' for a command's options.`,
    '',
  ].join('\n');
}

/** Finds the command whose path is the longest prefix of argv and runs it. */
export async function main(argv: string[], io: Io): Promise<number> {
  // The longest path wins, so `agent status` is not taken for `agent` with an argument.
  const command = [...COMMANDS].sort((a, b) => b.path.length - a.path.length).find((c) => c.path.every((word, i) => argv[i] === word));
  if (command) return runCommand(command, argv.slice(command.path.length), io);

  // What IT asks first of an installed command: which version, on which Node.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.out(`lesmodus ${lesmodusVersion()} (Node ${process.versions.node})\n`);
    return 0;
  }
  const words = argv.filter((a) => !a.startsWith('-'));
  const group = COMMANDS.filter((c) => c.path[0] === words[0]);
  const wantsHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help';
  if (group.length > 0 && (wantsHelp || words.length === 1)) {
    (wantsHelp ? io.out : io.err)(overview(group, [words[0]!]));
    return wantsHelp ? 0 : 2;
  }
  if (wantsHelp && words.length <= 1) {
    io.out(overview(COMMANDS, []));
    return 0;
  }
  io.err(`lesmodus: unknown command '${words.join(' ')}'\n\n${overview(COMMANDS, [])}`);
  return 2;
}

export { helpText };
