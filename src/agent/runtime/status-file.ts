import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { AgentStatusSchema, type AgentStatus } from '../control/protocol.ts';

/**
 * What the running agent last decided, kept on disk for `lesmodus agent status
 * --data-dir` (IT, as root) and for the trusted clock's floor at the next
 * start. Written atomically (temp file + rename) so a reader never sees half;
 * owner-only, like everything in the data dir: people at the laptop ask the
 * agent over its control socket instead.
 */

export function writeStatus(path: string, status: AgentStatus): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o600 });
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
