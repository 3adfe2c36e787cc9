import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * One heavy test file at a time on this machine (heavy-files.ts). A lock
 * folder (mkdir is atomic) with its holder's pid; a holder that died (a
 * worker killed at a timeout) or held it impossibly long is taken over.
 */

const POLL_MS = 200;
/** Longer than any heavy file takes (the CI soak is about 75 s alone): a lock this old is a leftover. */
const STALE_MS = 20 * 60_000;
/** A lock folder without its owner file this long after it was made: its maker died between the two steps. */
const ORPHAN_MS = 10_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const LOCK = join(tmpdir(), 'lesmodus-heavy-test.lock');

function stale(lock: string): boolean {
  try {
    const { pid, since } = JSON.parse(readFileSync(join(lock, 'owner'), 'utf8')) as { pid: number; since: number };
    return !alive(pid) || Date.now() - since > STALE_MS;
  } catch {
    // Made a moment ago and not yet written: give its maker a moment; a maker that died in between left it for good.
    try {
      return Date.now() - statSync(lock).mtimeMs > ORPHAN_MS;
    } catch {
      return false; // gone meanwhile: the next try takes it
    }
  }
}

/** One try: the lane and how to let it go, or null while another file holds it. */
export function tryHeavyLane(lock = LOCK): (() => void) | null {
  try {
    mkdirSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (stale(lock)) rmSync(lock, { recursive: true, force: true });
    return null;
  }
  writeFileSync(join(lock, 'owner'), JSON.stringify({ pid: process.pid, since: Date.now() }));
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    rmSync(lock, { recursive: true, force: true });
  };
  process.once('exit', release);
  return release;
}

/** Waits until no other heavy test file runs, and returns how to let the next one go. `lock`: the lane's folder (a test's own). */
export async function takeHeavyLane(lock = LOCK): Promise<() => void> {
  for (;;) {
    const release = tryHeavyLane(lock);
    if (release !== null) return release;
    await sleep(POLL_MS);
  }
}
