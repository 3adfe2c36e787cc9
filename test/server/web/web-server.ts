import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localToInstant } from '../../../src/core/time/zoned.ts';
import { dataDirAt, ensureDataDir } from '../../../src/server/app/data-dir.ts';
import { seedDemo, type DemoSummary } from '../../../src/server/app/demo-seed.ts';
import type { ApiContext } from '../../../src/server/api/context.ts';
import { buildApi } from '../../../src/server/app/server-app.ts';
import { createServerKeys } from '../../../src/server/app/server-keys.ts';
import { FAST_SCRYPT_COST } from '../../../src/server/auth/passwords.ts';
import { listen } from '../../../src/server/http/listen.ts';
import { silentLogger } from '../../../src/server/http/logger.ts';
import { openServerStore } from '../../../src/server/store/index.ts';
import { createSite } from '../../../src/server/web/site.ts';

/**
 * The real server with the web UI and the demo school, on a temporary SQLite
 * folder and 127.0.0.1 port 0. Its clock is pinned to a school Wednesday
 * morning of this week, so "the current lesson" exists whatever day the
 * tests run; the browser's clock is pinned to the same instant.
 */

export interface WebServer {
  readonly url: string;
  readonly now: number;
  readonly demo: DemoSummary;
  /** The API's store, signer and laptops, for a test that sets up what no page does (a grant given back by a laptop). */
  readonly context: ApiContext;
  close(): Promise<void>;
}

/** Wednesday of the current ISO week, 09:25 in Amsterdam: lessons under way (jansen teaches one) and more to come. */
export function schoolMorning(zone = 'Europe/Amsterdam', today = new Date()): number {
  const weekday = (today.getUTCDay() + 6) % 7; // Monday 0
  const wednesday = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - weekday + 2));
  return localToInstant({ year: wednesday.getUTCFullYear(), month: wednesday.getUTCMonth() + 1, day: wednesday.getUTCDate(), hour: 9, minute: 25, second: 0 }, zone);
}

export async function startWebServer(now = schoolMorning()): Promise<WebServer> {
  const root = await mkdtemp(join(tmpdir(), 'lesmodus-web-'));
  const dir = dataDirAt(root);
  await ensureDataDir(dir);
  const { signer } = await createServerKeys(dir);
  const store = await openServerStore({ dataDir: root });
  const { context, handler } = buildApi({
    store, signer, enrollmentSecretsPath: dir.enrollmentSecrets, logger: silentLogger, clock: () => now,
    settings: { passwordCost: FAST_SCRYPT_COST }, site: createSite(),
  });
  const listening = await listen(handler, { host: '127.0.0.1', port: 0 }, silentLogger);
  const demo = await seedDemo(context, now);
  return {
    url: listening.url, now, demo, context,
    async close() {
      await listening.close(() => context.hub.closeAll());
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
