import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import type { Socket } from 'node:net';

/**
 * Who is on the other end of a control socket connection (Linux). The kernel
 * knows (SO_PEERCRED) but Node offers no getsockopt and we ship no native
 * addon, so the agent asks the way `ss` does: the kernel's socket diagnostics
 * (netlink, which Node cannot speak either) name each connection's peer
 * socket, and `ss -p` names the processes holding it; their real uid is the
 * caller's. One `ss` run answers for every connection waiting at that moment.
 *
 * Why not a handshake (the client proves its uid by a file it owns)? Every
 * client (the tray, the CLI, a tray of an older version) would have to do
 * it, and a flooder would still hold a descriptor until it failed. Why the
 * real uid: a setuid program inheriting the student's socket keeps the
 * student's real uid, so it cannot be used to borrow root's allowance.
 */

/** One unix socket from `ss -xpnH`: its inode, its peer's inode, and the pids holding it. */
export interface UnixSocketEntry {
  readonly inode: number;
  readonly peer: number;
  readonly pids: readonly number[];
}

/**
 * Parses `ss -xpnH` output: `u_str ESTAB 0 0 <local> <inode> <peer> <peer-inode> users:(("name",pid=1,fd=3),…)`.
 * The local and peer names may be `*` or a path (paths with spaces are not ours: they are skipped).
 */
export function parseSsUnix(text: string): Map<number, UnixSocketEntry> {
  const entries = new Map<number, UnixSocketEntry>();
  for (const line of text.split('\n')) {
    const match = /^\S+\s+\S+\s+\d+\s+\d+\s+\S+\s+(\d+)\s+\S+\s+(\d+)(.*)$/.exec(line.trim());
    if (!match) continue;
    const pids = [...match[3]!.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    entries.set(Number(match[1]), { inode: Number(match[1]), peer: Number(match[2]), pids });
  }
  return entries;
}

/** The real uid of a process from /proc/PID/status; undefined when it is gone. */
export function realUidOf(pid: number): number | undefined {
  try {
    const match = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The inode of the kernel socket behind an accepted connection (`socket:[N]` in /proc/self/fd); undefined where it cannot be read. */
export function socketInode(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  try {
    const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The peer uid of each of our connections (by our side's inode), from one
 * listing. A peer held by processes of several users counts as the first
 * non-root one: root lending a student's socket nothing more.
 */
export function peerUids(ours: readonly number[], listing: ReadonlyMap<number, UnixSocketEntry>, uidOf: (pid: number) => number | undefined): Map<number, number> {
  const found = new Map<number, number>();
  for (const inode of ours) {
    const peer = listing.get(listing.get(inode)?.peer ?? -1);
    const uids = (peer?.pids ?? []).map(uidOf).filter((u): u is number => u !== undefined);
    const uid = uids.find((u) => u !== 0) ?? uids[0];
    if (uid !== undefined) found.set(inode, uid);
  }
  return found;
}

/** How long one `ss` may take before its connections count as unidentified. */
const SS_TIMEOUT_MS = 3_000;
/** `ss` prints a line per unix socket on the machine; a desktop has a few thousand. */
const SS_MAX_OUTPUT = 32 * 1024 * 1024;

export type SsRunner = () => Promise<string>;

export const runSs: SsRunner = () => new Promise((resolve, reject) => {
  execFile('ss', ['-xpnH'], { timeout: SS_TIMEOUT_MS, maxBuffer: SS_MAX_OUTPUT, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } }, (error, stdout) => {
    if (error) reject(error);
    else resolve(stdout);
  });
});
