import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { SQLITE_FILE_NAME, SqliteServerStore } from '../../../src/server/store/index.ts';

/**
 * The real `lesmodus` program in real processes, as a school's admin runs it:
 * a temporary folder per test file, every child killed and the folder removed
 * when the file is done.
 */

const LESMODUS = fileURLToPath(new URL('../../../src/cli/lesmodus.mjs', import.meta.url));

/** Never the developer's own PostgreSQL or data folder: the commands get exactly the flags a test gives. */
const ENV = { ...process.env, LESMODUS_DATABASE_URL: '', LESMODUS_DATA_DIR: '', NO_COLOR: '1' };

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Started {
  readonly child: ChildProcess;
  /** The first http://127.0.0.1:… URL it printed. */
  readonly url: string;
  readonly output: () => string;
}

export interface Cli {
  /** The file's temporary folder. */
  readonly tmp: string;
  /** Runs a command to its end; `stdin` is written and closed. */
  run(args: readonly string[], stdin?: string): Promise<Ran>;
  /** Starts a long-running command and resolves with the first URL it prints; the test stops it. */
  start(args: readonly string[]): Promise<Started>;
}

export function useCli(name: string): Cli {
  const tmp = mkdtempSync(join(tmpdir(), `lesmodus-${name}-`));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  });
  const spawnCli = (args: readonly string[]) => {
    const child = spawn(process.execPath, [LESMODUS, ...args], { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    return child;
  };
  return {
    tmp,
    async run(args, stdin = '') {
      const child = spawnCli(args);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (c: Buffer) => { stdout += c.toString(); });
      child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
      child.stdin!.end(stdin);
      const [code] = await once(child, 'close');
      return { code: code as number, stdout, stderr };
    },
    async start(args) {
      const child = spawnCli(args);
      child.stdin!.end();
      let output = '';
      child.stderr!.on('data', (c: Buffer) => { output += c.toString(); });
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (c: Buffer) => {
          output += c.toString();
          const match = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
          if (match) resolve(match[0]);
        });
        child.once('close', (code) => reject(new Error(`the command exited with ${code} before printing its URL:\n${output}`)));
      });
      return { child, url, output: () => output };
    },
  };
}

/** The SQLite store a command left in `dataDir`, opened for `use` and closed after: what the tests read back and seed. */
export async function withSqliteStore<T>(dataDir: string, use: (db: SqliteServerStore) => Promise<T>): Promise<T> {
  const db = await SqliteServerStore.open({ path: join(dataDir, SQLITE_FILE_NAME) });
  try {
    return await use(db);
  } finally {
    await db.close();
  }
}
