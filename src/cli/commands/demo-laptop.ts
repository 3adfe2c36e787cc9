import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lineLogger } from '../../agent/runtime/logger.ts';
import { startAgent } from '../../agent/main.ts';
import { dataDirAt } from '../../server/app/data-dir.ts';
import { studentWithoutLaptop } from '../../server/app/demo-seed.ts';
import { EnrollmentSecretFile } from '../../server/auth/enrollment-secrets.ts';

/**
 * The demo's live laptop: this computer runs the real agent, synced with the
 * demo server, in dry-run (it logs what it would stop and stops nothing), as
 * the demo student who has no laptop of their own. A teacher who grants in
 * the portal sees this laptop apply it; `lesmodus agent status` and
 * `lesmodus agent unlock` work against it.
 */

export interface DemoLaptop {
  readonly dataDir: string;
  readonly controlSocket: string;
  readonly student: { readonly login: string; readonly name: string };
  stop(): Promise<void>;
}

export interface DemoLaptopOptions {
  readonly serverUrl: string;
  readonly serverDataDir: string;
  readonly schoolId: string;
  readonly out: (line: string) => void;
  /** The demo clock (`--at`); by default the agent keeps its own trusted clock. */
  readonly now?: () => number;
}

export async function startDemoLaptop(options: DemoLaptopOptions): Promise<DemoLaptop> {
  const server = dataDirAt(options.serverDataDir);
  const dataDir = join(server.root, 'laptop');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const { secret } = await new EnrollmentSecretFile(server.enrollmentSecrets).create(options.schoolId, (options.now ?? Date.now)());
  const configPath = join(dataDir, 'config.json');
  await writeFile(configPath, JSON.stringify({ server: { url: options.serverUrl, enrollmentSecret: secret, publicKey: await readFile(server.publicKey, 'utf8') } }), { mode: 0o600 });
  const student = studentWithoutLaptop();
  const controlSocket = process.platform === 'win32' ? '\\\\.\\pipe\\lesmodus-demo-laptop' : join(dataDir, 'agent.sock');
  // Stamped by the demo clock too: a line saying 'tot 10:10' sits beside 09:30, not beside tonight's wall clock.
  const log = lineLogger((line) => options.out(`[laptop] ${line}`), options.now);
  const stop = new AbortController();
  const running = startAgent({
    dataDir, dryRun: true, configPath, network: 'no', log, controlSocket,
    student: { uid: process.getuid?.() ?? 'any', loginName: student.login },
    browserPolicyRoot: join(dataDir, 'browser-policy'), proxyPort: 0,
    ...(options.now ? { now: options.now } : {}),
  }, stop.signal).catch((error: unknown) => log.error(`the demo laptop stopped: ${(error as Error).message}`));
  return {
    dataDir, controlSocket, student,
    stop: async () => {
      stop.abort();
      await running;
    },
  };
}
