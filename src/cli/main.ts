import { lesmodusVersion } from '../adapters/version.ts';
import { helpText, runCommand, type Command, type Io } from './command.ts';
import { allCommands, COMMAND_PATHS, findCommand } from './command-table.ts';

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

/** Finds the command whose path is the longest prefix of argv and runs it; only that command's code is loaded. */
export async function main(argv: string[], io: Io): Promise<number> {
  const command = await findCommand(argv);
  if (command) return runCommand(command, argv.slice(command.path.length), io);

  // What IT asks first of an installed command: which version, on which Node.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.out(`lesmodus ${lesmodusVersion()} (Node ${process.versions.node})\n`);
    return 0;
  }
  const words = argv.filter((a) => !a.startsWith('-'));
  const inGroup = COMMAND_PATHS.some((path) => path.split(' ')[0] === words[0]);
  const wantsHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help';
  if (inGroup && (wantsHelp || words.length === 1)) {
    const group = (await allCommands()).filter((c) => c.path[0] === words[0]);
    (wantsHelp ? io.out : io.err)(overview(group, [words[0]!]));
    return wantsHelp ? 0 : 2;
  }
  if (wantsHelp && words.length <= 1) {
    io.out(overview(await allCommands(), []));
    return 0;
  }
  io.err(`lesmodus: unknown command '${words.join(' ')}'\n\n${overview(await allCommands(), [])}`);
  return 2;
}

export { helpText };
