import { performance } from 'node:perf_hooks';
import { isInterpreter } from '../../core/catalog/linux-cmdline.ts';
import { nodeProcFiles, type ProcFiles } from './proc-files.linux.ts';
import {
  isExited,
  isKernelThread,
  parseCgroupSandbox,
  parseCmdline,
  parseStat,
  parseStatusUid,
  type ProcStat,
} from './proc-parse.linux.ts';
import type { ProcessInfo, ProcessSource } from './types.ts';

/**
 * How long after it appears a process is re-read on every list. Launchers
 * (shell wrappers, `flatpak run`, Electron's start scripts) fork first and
 * exec the real app milliseconds to seconds later, keeping the pid: a
 * process read between fork and exec still carries its parent's name. Five
 * seconds covers wrappers that do some setup before their exec.
 */
export const YOUNG_PROCESS_MS = 5_000;

/**
 * Every known process is re-read at least this often, to notice a late exec
 * (a script that sleeps and then becomes Discord) or a pid reused by a new
 * process. Three seconds bounds how long such a process goes unseen; the
 * steady cost is one stat read per process per period, which on a laptop
 * with 300 to 400 processes is most of the guard's CPU (see the benchmark).
 */
export const SWEEP_PERIOD_MS = 3_000;

/**
 * Kernel threads and zombies are re-read only this often: neither ever
 * becomes an app, so the only news would be a new process on the same pid,
 * which needs the whole pid space to wrap around first. Kernel threads are
 * half the pids on a desktop, so this halves the steady cost.
 */
export const UNLISTED_SWEEP_PERIOD_MS = 10_000;

/**
 * The processes present at the first list are spread over this many slots
 * of the sweep, so they are not all re-read in the same scan.
 */
const SWEEP_SLOTS = 8;

// Read limits per file. stat and status fit in a page. A cmdline can be very
// long (Chromium passes kilobytes of flags); what the catalog needs, the
// interpreter and its script, comes first, so a prefix is enough.
const STAT_LIMIT = 1_024;
const STATUS_LIMIT = 4_096;
const CMDLINE_LIMIT = 4_096;
const CGROUP_LIMIT = 4_096;

/** What the source remembers about one pid. */
interface Entry {
  readonly startTime: number;
  readonly comm: string;
  readonly cmdlineText: string;
  /** Undefined for what is never listed: kernel threads and exited processes. */
  readonly info: ProcessInfo | undefined;
  /** Monotonic ms: when this content was first seen, and last re-read. */
  readonly firstSeenAt: number;
  checkedAt: number;
  /** The list() call that last saw the pid in /proc; entries not seen in the latest one are dropped. */
  seenIn: number;
}

/** How much work the latest list() did: for tests and the benchmark. */
export interface ProcScanStats {
  readonly listed: number;
  /** Processes read in full (new, or changed by exec or pid reuse). */
  readonly readInFull: number;
  /** Known processes whose stat (and cmdline) were read again to see whether they changed. */
  readonly rechecked: number;
}

export interface ProcSourceOptions {
  readonly files?: ProcFiles;
  /** Monotonic ms (performance.now): process ages must not follow the wall clock. */
  readonly monotonic?: () => number;
}

export interface ProcSource extends ProcessSource {
  isSameProcess(pid: number, startTime: number): boolean;
  lastScan(): ProcScanStats;
}

/**
 * Processes from /proc, cached per pid. A steady-state list reads the /proc
 * folder, and then only: every new pid in full, the stat and cmdline of
 * young processes, and the stat of the old ones due for a sweep (their
 * cmdline too when they run an interpreter). A process that exits while it
 * is read is left out without a word (it is gone; the next list agrees).
 */
