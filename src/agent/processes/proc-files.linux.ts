import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';

/** The few /proc operations the Linux process source needs; a fake in tests. */
export interface ProcFiles {
  /** Names in the root folder (the pids and everything else /proc holds). */
  entries(): string[];
  /**
   * The first `limit` bytes of a file under the root, as UTF-8; undefined
   * when it cannot be read (the process exited, or belongs to someone we
   * may not look at).
   */
  read(path: string, limit: number): string | undefined;
  /** Where a symlink points; undefined when it cannot be read. */
  readlink(path: string): string | undefined;
  /**
   * Like read, through a descriptor kept open for the next time: a re-read
   * then costs one system call instead of three, and the descriptor stays
   * tied to the process it was opened for (a read after that process ended
   * fails, even when a new one got its pid). Optional: read is used without it.
   */
  readKept?(path: string, limit: number): string | undefined;
  /** Closes what readKept keeps for `path`. */
  release?(path: string): void;
  /** Closes everything readKept keeps. */
  releaseAll?(): void;
}

/** Bigger than any stat or status file (about 1.5 KB) and than the cmdline prefix the source reads. */
const READ_BUFFER_BYTES = 16 * 1024;

/**
 * At most this many descriptors are kept open (one per process the guard
 * sweeps); past it, files are opened per read as before. Far below the
 * descriptor limit Node starts with, so the agent's sockets and stores never
 * go short because of the guard.
 */
const KEPT_LIMIT = 1_024;

/**
 * The real /proc, read synchronously on purpose: one open/read/close is about
 * 9 µs of CPU on this machine, while fs.promises pays a thread-pool round
 * trip per file that costs seven times as much (measured: 75 stat files
 * 0.7 ms sync, 4.9 ms async). A scan is a few hundred such reads, short
 * enough to run on the event loop.
 */
export function nodeProcFiles(root = '/proc'): ProcFiles {
  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  const kept = new Map<string, number>();

  /** Reads from the start of the file: procfs hands out at most a page per read for some files, so on until full or at the end. */
  function readFrom(fd: number, limit: number): string {
    const want = Math.min(limit, buffer.length);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, want - length, length);
      if (n === 0) break;
      length += n;
      if (length >= want) break;
    }
    return buffer.toString('utf8', 0, length);
  }

  function read(path: string, limit: number): string | undefined {
    let fd: number | undefined;
    try {
      fd = openSync(`${root}/${path}`, 'r');
      return readFrom(fd, limit);
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  function release(path: string): void {
    const fd = kept.get(path);
    if (fd === undefined) return;
    kept.delete(path);
    try {
      closeSync(fd);
    } catch {
      // already closed: nothing to give back
    }
  }

  return {
    entries: () => readdirSync(root),
    read,
    readKept(path, limit) {
      let fd = kept.get(path);
      if (fd === undefined) {
        if (kept.size >= KEPT_LIMIT) return read(path, limit);
        try {
          fd = openSync(`${root}/${path}`, 'r');
        } catch {
          return undefined;
        }
        kept.set(path, fd);
      }
      try {
        return readFrom(fd, limit);
      } catch {
        // ESRCH: the process it was opened for has ended.
        release(path);
        return undefined;
      }
    },
    release,
    releaseAll() {
      for (const path of [...kept.keys()]) release(path);
    },
    readlink(path) {
      try {
        return readlinkSync(`${root}/${path}`);
      } catch {
        return undefined;
      }
    },
  };
}
