import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { DecisionJson } from '../../core/policy/decision-json.ts';

/**
 * What the running agent last decided, for `lesmodus agent status` and the
 * tray. Written atomically (temp file + rename) so a reader never sees half.
 */
/** How the agent's sync with the school server goes (null when it runs standalone). */
export const SyncStatusSchema = z.object({
  server: z.string(),
  deviceId: z.string().nullable(),
  lastPullAt: z.string().nullable(),
  lastPushAt: z.string().nullable(),
  /** Events written on the laptop that the server does not hold yet. */
  outbox: z.number().int(),
  /** Whether the live grant stream is connected now. */
  live: z.boolean(),
  clockOffsetMs: z.number().nullable(),
  lastError: z.string().nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatusSchema>;

export const AgentStatusSchema = z.object({
  pid: z.number().int(),
  startedAt: z.string(),
  updatedAt: z.string(),
  dryRun: z.boolean(),
  onSchoolNetwork: z.boolean(),
  decision: z.custom<DecisionJson>((v) => typeof v === 'object' && v !== null && 'blocked' in v),
  enforcers: z.array(z.object({ name: z.string(), state: z.string() })),
  lastNotice: z.object({ at: z.string(), nl: z.string(), en: z.string() }).nullable(),
  // Optional: status files written before sync existed still read.
  sync: SyncStatusSchema.nullable().optional(),
});
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

export function writeStatus(path: string, status: AgentStatus): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o644 });
  renameSync(temp, path);
}

export function readStatus(path: string): AgentStatus | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = AgentStatusSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // not JSON: treated like no status at all
  }
}

/** Whether the process that wrote a status file still runs. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
