import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildEnforcers } from '../../agent/runtime/enforcers.ts';
import { lineLogger } from '../../agent/runtime/logger.ts';
import { runStandaloneAgent } from '../../agent/runtime/standalone.ts';
import { OsSchema } from '../../core/categories.ts';
import { dataDirAt } from '../../server/app/data-dir.ts';
import { loadDemoServer } from '../../server/app/demo-seed.ts';
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

/** The demo student enrolled by no seeded laptop: this computer plays their laptop. */
function studentWithoutLaptop(): { login: string; name: string } {
  const demo = loadDemoServer();
  const taken = new Set(demo.devices.map((d) => d.login));
  const student = demo.students.find((s) => !taken.has(s.login));
  if (student === undefined) throw new Error('demo: every demo student has a laptop already; add a student without one to server-demo.json');
  return student;
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
  const os = OsSchema.parse(process.platform);
  const server = dataDirAt(options.serverDataDir);
  const dataDir = join(server.root, 'laptop');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const { secret } = await new EnrollmentSecretFile(server.enrollmentSecrets).create(options.schoolId, (options.now ?? Date.now)());
  const configPath = join(dataDir, 'config.json');
  await writeFile(configPath, JSON.stringify({ server: { url: options.serverUrl, enrollmentSecret: secret, publicKey: await readFile(server.publicKey, 'utf8') } }), { mode: 0o600 });
  const student = studentWithoutLaptop();
  const controlSocket = process.platform === 'win32' ? '\\\\.\\pipe\\lesmodus-demo-laptop' : join(dataDir, 'agent.sock');
  const log = lineLogger((line) => options.out(`[laptop] ${line}`));
  const stop = new AbortController();
  const running = runStandaloneAgent({
    dataDir, dryRun: true, configPath, network: 'no', log, studentLogin: student.login, controlSocket,
    ...(options.now ? { now: options.now } : {}),
    enforcers: ({ catalog, now, report }) => buildEnforcers({
      os, catalog, now, report, log, dryRun: true, studentUid: process.getuid?.() ?? 'any',
      browserPolicyRoot: join(dataDir, 'browser-policy'), proxyAddress: { host: '127.0.0.1', port: 0 },
    }),
  }, stop.signal).catch((error: unknown) => log.error(`the demo laptop stopped: ${(error as Error).message}`));
  return {
    dataDir, controlSocket, student,
    stop: async () => {
      stop.abort();
      await running;
    },
  };
}
