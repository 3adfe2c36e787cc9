import { performance } from 'node:perf_hooks';
import { isInterpreter } from '../../core/catalog/linux-cmdline.ts';
import { nodeProcFiles, type ProcFiles } from './proc-files.linux.ts';
import {
  isExited,
  isKernelThread,
  parseCgroupSandbox,
  parseCmdline,
  parseStat,
  parseStatusTgid,
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
const LOADAVG_LIMIT = 128;

/**
 * Up to this many new task ids since the last list are probed one status
 * read each; more (a burst of threads, a build) and the folder is read
 * instead, which costs about as much as this many reads.
 */
const PROBE_LIMIT = 32;

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
  /**
   * Whose processes the guard acts on (default: everyone's). Only theirs are
   * read in full and swept for a late exec: an exec keeps the real uid, so
   * another user's process never becomes the student's app by exec alone.
   * The rest are listed by name and owner, and re-read by their stat alone
   * (a changed name, an exec after a setuid, means reading them in full).
   */
  readonly watches?: (uid: number | undefined) => boolean;
  /** Monotonic ms (performance.now): process ages must not follow the wall clock. */
  readonly monotonic?: () => number;
}

export interface ProcSource extends ProcessSource {
  isSameProcess(pid: number, startTime: number): boolean;
  lastScan(): ProcScanStats;
  close(): void;
}

/**
 * Processes from /proc, cached per pid. A steady-state list reads
 * /proc/loadavg (see pidsToVisit), and then only: every new pid in full, the stat and cmdline of
 * young processes, and the stat of the old ones due for a sweep (their
 * cmdline too when they run an interpreter). A process that exits while it
 * is read is left out without a word (it is gone; the next list agrees), one
 * that exits later at its next recheck.
 */
