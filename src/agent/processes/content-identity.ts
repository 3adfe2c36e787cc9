import { createHash } from 'node:crypto';
import { open, readdir, realpath, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Os } from '../../core/categories.ts';
import { interpretedProgram, loaderProgram } from '../../core/catalog/linux-cmdline.ts';
import type { CatalogIndex, ProcessFacts } from '../../core/catalog/match.ts';
import { unixNameKey } from '../../core/catalog/names.ts';
import type { ProcessInfo } from './types.ts';

// A renamed copy of a blocked program (`cp /usr/share/discord/Discord ~/notes`)
// carries no name the catalog knows. Its content does: the same bytes as the
// installed Discord, or a hash the catalog lists. Hashing is dear, so only
// files a student could have put there are looked at (owned by the student),
// only when their size matches something known, each file once.

/** What examining a process found: nothing to add, a hash still being taken, or the facts with the content added. */
export type ContentVerdict = 'none' | 'pending' | ProcessFacts;

export interface ContentIdentity {
  /**
   * Looks at the files `info` runs (its executable; the program the loader
   * runs; the script an interpreter runs) that `isStudents` owns. Quick: a
   * hash not taken yet is queued and 'pending' returned; onSettled says when
   * asking again is worth it.
   */
  examine(info: ProcessInfo, isStudents: (uid: number | undefined) => boolean): Promise<ContentVerdict>;
  /** A running process the catalog named by its executable: an installed program to compare copies with. */
  noteInstalled(info: ProcessInfo): void;
  /** Gives back open files; pending work is dropped. */
  close(): void;
}

export interface ContentIdentityOptions {
  readonly os: Os;
  readonly catalog: Pick<CatalogIndex, 'catalog' | 'contentSizes'>;
  /** A queued hash was taken: the guard scans again. */
  readonly onSettled: () => void;
  readonly onError?: (error: unknown) => void;
  /** Where installed programs are looked for (Linux); default INSTALL_DIRS plus /opt's app folders. */
  readonly installDirs?: readonly string[];
  /** Monotonic ms, for re-reading the installed programs now and then. */
  readonly monotonic?: () => number;
}

/** Folders package managers install programs (or links to them) into. */
export const INSTALL_DIRS: readonly string[] = ['/usr/bin', '/usr/local/bin', '/bin', '/usr/games', '/usr/local/games', '/snap/bin'];

/** Installed programs change with updates: looked for again this often (and at the first examine). */
const INSTALLED_REFRESH_MS = 10 * 60_000;

/** Files waiting for a hash at once; more is a student making noise, and the oldest waits for a later scan. */
const QUEUE_LIMIT = 16;

const HASH_CHUNK = 1 << 20;

interface Installed {
  readonly path: string;
  readonly key: string;
  readonly size: number;
}

interface Job {
  readonly key: string;
  readonly handle: FileHandle;
}

