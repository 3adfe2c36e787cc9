import type { ProcessFacts } from '../../core/catalog/match.ts';

/**
 * A running process as a ProcessSource reports it: who it is (pid plus start
 * time, because pids are reused), whose it is, and every fact the catalog can
 * match on. Sources return the same object for a process that has not
 * changed since the last list, so callers may memoise per object.
 */
export interface ProcessInfo extends ProcessFacts {
  readonly pid: number;
  readonly ppid: number;
  /** Real uid of the owner (Linux, macOS); undefined where the source cannot tell (Windows via systeminformation). */
  readonly uid?: number;
  /**
   * When the process started, in the source's own unit (Linux: clock ticks
   * since boot; systeminformation: epoch ms to the second). Opaque: only
   * (pid, startTime) equality within one source means "the same process".
   */
  readonly startTime: number;
  /**
   * The mount namespace the process runs in ("mnt:[4026531840]", Linux);
   * undefined where the source cannot tell. A student's process in one of
   * its own can see other files than everyone else (a tmpfs over the
   * browser policies).
   */
  readonly mountNamespace?: string;
}

/** Lists the processes running now. Zombies and kernel threads are left out: there is nothing in them to stop. */
export interface ProcessSource {
  /**
   * Async so that sources which must ask another program (systeminformation
   * runs ps or PowerShell) fit; the Linux source does its /proc reads
   * synchronously inside, which costs far less CPU than the thread pool's
   * round trip per file (see proc-source.linux.ts).
   */
  list(): Promise<readonly ProcessInfo[]>;
  /**
   * Reads now whether `pid` is still the process that started at `startTime`
   * (not a zombie, not a new process that got the pid). The guard asks right
   * before every signal, because a list entry may be older than the last
   * scan. Sources that cannot tell cheaply leave it out; the guard then
   * trusts its latest list.
   */
  isSameProcess?(pid: number, startTime: number): boolean;
  /** Gives back what the source holds open (the guard calls it when it stops); a later list starts afresh. */
  close?(): void;
}

/** What became of a signal. */
export type SignalOutcome = 'sent' | 'gone' | 'denied';

/** Stops processes. Identity (pid reuse) is checked by the caller before it asks. */
export interface ProcessKiller {
  /** Asks the process to quit (SIGTERM): it may save its state first. */
  terminate(pid: number): SignalOutcome;
  /** Ends it (SIGKILL): for a process that ignored terminate. */
  forceKill(pid: number): SignalOutcome;
  isAlive(pid: number): boolean;
}

/** A range of uids, as /etc/subuid gives them: `count` ids from `start`. */
export interface UidRange {
  readonly start: number;
  readonly count: number;
}
