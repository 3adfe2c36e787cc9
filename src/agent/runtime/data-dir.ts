import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The agent's data folder holds teacher names, reasons, the device credential
 * and the event log: root's (or SYSTEM's) alone. mkdir's mode applies only to
 * a folder it creates, and SQLite creates its files with the process's umask,
 * so a folder made by hand, by an older version or by IT stays readable by
 * the student unless the agent tightens it itself, at every start.
 * (Windows ignores these modes; the service's folder there gets its ACL from
 * the installer.)
 */
export function ownerOnlyDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir);
}

function tighten(path: string): void {
  const stat = lstatSync(path);
  // A link is never followed: a student's link in here must not make the agent chmod something of theirs.
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    chmodSync(path, 0o700);
    for (const entry of readdirSync(path)) tighten(join(path, entry));
  } else if (stat.isFile() && (stat.mode & 0o077) !== 0) {
    chmodSync(path, stat.mode & 0o700);
  }
}
