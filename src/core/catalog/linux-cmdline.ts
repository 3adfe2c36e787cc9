import { baseName } from './names.ts';

// What a Linux process's command line and exe path say about the app behind
// it, beyond its name: the script an interpreter runs, the flatpak being
// launched, the snap it lives in.

/** How an interpreter's command line names its program; options differ per family. */
interface InterpreterSyntax {
  /** Options whose value is the program itself (`python3 -m kazam`, `java -jar app.jar`). */
  readonly program: ReadonlySet<string>;
  /** Options that run inline code: there is no script file to name. */
  readonly inline: ReadonlySet<string>;
  /** Options that take a separate value which is not the program. */
  readonly value: ReadonlySet<string>;
}

const syntax = (program: string[], inline: string[], value: string[]): InterpreterSyntax =>
  ({ program: new Set(program), inline: new Set(inline), value: new Set(value) });

/**
 * Interpreters whose first operand is the program, by family. Version
 * suffixes are common (python3.11, perl5.36); gjs-console is what GNOME's #!
 * scripts name (gnome-sound-recorder on Debian 12 starts "#!/usr/bin/gjs-console").
 */
const INTERPRETERS: readonly [RegExp, InterpreterSyntax][] = [
  [/^(python|pypy)[0-9.]*$/, syntax(['-m'], ['-c'], ['-W', '-X'])],
  [/^(node|nodejs)$/, syntax([], ['-e', '--eval', '-p', '--print'], ['-r', '--require', '--import', '--loader', '-C', '--conditions'])],
  [/^gjs(-console)?$/, syntax(['-m', '--module'], ['-c', '--command'], ['-I', '--include-path', '--coverage-prefix', '--coverage-output'])],
  [/^(perl|ruby)[0-9.]*$/, syntax([], ['-e', '-E'], ['-I'])],
  [/^(bash|sh|dash|zsh)$/, syntax([], ['-c'], ['-o', '-O', '+O'])],
  [/^java$/, syntax(['-jar'], [], ['-cp', '-classpath', '--class-path', '-p', '--module-path'])],
];

function interpreterSyntax(argv0: string): InterpreterSyntax | undefined {
  const name = baseName(argv0).toLowerCase();
  return INTERPRETERS.find(([pattern]) => pattern.test(name))?.[1];
}

const SCRIPT_EXTENSION = /\.(py|pyw|js|mjs|cjs|pl|rb|sh|jar)$/i;

/** True when argv[0] names an interpreter we look past. */
export function isInterpreter(argv0: string): boolean {
  return interpreterSyntax(argv0) !== undefined;
}

/**
 * The program an interpreter command line runs: a script file, or with
 * `python3 -m kazam` a module name (no file to read). Undefined when argv[0]
 * is no interpreter or the code is inline.
 */
export function interpretedProgram(cmdline: readonly string[]): { readonly arg: string; readonly isFile: boolean } | undefined {
  const [argv0, ...args] = cmdline;
  const options = argv0 === undefined ? undefined : interpreterSyntax(argv0);
  if (!options) return undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    let script: string | undefined;
    let isFile = true;
    if (arg === '--') script = args[i + 1];
    else if (options.program.has(arg)) {
      script = args[i + 1];
      // java -jar names a file; python -m and gjs -m a module.
      isFile = arg === '-jar';
    } else if (options.inline.has(arg)) return undefined;
    else if (options.value.has(arg)) { i++; continue; }
    else if (arg.startsWith('-') || arg.startsWith('+')) continue;
    else script = arg;
    return script === undefined || script.length === 0 ? undefined : { arg: script, isFile };
  }
  return undefined;
}

/**
 * The script an interpreter command line runs, as file names to look up: the
 * base name, and the base name without a script extension ("kazam.py" is
 * "kazam" too). Empty when argv[0] is no interpreter or the code is inline.
 */
export function interpretedScriptNames(cmdline: readonly string[]): string[] {
  const program = interpretedProgram(cmdline);
  if (!program) return [];
  const base = baseName(program.arg);
  const bare = base.replace(SCRIPT_EXTENSION, '');
  return bare !== base && bare.length > 0 ? [base, bare] : [base];
}

/**
 * The app id of `flatpak run [options] <app-id>[//branch] …`, the launcher
 * process that exists until the sandbox starts. Inside the sandbox the app id
 * is not on the command line; the adapter reads it from the process's cgroup
 * or /.flatpak-info and passes it as ProcessFacts.flatpakAppId.
 */
export function flatpakRunAppId(cmdline: readonly string[]): string | undefined {
  const [argv0, ...args] = cmdline;
  if (argv0 === undefined || baseName(argv0) !== 'flatpak') return undefined;
  const run = args.indexOf('run');
  if (run === -1) return undefined;
  const appId = args.slice(run + 1).find((a) => !a.startsWith('-'));
  return appId?.split('//')[0];
}

/**
 * Snap names a process may belong to: from an exe path under /snap/<name>/,
 * and from an argv[0] of /snap/bin/<name>[.<app>]. Both are offered because a
 * snap's scripts run on an interpreter from its base snap (/snap/core22/…).
 */
export function snapNamesOf(exePath: string | undefined, argv0: string | undefined): string[] {
  const names: string[] = [];
  const fromExe = exePath === undefined ? undefined : /^\/snap\/([^/]+)\//.exec(exePath)?.[1];
  if (fromExe !== undefined && fromExe !== 'bin') names.push(fromExe);
  const fromBin = argv0 === undefined ? undefined : /^\/snap\/bin\/([^/.]+)/.exec(argv0)?.[1];
  if (fromBin !== undefined) names.push(fromBin);
  return names;
}

/**
 * The file name of an exe path. Linux appends " (deleted)" to /proc/PID/exe
 * when the binary was replaced on disk (an update while the app runs), which
 * must not make the app unrecognisable.
 */
export function exePathName(exePath: string): string {
  return baseName(exePath.replace(/ \(deleted\)$/, ''));
}

/** The dynamic loader's own file names: ld-linux-x86-64.so.2, ld-linux-aarch64.so.1, ld.so. */
const LOADER = /^ld(?:-linux[\w.-]*)?\.so(?:\.\d+)*$/;
const LOADER_VALUE_OPTIONS = new Set(['--library-path', '--inhibit-rpath', '--audit', '--preload', '--argv0', '--glibc-hwcaps-prepend', '--glibc-hwcaps-mask']);

/**
 * The program a process really runs when it was started through the dynamic
 * loader (`/lib64/ld-linux-x86-64.so.2 ~/discord`): the kernel then reports
 * the loader as the executable, and the program is its first argument that is
 * not one of the loader's own options. Undefined for every other process.
 */
export function loaderProgram(exePath: string | undefined, cmdline: readonly string[] | undefined): string | undefined {
  if (exePath === undefined || cmdline === undefined || !LOADER.test(exePathName(exePath))) return undefined;
  for (let i = 1; i < cmdline.length; i++) {
    const arg = cmdline[i]!;
    if (LOADER_VALUE_OPTIONS.has(arg)) { i++; continue; }
    if (arg.startsWith('--')) continue;
    return arg.length > 0 ? arg : undefined;
  }
  return undefined;
}
