// Harmless processes named like blocked and never-block apps, for the tests
// and the benchmark: copies of sleep under app names, a Python script named
// like a recorder, a bash copy posing as GNOME's gjs interpreter.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessSource } from '../../../src/agent/processes/types.ts';

/** Catalog names of Linux binaries (see resources/catalog/catalog.json), each a copy of sleep here. */
export const SLEEP_STAND_INS = ['obs', 'cheese', 'Discord', 'simplescreenrecorder', 'teams-for-linux', 'firefox'] as const;
export type SleepStandIn = (typeof SLEEP_STAND_INS)[number];

/** Long enough to outlive any test; every stand-in is killed when the test ends. */
const STAND_IN_SECONDS = '600';

export interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the signal that ended it (null for a normal exit). */
  readonly exited: Promise<NodeJS.Signals | null>;
  /** The signal that ended it; rejects, naming the process, if it still runs after a generous deadline. */
  ended(timeoutMs?: number): Promise<NodeJS.Signals | null>;
  alive(): boolean;
}

/** How long a test waits for the guard to stop a stand-in: many intervals, for a loaded shared machine. */
const STOP_DEADLINE_MS = 15_000;

export interface StandIns {
  readonly dir: string;
  /** A copy of sleep named `name`, sleeping. */
  app(name: SleepStandIn, options?: SpawnOptions): Running;
  /** `python3 <dir>/kazam`: a Python script named like the Kazam recorder. */
  kazam(): Running;
  /** `<dir>/gjs-console <dir>/gnome-sound-recorder`: GNOME's recorder as its interpreter runs it. */
  soundRecorder(): Running;
  /** `obs` that ignores SIGTERM: bash sets it to SIG_IGN, and exec passes that on. */
  stubbornObs(): Running;
  /** Any command, run and cleaned up like the stand-ins (for attacks built from them). */
  run(command: string, args: string[], options?: SpawnOptions): Running;
  /** Kills whatever is still running and removes the folder. */
  cleanUp(): void;
}

export function createStandIns(): StandIns {
  const dir = mkdtempSync(join(tmpdir(), 'lesmodus-stand-ins-'));
  // Other users must be able to run the copies (the other-uid test runs one as nobody).
  chmodSync(dir, 0o755);
  const sleep = realpathSync('/bin/sleep');
  for (const name of SLEEP_STAND_INS) copyFileSync(sleep, join(dir, name));
  writeFileSync(join(dir, 'kazam'), 'import time\ntime.sleep(600)\n');
  copyFileSync(realpathSync('/bin/bash'), join(dir, 'gjs-console'));
  writeFileSync(join(dir, 'gnome-sound-recorder'), `read -t ${STAND_IN_SECONDS}\n`);
  for (const name of [...SLEEP_STAND_INS, 'gjs-console']) chmodSync(join(dir, name), 0o755);

  const children: ChildProcess[] = [];
  const run = (command: string, args: string[], options: SpawnOptions = {}): Running => {
    // stdin stays an open pipe: the sound recorder stand-in waits on it.
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'ignore'], ...options });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    children.push(child);
    const pid = child.pid;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const ended = (timeoutMs = STOP_DEADLINE_MS) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${[command, ...args].join(' ')} (pid ${pid}) still runs after ${timeoutMs} ms`)), timeoutMs);
      });
      return Promise.race([exited, late]).finally(() => clearTimeout(timer));
    };
    return { child, pid, exited, ended, alive: () => child.exitCode === null && child.signalCode === null };
  };

  return {
    dir,
    run,
    app: (name, options) => run(join(dir, name), [STAND_IN_SECONDS], options),
    kazam: () => run('python3', [join(dir, 'kazam')]),
    soundRecorder: () => run(join(dir, 'gjs-console'), [join(dir, 'gnome-sound-recorder')]),
    stubbornObs: () => run('bash', ['-c', `trap "" TERM; exec ${join(dir, 'obs')} ${STAND_IN_SECONDS}`]),
    cleanUp() {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The real source, narrowed to this process's own children. Tests run in
 * parallel on a shared machine: a guard that saw every process would kill
 * other workers' stand-ins (and anyone's real app named like a blocked one).
 */
export function ownChildren(source: ProcessSource): ProcessSource {
  return {
    list: async () => (await source.list()).filter((p) => p.ppid === process.pid),
    ...(source.isSameProcess ? { isSameProcess: source.isSameProcess.bind(source) } : {}),
    ...(source.close ? { close: source.close.bind(source) } : {}),
  };
}

export { waitFor } from '../../helpers/wait-for.ts';