export function createContentIdentity(options: ContentIdentityOptions): ContentIdentity {
  const { os } = options;
  const monotonic = options.monotonic ?? (() => performance.now());
  const onError = options.onError ?? (() => undefined);
  /** sha256 per file key (dev:ino:size:mtime): a key names one content while the file is unchanged. */
  const hashes = new Map<string, string>();
  const installed = new Map<string, Installed>();
  const installedBySize = new Map<number, Installed[]>();
  /** Programs seen running (noteInstalled), kept when the folders are read again. */
  const learned = new Map<string, Installed>();
  let installedReadAt = Number.NEGATIVE_INFINITY;
  let installedReading: Promise<void> | undefined;
  const queue: Job[] = [];
  const queued = new Set<string>();
  let working = false;
  let closed = false;

  const catalogShas = new Set(options.catalog.catalog.services.flatMap((s) => [s.match.linux, s.match.win32, s.match.darwin].flatMap((m) => m?.contents ?? []).map((c) => c.sha256)));
  const blockedNames = new Set(options.catalog.catalog.services.flatMap((s) => [...(s.match.linux?.binaries ?? []), ...(s.match.linux?.scripts ?? [])].map(unixNameKey)));

  function addInstalled(entry: Installed): void {
    if (installed.has(entry.path)) return;
    installed.set(entry.path, entry);
    const same = installedBySize.get(entry.size) ?? [];
    same.push(entry);
    installedBySize.set(entry.size, same);
  }

  /** An installed program counts only when nobody but root can have written it. */
  async function installedAt(path: string): Promise<Installed | undefined> {
    const real = await realpath(path).catch(() => undefined);
    if (real === undefined) return undefined;
    const handle = await open(real, 'r').catch(() => undefined);
    if (!handle) return undefined;
    try {
      const facts = await handle.stat({ bigint: true });
      if (!facts.isFile() || facts.uid !== 0n || (Number(facts.mode) & 0o022) !== 0) return undefined;
      return { path: real, key: fileKey(facts), size: Number(facts.size) };
    } finally {
      await handle.close();
    }
  }

  async function readInstalled(): Promise<void> {
    if (os !== 'linux') return;
    const dirs = options.installDirs ?? [...INSTALL_DIRS, ...(await optAppDirs())];
    const found: Installed[] = [];
    for (const dir of dirs) {
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        if (!blockedNames.has(unixNameKey(name))) continue;
        const entry = await installedAt(join(dir, name));
        if (entry) found.push(entry);
      }
    }
    installed.clear();
    installedBySize.clear();
    for (const entry of [...found, ...learned.values()]) addInstalled(entry);
  }

  function refreshInstalled(): Promise<void> {
    if (monotonic() - installedReadAt < INSTALLED_REFRESH_MS) return installedReading ?? Promise.resolve();
    installedReadAt = monotonic();
    installedReading = readInstalled().catch(onError);
    return installedReading;
  }

  async function hashOf(handle: FileHandle): Promise<string> {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(HASH_CHUNK);
    for (let position = 0; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, HASH_CHUNK, position);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    return hash.digest('hex');
  }

  /** Hashes the installed programs of `size` not hashed yet (each once while unchanged). */
  async function hashInstalled(size: number): Promise<void> {
    for (const entry of installedBySize.get(size) ?? []) {
      if (hashes.has(entry.key)) continue;
      const handle = await open(entry.path, 'r').catch(() => undefined);
      if (!handle) continue;
      try {
        const facts = await handle.stat({ bigint: true });
        // Updated since it was listed: the next listing sees the new file.
        if (fileKey(facts) === entry.key) hashes.set(entry.key, await hashOf(handle));
      } finally {
        await handle.close();
      }
    }
  }

  async function work(): Promise<void> {
    if (working) return;
    working = true;
    try {
      for (let job = queue.shift(); job && !closed; job = queue.shift()) {
        try {
          if (!hashes.has(job.key)) hashes.set(job.key, await hashOf(job.handle));
          await hashInstalled(Number(job.key.split(':')[2]));
        } catch (error) {
          onError(error);
        } finally {
          queued.delete(job.key);
          await job.handle.close().catch(() => undefined);
        }
        if (!closed) options.onSettled();
      }
    } finally {
      working = false;
    }
  }

  /** What the file content says, or 'pending' (the handle is then the queue's to close). */
  function verdictFor(info: ProcessInfo, key: string, size: number, handle: FileHandle): ContentVerdict {
    const sha = hashes.get(key);
    const installedSame = installedBySize.get(size) ?? [];
    if (sha === undefined || installedSame.some((entry) => !hashes.has(entry.key))) {
      if (!queued.has(key)) {
        if (queue.length >= QUEUE_LIMIT) {
          const dropped = queue.shift()!;
          queued.delete(dropped.key);
          void dropped.handle.close().catch(() => undefined);
        }
        queue.push({ key, handle });
        queued.add(key);
        void work();
        return 'pending';
      }
      void handle.close().catch(() => undefined);
      return 'pending';
    }
    void handle.close().catch(() => undefined);
    const same = installedSame.find((entry) => hashes.get(entry.key) === sha && entry.key !== key);
    return { ...info, contentSha256: sha, ...(same ? { sameContentAs: same.path } : {}) };
  }

  async function examineFile(info: ProcessInfo, path: string, isStudents: (uid: number | undefined) => boolean): Promise<ContentVerdict> {
    const handle = await open(path, 'r').catch(() => undefined);
    if (!handle) return 'none';
    let keep = false;
    try {
      const facts = await handle.stat({ bigint: true });
      const size = Number(facts.size);
      if (!facts.isFile() || !placedByStudent(os, path, Number(facts.uid), isStudents)) return 'none';
      if (!options.catalog.contentSizes.has(size) && !installedBySize.has(size)) return 'none';
      const verdict = verdictFor(info, fileKey(facts), size, handle);
      keep = true;
      return verdict;
    } finally {
      if (!keep) await handle.close().catch(() => undefined);
    }
  }

  return {
    async examine(info, isStudents) {
      if (closed) return 'none';
      await refreshInstalled();
      let pending = false;
      for (const path of runFiles(os, info)) {
        const verdict = await examineFile(info, path, isStudents);
        if (verdict === 'pending') pending = true;
        // The first file whose content is something known decides (a copied python3 running a copied kazam: the script).
        else if (verdict !== 'none' && (verdict.sameContentAs !== undefined || catalogShas.has(verdict.contentSha256 ?? ''))) return verdict;
      }
      return pending ? 'pending' : 'none';
    },
    noteInstalled(info) {
      if (os !== 'linux' || info.exePath === undefined || installed.has(info.exePath)) return;
      // By its path, not /proc/PID/exe: the app is being stopped as this runs. Seen from the agent's
      // mount namespace the path must still be root's program with a blocked name, or it teaches nothing.
      void installedAt(info.exePath.replace(/ \(deleted\)$/, '')).then((entry) => {
        if (!entry || !blockedNames.has(unixNameKey(entry.path))) return;
        learned.set(entry.path, entry);
        addInstalled(entry);
      }, onError);
    },
    close() {
      closed = true;
      for (const job of queue.splice(0)) void job.handle.close().catch(() => undefined);
      queued.clear();
    },
  };
}

