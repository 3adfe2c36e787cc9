import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAST_SCRYPT_COST } from '../auth/passwords.ts';
import type { Logger } from '../http/logger.ts';
import { openServerStore } from '../store/index.ts';
import { createSite } from '../web/site.ts';
import { dataDirAt, ensureDataDir } from './data-dir.ts';
import { seedDemo, type DemoSummary } from './demo-seed.ts';
import { serve, type RunningServer } from './server-app.ts';
import { createServerKeys } from './server-keys.ts';

/**
 * `npm start`: a throwaway server with the demo school in an embedded SQLite
 * database, in a fresh folder each run unless one is given (then it must be
 * empty of schools: the demo never mixes with real data).
 */
export async function startDemoServer(options: { dataDir?: string; host: string; port: number; logger?: Logger; clock?: () => number }): Promise<{ server: RunningServer; demo: DemoSummary; dataDir: string }> {
  const temporary = options.dataDir === undefined;
  const dir = dataDirAt(options.dataDir ?? await mkdtemp(join(tmpdir(), 'lesmodus-demo-')));
  await ensureDataDir(dir);
  await createServerKeys(dir);
  const store = await openServerStore({ dataDir: dir.root });
  if ((await store.schools()).length > 0) {
    await store.close();
    throw new Error(`${dir.root} already holds schools; the demo needs an empty data folder (or none: it makes a temporary one).`);
  }
  const server = await serve({
    dataDir: dir.root, host: options.host, port: options.port, store,
    settings: { passwordCost: FAST_SCRYPT_COST }, site: createSite(),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  // A folder the demo made for itself goes when the demo stops.
  const stopping: RunningServer = temporary
    ? { ...server, close: async () => { await server.close(); await rm(dir.root, { recursive: true, force: true }); } }
    : server;
  try {
    const demo = await seedDemo(server.context, server.context.clock());
    return { server: stopping, demo, dataDir: dir.root };
  } catch (error) {
    await stopping.close();
    throw error;
  }
}
