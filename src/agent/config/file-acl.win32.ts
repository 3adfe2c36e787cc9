import type { CommandRunner } from './command-runner.ts';
import type { ExposureCheck, FileExposure } from './file-exposure.ts';

/**
 * Windows: who may read or change the config file, from its security
 * descriptor in SDDL (`(Get-Acl).Sddl`), which names accounts by SID and so
 * reads the same on a Dutch or an English Windows. Only SYSTEM,
 * Administrators and TrustedInstaller may hold it; an ACE for Users,
 * Authenticated Users or Everyone (what a file in ProgramData inherits) makes
 * the secret readable by students.
 */

const TRUSTED = new Set(['SY', 'S-1-5-18', 'BA', 'S-1-5-32-544', 'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464']);

/** SDDL access-right codes as access-mask bits (generic, standard and the file-specific bits they share with directory objects). */
const RIGHTS: Readonly<Record<string, number>> = {
  GA: 0x10000000, GR: 0x80000000, GW: 0x40000000, GX: 0x20000000,
  RC: 0x20000, SD: 0x10000, WD: 0x40000, WO: 0x80000,
  CC: 0x1, DC: 0x2, LC: 0x4, SW: 0x8, RP: 0x10, WP: 0x20, DT: 0x40, LO: 0x80, CR: 0x100,
  FA: 0x1f01ff, FR: 0x120089, FW: 0x120116, FX: 0x1200a0,
};
/** FILE_READ_DATA, GENERIC_READ, GENERIC_ALL. */
const READ_BITS = 0x1 | 0x80000000 | 0x10000000;
/** FILE_WRITE_DATA, FILE_APPEND_DATA, WRITE_DAC, WRITE_OWNER, GENERIC_WRITE, GENERIC_ALL. */
const WRITE_BITS = 0x2 | 0x4 | 0x40000 | 0x80000 | 0x40000000 | 0x10000000;

function maskOf(rights: string): number {
  if (/^0x[0-9a-f]+$/i.test(rights)) return Number.parseInt(rights, 16);
  let mask = 0;
  for (let i = 0; i < rights.length; i += 2) mask |= RIGHTS[rights.slice(i, i + 2)] ?? 0;
  return mask;
}

export function sddlExposure(sddl: string): FileExposure {
  const owner = /O:(.+?)(?=[GDS]:|$)/.exec(sddl)?.[1];
  const dacl = /D:[A-Z]*((?:\([^)]*\))*)/.exec(sddl)?.[1];
  if (dacl === undefined) return { readable: 'without a DACL, so everyone can read it', writable: 'without a DACL, so everyone can change it' };
  const readers = new Set<string>();
  const writers = new Set<string>();
  for (const [, ace] of dacl.matchAll(/\(([^)]*)\)/g)) {
    const [type, flags = '', rights = '', , , sid = ''] = ace!.split(';');
    // Deny entries only take away; an inherit-only entry does not apply to the file itself.
    if (type !== 'A' || flags.includes('IO') || TRUSTED.has(sid)) continue;
    const mask = maskOf(rights);
    if ((mask & READ_BITS) !== 0) readers.add(sid);
    if ((mask & WRITE_BITS) !== 0) writers.add(sid);
  }
  if (owner !== undefined && !TRUSTED.has(owner)) writers.add(`${owner} (its owner)`);
  const list = (sids: Set<string>) => [...sids].join(', ');
  return {
    readable: readers.size > 0 ? `readable by ${list(readers)} (not only SYSTEM and Administrators)` : null,
    writable: writers.size > 0 ? `changeable by ${list(writers)} (not only SYSTEM and Administrators)` : null,
  };
}

export function windowsAclExposure(run: CommandRunner): ExposureCheck {
  return async (path) => {
    const literal = `'${path.replace(/'/g, "''")}'`;
    const result = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', `(Get-Acl -LiteralPath ${literal}).Sddl`]);
    // Unknown is treated as exposed: a secret is used only when it is known to be safe.
    if (result.code !== 0 || result.stdout.trim() === '') {
      const why = `of unknown access (Get-Acl failed: ${result.stderr.trim() || `exit ${result.code}`})`;
      return { readable: why, writable: null };
    }
    return sddlExposure(result.stdout.trim());
  };
}
