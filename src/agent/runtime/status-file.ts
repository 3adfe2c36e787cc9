import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { DecisionJson } from '../../core/policy/decision-json.ts';

/**
 * What the running agent last decided, for `lesmodus agent status` and the
 * tray. Written atomically (temp file + rename) so a reader never sees half.
 */
export const AgentStatusSchema = z.object({
  pid: z.number().int(),
  startedAt: z.string(),
  updatedAt: z.string(),
  dryRun: z.boolean(),
  onSchoolNetwork: z.boolean(),
  decision: z.custom<DecisionJson>((v) => typeof v === 'object' && v !== null && 'blocked' in v),
  enforcers: z.array(z.object({ name: z.string(), state: z.string() })),
  lastNotice: z.object({ at: z.string(), nl: z.string(), en: z.string() }).nullable(),
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
