import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The trusted clock's last anchor, kept in the agent's (owner-only) data
 * folder so a restart carries on from it instead of from the wall clock: in
 * the same boot the OS counter continues, so the time is known exactly; after
 * a reboot it is at least this (see TrustedClock's `resume`). A student
 * cannot write it; a missing or unreadable file means no anchor, as on a
 * first start.
 */

export const CLOCK_ANCHOR_FILE = 'clock.json';

const AnchorFileSchema = z.object({
  version: z.literal(1),
  time: z.number().int().nonnegative(),
  counter: z.number().nonnegative(),
  bootId: z.string().max(64).nullable(),
  verified: z.boolean(),
});

export interface ClockAnchor {
  /** The trusted time (epoch ms) when it was saved. */
  readonly time: number;
  /** The OS counter (ms) at that moment; only comparable within one boot. */
  readonly counter: number;
  /** Which boot the counter belongs to (Linux boot_id); null where the OS does not say. */
  readonly bootId: string | null;
  /** Whether the time then came from the school server (directly, or counted on from it in that boot). */
  readonly verified: boolean;
}

export function readClockAnchor(dir: string): ClockAnchor | undefined {
  try {
    const parsed = AnchorFileSchema.safeParse(JSON.parse(readFileSync(join(dir, CLOCK_ANCHOR_FILE), 'utf8')));
    if (!parsed.success) return undefined;
    const { version: _version, ...anchor } = parsed.data;
    return anchor;
  } catch {
    return undefined;
  }
}

/** Written whole (temp file + rename), owner-only like everything in the data folder. */
export function writeClockAnchor(dir: string, anchor: ClockAnchor): void {
  const path = join(dir, CLOCK_ANCHOR_FILE);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ version: 1, ...anchor })}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

/** This boot's id: a new one after every reboot (Linux). Null where there is none to read. */
export function currentBootId(read: () => string = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')): string | null {
  try {
    const id = read().trim();
    return /^[0-9a-f-]{16,64}$/.test(id) ? id : null;
  } catch {
    return null;
  }
}
