import type { Stats } from 'node:fs';

/**
 * Who besides the agent can read or change a config file. The enrollment
 * secret must be readable by root/SYSTEM only (issue 12, item 8); a file
 * others can change could swap the server's pinned key, so it is not used.
 */
export interface FileExposure {
  /** "readable by group and others (mode 0644)"; null when only its owner can read it. */
  readonly readable: string | null;
  /** Why someone besides root/SYSTEM could change it; null when nobody can. */
  readonly writable: string | null;
}

export type ExposureCheck = (path: string, stat: Stats) => Promise<FileExposure>;

function whom(bits: number, group: number, other: number): string {
  if ((bits & group) !== 0 && (bits & other) !== 0) return 'group and others';
  return (bits & group) !== 0 ? 'its group' : 'others';
}

/** Linux and macOS: the mode bits and the owner (the agent runs as root, so root must own it). */
export function posixExposure(agentUid: number | null): ExposureCheck {
  return async (_path, stat) => {
    const mode = `mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}`;
    const readable = (stat.mode & 0o044) !== 0 ? `readable by ${whom(stat.mode, 0o040, 0o004)} (${mode})` : null;
    let writable = (stat.mode & 0o022) !== 0 ? `writable by ${whom(stat.mode, 0o020, 0o002)} (${mode})` : null;
    if (writable === null && agentUid !== null && stat.uid !== agentUid) writable = `owned by uid ${stat.uid}, not by the agent's user (uid ${agentUid})`;
    return { readable, writable };
  };
}