/** Identifies a file's content while it is unchanged: device, inode, size and change time. */
function fileKey(facts: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): string {
  return `${facts.dev}:${facts.ino}:${facts.size}:${facts.mtimeNs}:${facts.ctimeNs}`;
}

/**
 * Whether the student could have put the file there: theirs (or, in a user
 * namespace, one of their subordinate uids'). Root's files in /usr are the
 * programs they are called; a student cannot write them. On Windows a file
 * has no uid here: a file under a user profile is the student's.
 */
function placedByStudent(os: Os, path: string, uid: number, isStudents: (uid: number | undefined) => boolean): boolean {
  if (os === 'win32') return /^[a-z]:\\users\\/i.test(path);
  return isStudents(uid);
}

/**
 * The files a process runs, as paths this agent can open. On Linux through
 * /proc, so a file in the student's own mount namespace, or deleted since,
 * is the file the process has, not whatever the path names for the agent.
 */
export function runFiles(os: Os, info: ProcessInfo): string[] {
  if (os !== 'linux') return info.exePath === undefined ? [] : [info.exePath];
  const files = [`/proc/${info.pid}/exe`];
  const inProcess = (arg: string) => (arg.startsWith('/') ? `/proc/${info.pid}/root${arg}` : `/proc/${info.pid}/cwd/${arg}`);
  const loaded = loaderProgram(info.exePath, info.cmdline);
  if (loaded !== undefined) files.push(inProcess(loaded));
  const program = info.cmdline ? interpretedProgram(info.cmdline) : undefined;
  if (program?.isFile) files.push(inProcess(program.arg));
  return files;
}

/** /opt/<app>/ and /opt/<app>/bin/: where vendors' tarballs and some packages put their programs. */
async function optAppDirs(): Promise<string[]> {
  const apps = await readdir('/opt', { withFileTypes: true }).catch(() => []);
  return apps.filter((d) => d.isDirectory()).flatMap((d) => [join('/opt', d.name), join('/opt', d.name, 'bin')]);
}
