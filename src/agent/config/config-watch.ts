import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { LoadedConfig } from './load-config.ts';

/**
 * Settings change without reinstalling: the agent reads its config again on
 * SIGHUP (systemctl reload, launchctl kill HUP), when a watched file or its
 * folder changes (an MDM replaces the file), and on a timer (the Windows
 * policy key cannot be watched cheaply, and a watch can miss a replaced
 * folder). A reading that differs from the last one is handed on.
 */

/** How often the config is read regardless: Intune and Jamf apply a new profile within hours, so a minute adds nothing a student notices. */
export const CONFIG_RECHECK_MS = 60_000;

export interface ConfigWatchOptions {
  readonly load: () => Promise<LoadedConfig>;
  /** The reading the agent started with. */
  readonly initial: LoadedConfig;
  readonly watchPaths: readonly string[];
  readonly onChange: (next: LoadedConfig, previous: LoadedConfig) => void | Promise<void>;
  readonly onError: (error: Error) => void;
  /** Told of each SIGHUP, so `systemctl reload` shows in the log even when nothing changed. */
  readonly onSighup?: () => void;
  readonly intervalMs?: number;
  /** Where SIGHUP comes from (the process; an EventEmitter in tests). */
  readonly signals?: { on(event: 'SIGHUP', listener: () => void): unknown; off(event: 'SIGHUP', listener: () => void): unknown };
}

export interface ConfigWatch {
  /** Reads the config now (as SIGHUP does); resolves when the change, if any, has been handed on. */
  recheck(): Promise<void>;
  stop(): void;
}

/** What makes two readings the same: the settings and what was wrong with them. */
function fingerprint(reading: LoadedConfig): string {
  return JSON.stringify([reading.config, reading.problems, reading.secretsRefused, reading.refused]);
}

export function watchConfig(options: ConfigWatchOptions): ConfigWatch {
  let current = options.initial;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const once = async () => {
    const next = await options.load();
    if (stopped || fingerprint(next) === fingerprint(current)) return;
    const previous = current;
    current = next;
    await options.onChange(next, previous);
  };
  // One reading at a time; a trigger during a reading asks for one more after it.
  const recheck = (): Promise<void> => {
    if (running !== null) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await once();
        } catch (error) {
          options.onError(error as Error);
        }
      } while (again && !stopped);
      running = null;
    })();
    return running;
  };

  const onSignal = () => void recheck();
  const onSighup = () => {
    options.onSighup?.();
    void recheck();
  };
  const signals = options.signals ?? process;
  signals.on('SIGHUP', onSighup);
  const timer = setInterval(onSignal, options.intervalMs ?? CONFIG_RECHECK_MS);
  timer.unref();
  const watchers: FSWatcher[] = [];
  // The folder, not the file: an MDM or `install` replaces the file, which ends a watch on the old one.
  for (const folder of new Set(options.watchPaths.map((p) => dirname(p)))) {
    const names = new Set(options.watchPaths.filter((p) => dirname(p) === folder).map((p) => basename(p)));
    try {
      const watcher = watch(folder, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name.toString())) onSignal();
      });
      watcher.on('error', () => watcher.close()); // the folder went away: the timer still reads
      watchers.push(watcher);
    } catch {
      // No folder yet (no profile installed): the timer and SIGHUP still read.
    }
  }

  return {
    recheck,
    stop() {
      stopped = true;
      signals.off('SIGHUP', onSighup);
      clearInterval(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
