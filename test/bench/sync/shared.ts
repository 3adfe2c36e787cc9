import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger as AgentLogger } from '../../../src/agent/runtime/logger.ts';
import { AgentConfigSchema, type ServerConfig } from '../../../src/core/config/agent-config.ts';

/** What the sync benchmarks share: the school they set up, and small helpers. */

export const SCHOOL_ID = 'bench-college';
export const TEACHER = { username: 'jansen', password: 'bench-teacher-password', teacherCode: 'JNS' };
export const GROUP_SIZE = 25;
export const POLICY_VERSION = '2025.1';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const AGENTS = 200;
export const GRANT_ROUNDS = 20;
export const WARMUP_ROUNDS = 1;
export const GRANT_TARGET_MS = 2_000;
/** Agents enrolled at once while setting up: a school's laptops do not all boot in the same millisecond either. */
export const ENROLL_WAVE = 25;

export const BACKLOG_EVENTS = 100_000;
export const BACKLOG_DAYS = 7;

export function agentConfig(ready: { readonly url: string; readonly enrollmentSecret: string; readonly publicKeyPem: string }): ServerConfig {
  return AgentConfigSchema.parse({ server: { url: ready.url, enrollmentSecret: ready.enrollmentSecret, publicKey: ready.publicKeyPem } }).server!;
}

/**
 * The agents' warnings and errors: a benchmark that hides a failing sync
 * would be measuring something else. Requests cut off by stopping the
 * agents (once `stopping` aborts) are not problems.
 */
export function agentLog(stopping?: AbortSignal): AgentLogger & { readonly problems: string[] } {
  const problems: string[] = [];
  const note = (level: string) => (message: string) => {
    if (stopping?.aborted !== true) problems.push(`${level}: ${message}`);
  };
  return { problems, info: () => {}, warn: note('warn'), error: note('error') };
}

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export async function until(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!await check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(20);
  }
}

export function printProblems(who: string, problems: readonly string[]): void {
  if (problems.length === 0) return;
  console.log(`    NOTE: ${who} logged ${problems.length} warnings/errors, e.g.:`);
  for (const problem of problems.slice(0, 3)) console.log(`      ${problem.slice(0, 240)}`);
}
