import { readdirSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { nodeProcFiles, type ProcFiles } from './proc-files.linux.ts';

/**
 * The mount namespace the system runs in: init's ("mnt:[4026531840]"). An
 * agent that may not look at init (not root) takes its own, which is then
 * the student's session's too. The service unit must not give the agent a
 * mount namespace of its own (no PrivateTmp=, ProtectSystem= and the like)
 * unless it can read init's, or every process would look out of place.
 */
export function initialMountNamespace(files: ProcFiles = nodeProcFiles()): string | undefined {
  return files.readlink('1/ns/mnt') ?? files.readlink('self/ns/mnt');
}

/** How long a reading of snapd's namespaces is trusted: snaps start rarely, and a miss is only read again after this. */
const SNAP_NAMESPACES_TTL_MS = 5_000;

/**
 * The mount namespaces snapd made for its confined apps: snap-confine
 * (setuid root) keeps each one bound at /run/snapd/ns/<snap>.mnt, a place a
 * student cannot write, so a namespace found there is not the student's
 * doing. Read at most once per TTL; none where snapd is not installed.
 */
export function snapMountNamespaces(dir = '/run/snapd/ns', monotonic: () => number = () => performance.now()): () => ReadonlySet<string> {
  let known: ReadonlySet<string> = new Set();
  let readAt = Number.NEGATIVE_INFINITY;
  return () => {
    const now = monotonic();
    if (now - readAt < SNAP_NAMESPACES_TTL_MS) return known;
    readAt = now;
    const found = new Set<string>();
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      // no snapd here
    }
    for (const name of names) {
      if (!name.endsWith('.mnt')) continue;
      try {
        found.add(`mnt:[${statSync(`${dir}/${name}`).ino}]`);
      } catch {
        // removed while read: the next reading agrees
      }
    }
    known = found;
    return known;
  };
}
