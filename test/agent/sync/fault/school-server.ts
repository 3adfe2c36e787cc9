import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The school server as the school runs it: `lesmodus server` in its own
 * process, on SQLite in its data folder or on PostgreSQL with --database-url,
 * killed with SIGKILL and started again on the same port.
 */

const CLI = fileURLToPath(new URL('../../../../src/cli/lesmodus.ts', import.meta.url));
/** A cold start of the CLI on a busy 2-core machine (TypeScript stripping, migrations, a PostgreSQL pool). */
const START_TIMEOUT_MS = 30_000;

const run = promisify(execFile);

/**
 * Children still running when this process exits (a test timed out and the
 * worker is torn down) are killed, so no server is left listening.
 */
const LIVE = new Set<ChildProcess>();
let exitHookInstalled = false;
export function killOnExit(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const live of LIVE) live.kill('SIGKILL');
    });
  }
  LIVE.add(child);
  child.once('exit', () => LIVE.delete(child));
}

export interface ServerIdentity {
  readonly publicKey: string;
  readonly enrollmentSecret: string;
}

function storeArgs(dataDir: string, databaseUrl: string | undefined): string[] {
  return ['--data-dir', dataDir, ...(databaseUrl === undefined ? [] : ['--database-url', databaseUrl])];
}

/** `lesmodus server init` with a school, then `lesmodus server enroll-secret`: what the MDM config needs. */
export async function initSchoolServer(dataDir: string, databaseUrl?: string): Promise<ServerIdentity> {
  const args = storeArgs(dataDir, databaseUrl);
  const init = await run(process.execPath, [CLI, 'server', 'init', ...args, '--school', 'fault', '--school-name', 'Fault School']);
  const secret = await run(process.execPath, [CLI, 'server', 'enroll-secret', ...args]);
  return { publicKey: init.stdout, enrollmentSecret: secret.stdout.trim() };
}

/** A port that was free a moment ago, so the server can be restarted on the same one. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export class SchoolServer {
  readonly port: number;
  #child: ChildProcess | null = null;
  #exited: Promise<unknown> | null = null;
  starts = 0;
  kills = 0;
  readonly #args: string[];

  constructor(options: { dataDir: string; port: number; databaseUrl?: string | undefined }) {
    this.port = options.port;
    this.#args = [CLI, 'server', ...storeArgs(options.dataDir, options.databaseUrl), '--host', '127.0.0.1', '--port', String(options.port)];
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** Starts the server and resolves when it listens. */
  async start(): Promise<void> {
    if (this.#child !== null) throw new Error('the server is already running');
    const child = spawn(process.execPath, this.#args, { stdio: ['ignore', 'pipe', 'pipe'] });
    killOnExit(child);
    this.#child = child;
    this.#exited = once(child, 'exit');
    this.starts += 1;
    let output = '';
    const listening = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
      const look = (chunk: Buffer) => {
        if (output.length < 20_000) output += chunk.toString();
        if (output.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', look);
      child.stderr!.on('data', look);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code ?? signal}) before it listened:\n${output}`));
      });
    });
    try {
      await listening;
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  /** kill -9: whatever the server was doing (a batch half written) stops there. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === null) return;
    this.kills += 1;
    child.kill('SIGKILL');
    await this.#exited;
    this.#child = null;
  }

  /** A clean stop (SIGTERM), for the end of a test. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.#exited;
    clearTimeout(timer);
    this.#child = null;
  }
}
