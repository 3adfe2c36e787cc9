import { userInfo } from 'node:os';
import si from 'systeminformation';
import { readBundleIdFromInfoPlist, type BundleIdReader } from './bundle-id.darwin.ts';
import { readOriginalNameOfFile } from './pe-original-name.win32.ts';
import { bundleIdOf, darwinFacts, type DarwinFacts } from './si-facts.darwin.ts';
import { win32Facts, type Win32Facts } from './si-facts.win32.ts';
import type { SiProcess } from './si-process.ts';
import { parseStarted, StartTimes } from './start-times.ts';
import type { ProcessInfo, ProcessSource } from './types.ts';

/**
 * systeminformation derives a macOS start time from ps's elapsed time,
 * rounded to the second and counted back from the moment it parses, so one
 * process can show start times a second apart in two lists. Two seconds of
 * tolerance keep it one process. Windows reports CreationDate itself: exact.
 */
const DARWIN_STARTED_JITTER_MS = 2_000;

/** Per-path lookups (bundle id, PE original name) kept at most this many; a long-running agent must not grow without limit. */
const LOOKUP_CACHE_LIMIT = 1_024;

export interface SiSourceOptions {
  readonly os: 'win32' | 'darwin';
  /** systeminformation's processes(); a recorded list in tests. */
  readonly processes?: () => Promise<{ readonly list: readonly SiProcess[] }>;
  /** darwin: CFBundleIdentifier of a bundle (default: reads its Info.plist). */
  readonly readBundleId?: BundleIdReader;
  /** win32: the PE OriginalFilename of an exe (default: reads the file's version resource). */
  readonly readOriginalName?: (exePath: string) => string | undefined;
  /** darwin: the uid of a user name from ps (default: this process's user, and root). */
  readonly uidOfUser?: (user: string) => number | undefined;
}

/**
 * Processes on Windows and macOS through systeminformation: PowerShell's
 * Win32_Process on Windows, `ps` on macOS. Good enough to find an app by its
 * name, exe path, Store package folder, PE original name or bundle id, but
 * slow: each list starts or talks to another program, and systeminformation
 * serves the same answer again for 500 ms after each call. A native helper
 * (Windows: CreateToolhelp32Snapshot or NtQuerySystemInformation, with
 * process tokens for the Store package and the session; macOS:
 * proc_listallpids and proc_pidpath through libproc) would list in well under
 * a millisecond with exact start times; the benchmark's Linux figures show
 * what that buys.
 */
export function createSystemInformationSource(options: SiSourceOptions): ProcessSource {
  const processes = options.processes ?? (() => si.processes());
  const startTimes = new StartTimes(options.os === 'darwin' ? DARWIN_STARTED_JITTER_MS : 0);
  const known = new Map<number, { readonly signature: string; readonly info: ProcessInfo }>();
  const facts = options.os === 'darwin' ? darwinMapper(options) : win32Mapper(options);

  return {
    async list() {
      const { list } = await processes();
      const listed: ProcessInfo[] = [];
      const seen = new Set<number>();
      for (const entry of list) {
        if (entry.state === 'zombie' || !Number.isInteger(entry.pid)) continue;
        seen.add(entry.pid);
        const startTime = startTimes.identify(entry.pid, entry.name, parseStarted(entry.started));
        // Same process, same facts: hand out the same object, so callers can memoise per object.
        const signature = `${startTime}\0${entry.name}\0${entry.path}\0${entry.command}\0${entry.user}\0${entry.parentPid}`;
        const previous = known.get(entry.pid);
        if (previous?.signature === signature) {
          listed.push(previous.info);
          continue;
        }
        const info: ProcessInfo = { pid: entry.pid, ppid: entry.parentPid, startTime, ...facts(entry) };
        known.set(entry.pid, { signature, info });
        listed.push(info);
      }
      startTimes.keepOnly(seen);
      for (const pid of known.keys()) if (!seen.has(pid)) known.delete(pid);
      return listed;
    },
  };
}

function win32Mapper(options: SiSourceOptions): (entry: SiProcess) => Win32Facts {
  const readOriginalName = boundedMemo(options.readOriginalName ?? readOriginalNameOfFile);
  return (entry) => win32Facts(entry, readOriginalName);
}

function darwinMapper(options: SiSourceOptions): (entry: SiProcess) => DarwinFacts {
  const readBundleId = boundedMemo(options.readBundleId ?? readBundleIdFromInfoPlist);
  const uidOfUser = options.uidOfUser ?? currentUserUids();
  return (entry) => darwinFacts(entry, (exePath) => bundleIdOf(exePath, readBundleId), uidOfUser);
}

/**
 * ps names owners, not uids. Without a directory lookup the source knows
 * the user it runs as and root; every other user's processes get no uid,
 * which the guard reads as "not the student's".
 */
function currentUserUids(): (user: string) => number | undefined {
  const me = userInfo();
  return (user) => (user === me.username ? me.uid : user === 'root' ? 0 : undefined);
}

/** Memoises a per-path lookup; starts over when full rather than growing (cheap to redo, rare to overflow). */
function boundedMemo(lookup: (key: string) => string | undefined): (key: string) => string | undefined {
  const memo = new Map<string, string | undefined>();
  return (key) => {
    if (memo.has(key)) return memo.get(key);
    if (memo.size >= LOOKUP_CACHE_LIMIT) memo.clear();
    const value = lookup(key);
    memo.set(key, value);
    return value;
  };
}