export function createProcSource(options: ProcSourceOptions = {}): ProcSource {
  const files = options.files ?? nodeProcFiles();
  const monotonic = options.monotonic ?? (() => performance.now());
  const cache = new Map<number, Entry>();
  let generation = 0;
  let stats: ProcScanStats = { listed: 0, readInFull: 0, rechecked: 0 };

  function readInFull(pid: number, stat: ProcStat, now: number, firstSeenAt: number): Entry {
    const base = { startTime: stat.startTime, comm: stat.comm, firstSeenAt, checkedAt: now, seenIn: generation };
    if (isKernelThread(stat) || isExited(stat)) return { ...base, cmdlineText: '', info: undefined };
    const cmdlineText = files.read(`${pid}/cmdline`, CMDLINE_LIMIT) ?? '';
    const status = files.read(`${pid}/status`, STATUS_LIMIT);
    const cgroup = files.read(`${pid}/cgroup`, CGROUP_LIMIT);
    const info: ProcessInfo = {
      pid,
      ppid: stat.ppid,
      uid: status === undefined ? undefined : parseStatusUid(status),
      startTime: stat.startTime,
      name: stat.comm,
      cmdline: completeArgs(cmdlineText),
      exePath: files.readlink(`${pid}/exe`),
      ...(cgroup === undefined ? {} : parseCgroupSandbox(cgroup)),
    };
    return { ...base, cmdlineText, info };
  }

  function readStat(pid: number): ProcStat | undefined {
    const text = files.read(`${pid}/stat`, STAT_LIMIT);
    return text === undefined ? undefined : parseStat(text);
  }

  /**
   * Re-reads a known pid: a different start time is a new process on a
   * reused pid, a different name an exec; either means reading it in full.
   */
  function recheck(pid: number, entry: Entry, now: number): Entry | undefined {
    const stat = readStat(pid);
    if (!stat) return undefined;
    if (stat.startTime !== entry.startTime) return readInFull(pid, stat, now, now);
    if (!entry.info) return isExited(stat) || isKernelThread(stat) ? touch(entry, now) : readInFull(pid, stat, now, now);
    if (isExited(stat)) return readInFull(pid, stat, now, entry.firstSeenAt);
    if (stat.comm !== entry.comm) return readInFull(pid, stat, now, now);
    // An exec that keeps the name shows only in the arguments: python3
    // running a launcher that execs python3 kazam. Young processes are
    // where launchers exec; old ones are checked only when they run an
    // interpreter, where the script is what the catalog matches.
    if (isYoung(entry, now) || isInterpreter(stat.comm)) {
      const cmdlineText = files.read(`${pid}/cmdline`, CMDLINE_LIMIT) ?? '';
      if (cmdlineText !== entry.cmdlineText) return readInFull(pid, stat, now, now);
    }
    if (stat.ppid !== entry.info.ppid) {
      // Reparented (its parent exited): same process, new ppid.
      return touch({ ...entry, info: { ...entry.info, ppid: stat.ppid } }, now);
    }
    return touch(entry, now);
  }

  function touch(entry: Entry, now: number): Entry {
    entry.checkedAt = now;
    return entry;
  }

  function isYoung(entry: Entry, now: number): boolean {
    return now - entry.firstSeenAt < YOUNG_PROCESS_MS;
  }

  function isDue(entry: Entry, now: number): boolean {
    if (!entry.info) return now - entry.checkedAt >= UNLISTED_SWEEP_PERIOD_MS;
    return isYoung(entry, now) || now - entry.checkedAt >= SWEEP_PERIOD_MS;
  }

  return {
    async list() {
      const now = monotonic();
      const firstList = generation === 0;
      generation++;
      const listed: ProcessInfo[] = [];
      let readInFullCount = 0;
      let recheckedCount = 0;
      let present = 0;
      for (const name of files.entries()) {
        const code = name.charCodeAt(0);
        if (code < 48 || code > 57) continue; // not a pid: /proc/self, /proc/meminfo…
        const pid = Number(name);
        const known = cache.get(pid);
        let entry: Entry | undefined;
        if (!known) {
          const stat = readStat(pid);
          // Processes already running at the first list are not young: only
          // what starts while the guard watches can be between fork and exec.
          entry = stat && readInFull(pid, stat, firstList ? now - sweepOffset(pid) : now, firstList ? Number.NEGATIVE_INFINITY : now);
          readInFullCount++;
        } else if (isDue(known, now)) {
          entry = recheck(pid, known, now);
          recheckedCount++;
        } else {
          entry = known;
        }
        if (entry !== known) {
          if (entry) cache.set(pid, entry);
          else cache.delete(pid);
        }
        if (!entry) continue;
        entry.seenIn = generation;
        present++;
        if (entry.info) listed.push(entry.info);
      }
      // Only when some pid was not in the folder this time: a walk over the whole cache is not free.
      if (present < cache.size) for (const [pid, entry] of cache) if (entry.seenIn !== generation) cache.delete(pid);
      stats = { listed: listed.length, readInFull: readInFullCount, rechecked: recheckedCount };
      return listed;
    },

    isSameProcess(pid, startTime) {
      const stat = readStat(pid);
      return stat !== undefined && stat.startTime === startTime && !isExited(stat);
    },

    lastScan: () => stats,
  };
}

/** Spreads the first list's processes over the sweep (see SWEEP_SLOTS); by pid, which is as good as random here. */
function sweepOffset(pid: number): number {
  return ((pid % SWEEP_SLOTS) * SWEEP_PERIOD_MS) / SWEEP_SLOTS;
}

/** argv from a cmdline prefix: an argument cut off by the read limit is dropped rather than passed on wrong. */
function completeArgs(text: string): readonly string[] | undefined {
  if (Buffer.byteLength(text) < CMDLINE_LIMIT || text.endsWith('\0')) return parseCmdline(text);
  return parseCmdline(text.slice(0, text.lastIndexOf('\0') + 1));
}