export function createProcSource(options: ProcSourceOptions = {}): ProcSource {
  const files = options.files ?? nodeProcFiles();
  const monotonic = options.monotonic ?? (() => performance.now());
  const watches = options.watches ?? (() => true);
  const cache = new Map<number, Entry>();
  let generation = 0;
  let stats: ProcScanStats = { listed: 0, readInFull: 0, rechecked: 0 };
  /** The last pid the kernel had given out at the last list; undefined when /proc/loadavg could not be read. */
  let lastPidSeen: number | undefined;

  function readInFull(pid: number, stat: ProcStat, now: number, firstSeenAt: number, statusRead?: string): Entry {
    const base = { startTime: stat.startTime, comm: stat.comm, firstSeenAt, checkedAt: now, seenIn: generation };
    if (isKernelThread(stat) || isExited(stat)) return { ...base, cmdlineText: '', info: undefined };
    const status = statusRead ?? files.read(`${pid}/status`, STATUS_LIMIT);
    const uid = status === undefined ? undefined : parseStatusUid(status);
    // Another user's process is never the guard's to stop: its name is all it needs.
    if (!watches(uid)) return { ...base, cmdlineText: '', info: { pid, ppid: stat.ppid, uid, startTime: stat.startTime, name: stat.comm } };
    const cmdlineText = files.read(`${pid}/cmdline`, CMDLINE_LIMIT) ?? '';
    const cgroup = files.read(`${pid}/cgroup`, CGROUP_LIMIT);
    const mountNamespace = files.readlink(`${pid}/ns/mnt`);
    const info: ProcessInfo = {
      pid,
      ppid: stat.ppid,
      uid,
      startTime: stat.startTime,
      name: stat.comm,
      cmdline: completeArgs(cmdlineText),
      exePath: files.readlink(`${pid}/exe`),
      ...(cgroup === undefined ? {} : parseCgroupSandbox(cgroup)),
      ...(mountNamespace === undefined ? {} : { mountNamespace }),
    };
    return { ...base, cmdlineText, info };
  }

  function readStat(pid: number): ProcStat | undefined {
    const text = files.read(`${pid}/stat`, STAT_LIMIT);
    return text === undefined ? undefined : parseStat(text);
  }

  function readStatKept(pid: number): ProcStat | undefined {
    const text = files.readKept ? files.readKept(`${pid}/stat`, STAT_LIMIT) : files.read(`${pid}/stat`, STAT_LIMIT);
    return text === undefined ? undefined : parseStat(text);
  }

  function forget(pid: number): void {
    cache.delete(pid);
    files.release?.(`${pid}/stat`);
  }

  /**
   * Re-reads a known pid: a different start time is a new process on a
   * reused pid, a different name an exec; either means reading it in full.
   */
  function recheck(pid: number, entry: Entry, now: number): Entry | undefined {
    // The processes swept most are the student's: their descriptor is kept.
    const stat = entry.info && watches(entry.info.uid) ? readStatKept(pid) : readStat(pid);
    if (!stat) return undefined;
    if (stat.startTime !== entry.startTime) return readInFull(pid, stat, now, now);
    if (!entry.info) return isExited(stat) || isKernelThread(stat) ? touch(entry, now) : readInFull(pid, stat, now, now);
    if (isExited(stat)) return readInFull(pid, stat, now, entry.firstSeenAt);
    if (stat.comm !== entry.comm) return readInFull(pid, stat, now, now);
    if (!watches(entry.info.uid)) return touch(entry, now);
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
    if (watches(entry.info.uid)) return isYoung(entry, now) || now - entry.checkedAt >= SWEEP_PERIOD_MS;
    // Another user's young process may still be a service between fork, setuid to the student and exec (cron, a
    // session starting): looked at once a sweep period while young, by its stat alone, and rarely after.
    return now - entry.checkedAt >= (isYoung(entry, now) ? SWEEP_PERIOD_MS : UNLISTED_SWEEP_PERIOD_MS);
  }

  /** The status of a probed id when it is a process; undefined for a thread, or a task that is gone. */
  function processStatus(pid: number): string | undefined {
    const status = files.read(`${pid}/status`, STATUS_LIMIT);
    return status !== undefined && parseStatusTgid(status) === pid ? status : undefined;
  }

  /**
   * The pids to look at. Reading the /proc folder is the dearest part of a
   * quiet scan (the kernel builds an entry per task, several hundred on a
   * laptop). The last pid the kernel gave out (/proc/loadavg) tells when
   * that can be skipped: unchanged, no task was created and the known pids
   * are all there is; moved on by a few, the new ids are probed one by one
   * (each may be a process or a thread). Ended processes are noticed by
   * their next recheck. The folder is read on the first list, when the ids
   * wrapped around, when many tasks were created, and when /proc/loadavg
   * cannot be read.
   */
  function pidsToVisit(firstList: boolean): Iterable<string | number | { probe: number }> {
    const lastPid = readLastPid(files);
    const previous = lastPidSeen;
    lastPidSeen = lastPid;
    if (firstList || lastPid === undefined || previous === undefined) return files.entries();
    const created = lastPid - previous;
    if (created < 0 || created > PROBE_LIMIT) return files.entries();
    const visit: (number | { probe: number })[] = [];
    for (const pid of cache.keys()) if (pid <= previous || pid > lastPid) visit.push(pid);
    // An id given out again after the ids wrapped around is probed too: its cached process ended.
    for (let pid = previous + 1; pid <= lastPid; pid++) visit.push({ probe: pid });
    return visit;
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
      const pids = pidsToVisit(firstList);
      for (const name of pids) {
        let pid: number;
        let probed = false;
        if (typeof name === 'number') pid = name;
        else if (typeof name === 'object') {
          pid = name.probe;
          probed = true;
        } else {
          const code = name.charCodeAt(0);
          if (code < 48 || code > 57) continue; // not a pid: /proc/self, /proc/meminfo…
          pid = Number(name);
        }
        const known = cache.get(pid);
        let entry: Entry | undefined;
        if (known && probed) {
          entry = recheck(pid, known, now);
          recheckedCount++;
        } else if (!known) {
          // A probed id may be a new thread of some process: /proc has a folder for it, but it is no process.
          const status = probed ? processStatus(pid) : undefined;
          if (probed && status === undefined) continue;
          const stat = readStat(pid);
          // Processes already running at the first list are not young: only
          // what starts while the guard watches can be between fork and exec.
          entry = stat && readInFull(pid, stat, firstList ? now - sweepOffset(pid) : now, firstList ? Number.NEGATIVE_INFINITY : now, status);
          readInFullCount++;
        } else if (isDue(known, now)) {
          entry = recheck(pid, known, now);
          recheckedCount++;
        } else {
          entry = known;
        }
        if (entry !== known) {
          if (entry) cache.set(pid, entry);
          else forget(pid);
        }
        if (!entry) continue;
        entry.seenIn = generation;
        present++;
        if (entry.info) listed.push(entry.info);
      }
      // Only when some pid was not in the folder this time: a walk over the whole cache is not free.
      if (present < cache.size) for (const [pid, entry] of cache) if (entry.seenIn !== generation) forget(pid);
      stats = { listed: listed.length, readInFull: readInFullCount, rechecked: recheckedCount };
      return listed;
    },

    isSameProcess(pid, startTime) {
      const stat = readStat(pid);
      return stat !== undefined && stat.startTime === startTime && !isExited(stat);
    },

    lastScan: () => stats,

    close() {
      files.releaseAll?.();
      cache.clear();
      generation = 0;
      lastPidSeen = undefined;
    },
  };
}

/**
 * The pid the kernel gave out last, from /proc/loadavg's last field ("0.20
 * 0.69 1.57 1/386 12345"): in the reader's pid namespace, where every task
 * of a nested one also gets a pid, threads included.
 */
function readLastPid(files: ProcFiles): number | undefined {
  const text = files.read('loadavg', LOADAVG_LIMIT);
  if (text === undefined) return undefined;
  const lastPid = Number(text.slice(text.lastIndexOf(' ') + 1));
  return Number.isInteger(lastPid) && lastPid > 0 ? lastPid : undefined;
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
