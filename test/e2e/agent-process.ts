import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { readStatus } from '../../src/agent/runtime/status-file.ts';
import type { AgentStatus } from '../../src/agent/control/protocol.ts';
import { waitFor } from '../helpers/wait-for.ts';

export { waitFor };

/**
 * The real `lesmodus agent` in its own process: started with the given
 * arguments, its output kept for the failure message, stopped with SIGTERM
 * (SIGKILL when it does not stop in time). Its status file and event log
 * are read the way `lesmodus agent status` and a support engineer would.
 */

export const LESMODUS = fileURLToPath(new URL('../../src/cli/lesmodus.ts', import.meta.url));

export interface AgentProcess {
  readonly child: ChildProcess;
  readonly dataDir: string;
  output(): string;
  /** The status file as the agent last wrote it (undefined before the first decision). */
  status(): AgentStatus | undefined;
  /** `lesmodus agent status --json`, the operator's view. */
  statusCli(): Promise<AgentStatus & { running: boolean }>;
  /** The device store's event log (synced or not), oldest first. */
  events(): { type: string; payload: Record<string, unknown> }[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
}

/** `env` is added to this process's environment (NODE_EXTRA_CA_CERTS: the school's own CA). */
export function startAgent(dataDir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): AgentProcess {
  const child = spawn(process.execPath, [LESMODUS, 'agent', '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child, dataDir,
    output: () => output,
    status: () => readStatus(join(dataDir, 'status.json')),
    async statusCli() {
      const { stdout } = await promisify(execFile)(process.execPath, [LESMODUS, 'agent', 'status', '--data-dir', dataDir, '--json']);
      return JSON.parse(stdout);
    },
    events() {
      const path = join(dataDir, 'device.db');
      if (!existsSync(path)) return [];
      // A second connection next to the running agent's, as WAL allows; read only.
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        const rows = db.prepare('SELECT type, payload FROM events ORDER BY seq').all() as { type: string; payload: string }[];
        return rows.map((r) => ({ type: r.type, payload: JSON.parse(r.payload) as Record<string, unknown> }));
      } finally {
        db.close();
      }
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** `lesmodus agent status --json` as a student runs it: asking the running agent over its socket. */
export async function statusOverSocket(socketPath: string): Promise<any> {
  const { stdout } = await promisify(execFile)(process.execPath, [LESMODUS, 'agent', 'status', '--control-socket', socketPath, '--json']);
  return JSON.parse(stdout);
}

/** The real `lesmodus agent unlock`, the password piped in (as the tray will). */
export function runUnlock(socketPath: string, code: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [LESMODUS, 'agent', 'unlock', '--control-socket', socketPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => { stdout += chunk; });
    child.stderr!.on('data', (chunk) => { stderr += chunk; });
    child.stdin!.end(`${code}\n`);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The login the agent reports (it follows --user); null where this uid has no passwd entry (then the test assigns the laptop itself). */
export function ownLogin(): string | null {
  try {
    return userInfo().username || null;
  } catch {
    return null;
  }
}
