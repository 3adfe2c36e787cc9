import { parseArgs, type ParseArgsOptionDescriptor } from 'node:util';

/** Where a command writes; injected so tests can run commands in-process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

export interface OptionSpec extends ParseArgsOptionDescriptor {
  /** One line for --help; the value's name follows the flag, e.g. "<file>". */
  readonly help: string;
  readonly valueName?: string;
}

export interface Command<V = Record<string, unknown>> {
  /** Words after `lesmodus`, e.g. ["timetable", "import"]. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Positional arguments, for the usage line. */
  readonly positionals?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Extra lines for --help: examples, notes. */
  readonly details?: string;
  run(values: V, positionals: string[], io: Io): Promise<number> | number;
}

/** Wrong use of the command line: exit code 2 and a pointer to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function helpText(command: Command): string {
  const lines = [
    `Usage: lesmodus ${command.path.join(' ')}${command.positionals ? ` ${command.positionals}` : ''} [options]`,
    '',
    command.summary,
    '',
    'Options:',
  ];
  const entries = Object.entries(command.options).map(([name, spec]) => {
    const flag = `--${name}${spec.type === 'string' ? ` ${spec.valueName ?? '<value>'}` : ''}${spec.multiple ? '…' : ''}`;
    return [flag, spec.help] as const;
  });
  entries.push(['--help', 'Show this help.']);
  const width = Math.max(...entries.map(([flag]) => flag.length)) + 2;
  for (const [flag, help] of entries) lines.push(`  ${flag.padEnd(width)}${help}`);
  if (command.details) lines.push('', command.details.trimEnd());
  return `${lines.join('\n')}\n`;
}

/** Parses argv for one command and runs it; usage errors exit 2, failures 1. */
export async function runCommand(command: Command, argv: string[], io: Io): Promise<number> {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }) as typeof parsed;
  } catch (error) {
    io.err(`lesmodus ${command.path.join(' ')}: ${(error as Error).message}\nRun 'lesmodus ${command.path.join(' ')} --help' for usage.`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(helpText(command));
    return 0;
  }
  try {
    return await command.run(parsed.values, parsed.positionals, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`lesmodus ${command.path.join(' ')}: ${error.message}\nRun 'lesmodus ${command.path.join(' ')} --help' for usage.`);
      return 2;
    }
    io.err(`lesmodus ${command.path.join(' ')}: ${(error as Error).message}`);
    return 1;
  }
}
