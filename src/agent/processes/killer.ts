import type { ProcessKiller, SignalOutcome } from './types.ts';

/** Sends a signal; ESRCH (no such process) means it is already gone, EPERM that it is not ours to stop. */
function signal(pid: number, name: NodeJS.Signals | 0): SignalOutcome {
  try {
    process.kill(pid, name);
    return 'sent';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return 'gone';
    if (code === 'EPERM') return 'denied';
    throw error;
  }
}

/**
 * Stops processes with process.kill: SIGTERM, then SIGKILL.
 *
 * On Windows Node maps both signals to TerminateProcess, so there is no
 * graceful step: the app gets no chance to save. A graceful close there
 * would post WM_CLOSE to the app's windows (what `taskkill /PID n` without
 * /F does); worth adding when the Windows agent is built, knowing that apps
 * such as Discord answer WM_CLOSE by hiding in the tray, so the forced step
 * still decides.
 */
export function createProcessKiller(): ProcessKiller {
  return {
    terminate: (pid) => signal(pid, 'SIGTERM'),
    forceKill: (pid) => signal(pid, 'SIGKILL'),
    // Signal 0 checks existence without sending anything; EPERM means it exists.
    isAlive: (pid) => signal(pid, 0) !== 'gone',
  };
}
