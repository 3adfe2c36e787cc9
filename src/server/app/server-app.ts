import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadPolicy } from '../../adapters/resources.ts';
import { CATALOG_TYPE, type CatalogPayload } from '../../core/protocol/index.ts';
import { createApiHandler, HSTS, type RequestHandler } from '../api/pipeline.ts';
import { clientOf } from '../http/client.ts';
import type { ApiContext, ApiSettings } from '../api/context.ts';
import { GrantHub } from '../api/grant-hub.ts';
import { PostgresRelay } from '../live/postgres-relay.ts';
import type { LaptopNotifier } from '../services/service.ts';
import { API_ROUTES } from '../api/routes/index.ts';
import { EnrollmentSecretFile } from '../auth/enrollment-secrets.ts';
import { FailureLimiter, storeLimiterState } from '../auth/failure-limiter.ts';
import { LoginGuard, LONGEST_LOGIN_WINDOW_MS } from '../auth/login-guard.ts';
import { DEFAULT_SCRYPT_COST } from '../auth/passwords.ts';
import { Sessions } from '../auth/sessions.ts';
import { jsonLogger, type Logger } from '../http/logger.ts';
import { listen } from '../http/listen.ts';
import { openServerStore, type RetentionPolicy, type ServerStore } from '../store/index.ts';
import { dataDirAt } from './data-dir.ts';
import { loadEffectiveCatalog, type EffectiveCatalog } from './effective-catalog.ts';
import { holdSqliteServerLock } from './sqlite-server-lock.ts';
import { scheduleRetention } from './retention.ts';
import { startTimetableFeed } from './timetable-feed-status.ts';
import { loadServerKeys, type ServerSigner } from './server-keys.ts';
import { lesmodusVersion } from '../../adapters/version.ts';

/** The server put together: store, keys, secrets, policy and catalog around the API, listening on a port. */

/** Expired sessions are swept this often; they are refused as soon as they expire regardless, this only frees the rows. */
export const SESSION_SWEEP_MS = 60 * 60_000;

export const DEFAULT_PORT = 8420;
/** Loopback unless told otherwise: exposing the server to the school network is a decision, not a default. */
export const DEFAULT_HOST = '127.0.0.1';

/**
 * The web UI's own handler (teacher portal, leader dashboard): asked first
 * for every request outside /api/ and /healthz; answers true when it served
 * the request, false to leave it to the API (which then says 404).
 */
export type SiteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

function withSite(api: RequestHandler, site: SiteHandler | undefined, trustedProxies: readonly string[]): RequestHandler {
  if (site === undefined) return api;
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (!path.startsWith('/api/') && path !== '/healthz') {
      // The portal's pages are where a browser first arrives: over HTTPS they tell it to stay there, like the API's answers.
      if (clientOf(req, trustedProxies).https) res.setHeader('strict-transport-security', HSTS);
      if (await site(req, res)) return;
    }
    await api(req, res);
  };
}

export interface ApiParts {
  readonly store: ServerStore;
  readonly signer: ServerSigner;
  readonly enrollmentSecretsPath: string;
  readonly logger?: Logger;
  readonly clock?: () => number;
  readonly settings?: Partial<ApiSettings>;
  readonly loginGuard?: LoginGuard;
  readonly site?: SiteHandler;
  /** The catalog to hand out (serve() reads it from the data folder); default: the bundled one alone. */
  readonly catalog?: EffectiveCatalog;
  /** What reaches every server process's streams, around this process's hub (default: the hub alone). */
  readonly laptops?: (hub: GrantHub) => LaptopNotifier;
}

/** A school of 2,000 laptops enrolls within a morning; a flood of made-up devices is cut to this many an hour. */
export const DEFAULT_ENROLLMENTS_PER_HOUR = 500;
export const ENROLLMENT_WINDOW_MS = 60 * 60_000;
/** Rate limit hits older than every window are pruned with the session sweep. */
const LONGEST_LIMIT_WINDOW_MS = Math.max(LONGEST_LOGIN_WINDOW_MS, ENROLLMENT_WINDOW_MS);

/** The API around a store; no port yet (tests and the benchmark use it with their own listener). */
export function buildApi(parts: ApiParts): { context: ApiContext; handler: RequestHandler } {
  const settings: ApiSettings = {
    secureCookies: false, trustedProxies: [], passwordCost: DEFAULT_SCRYPT_COST, version: lesmodusVersion(), eventRetentionDays: null,
    enrollmentsPerHour: DEFAULT_ENROLLMENTS_PER_HOUR, ...parts.settings,
  };
  const clock = parts.clock ?? Date.now;
  const catalog = parts.catalog ?? loadEffectiveCatalog({ dataDir: null });
  const hub = new GrantHub();
  const context: ApiContext = {
    store: parts.store,
    signer: parts.signer,
    sessions: new Sessions(parts.store),
    // In the database, so several server processes (and a restarted one) count failures together.
    loginGuard: parts.loginGuard ?? new LoginGuard((limiter) => storeLimiterState(parts.store, limiter)),
    enrollments: new FailureLimiter({ maxFailures: settings.enrollmentsPerHour, windowMs: ENROLLMENT_WINDOW_MS }, storeLimiterState(parts.store, 'enroll-secret')),
    enrollment: new EnrollmentSecretFile(parts.enrollmentSecretsPath),
    hub,
    laptops: parts.laptops?.(hub) ?? hub,
    policy: loadPolicy(),
    catalog: catalog.index,
    signedCatalog: signedCatalogOf(parts.signer, catalog, clock()),
    clock,
    logger: parts.logger ?? jsonLogger(),
    settings,
    timetableFeeds: new Map(),
  };
  return { context, handler: withSite(createApiHandler(API_ROUTES, context), parts.site, settings.trustedProxies) };
}

/** The catalog as laptops fetch it: signed once, at start; its signing time orders it after every catalog signed before. */
export function signedCatalogOf(signer: ServerSigner, catalog: EffectiveCatalog, now: number) {
  return signer.sign<CatalogPayload>({ type: CATALOG_TYPE, catalog: catalog.catalog, version: catalog.version, sha256: catalog.sha256, signedAt: now });
}

export interface ServeOptions {
  readonly dataDir: string;
  readonly databaseUrl?: string | undefined;
  readonly host?: string;
  readonly port?: number;
  readonly logger?: Logger;
  readonly settings?: Partial<ApiSettings>;
  /** An already open store (the demo's); closed with the server. */
  readonly store?: ServerStore;
  readonly site?: SiteHandler;
  /** The server's clock; the demo's `--at` moves it (default Date.now). */
  readonly clock?: () => number;
  /**
   * Prune what is past this retention once when listening and every night
   * (lesmodus server passes it; without it nothing is pruned, as in tests
   * and the demo, whose data is fresh anyway).
   */
  readonly retention?: RetentionPolicy;
  /** The school's timetable feed, refreshed at start and on its cron schedule (school time). */
  readonly timetableFeed?: { readonly schoolId?: string | undefined; readonly url: string; readonly expression?: string | undefined };
}

export interface RunningServer {
  readonly url: string;
  readonly context: ApiContext;
  close(): Promise<void>;
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const dir = dataDirAt(options.dataDir);
  // The key first: without it (no `server init` yet) nothing is created, not even the folder.
  const signer = await loadServerKeys(dir);
  // Before the store is opened: a wrong catalog file stops the start with the file and field to fix.
  const catalog = loadEffectiveCatalog({ dataDir: dir.root });
  // Only a server that opens its own SQLite store: the demo brings its own, and PostgreSQL serves several processes.
  const lock = options.store === undefined && options.databaseUrl === undefined ? holdSqliteServerLock(dir.root) : null;
  let store: ServerStore;
  try {
    store = options.store ?? await openServerStore({ dataDir: dir.root, databaseUrl: options.databaseUrl });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const logger = options.logger ?? jsonLogger();
  let relay: PostgresRelay | undefined;
  try {
    const settings = { ...options.settings, ...(options.retention ? { eventRetentionDays: options.retention.eventDays } : {}) };
    const databaseUrl = options.databaseUrl;
    // On PostgreSQL other server processes may serve other laptops: changes reach them through NOTIFY.
    const laptops = store.dialect === 'postgres' && databaseUrl
      ? { laptops: (hub: GrantHub) => (relay = new PostgresRelay({ connectionString: databaseUrl, local: hub, store, logger })) }
      : {};
    const { context, handler } = buildApi({
      store, signer, enrollmentSecretsPath: dir.enrollmentSecrets, logger, settings, catalog, ...laptops,
      ...(options.site ? { site: options.site } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    await relay?.start();
    const listening = await listen(handler, { host: options.host ?? DEFAULT_HOST, port: options.port ?? DEFAULT_PORT }, logger);
    const sweep = setInterval(() => {
      const now = context.clock();
      store.deleteExpiredSessions(now).catch((error: unknown) => logger.warn('session sweep failed', { error: String(error) }));
      store.pruneRateLimitHits(now - LONGEST_LIMIT_WINDOW_MS).catch((error: unknown) => logger.warn('rate limit sweep failed', { error: String(error) }));
    }, SESSION_SWEEP_MS);
    sweep.unref();
    for (const warning of catalog.warnings) logger.warn('catalog', { warning });
    logger.info('catalog', {
      version: catalog.version, sha256: catalog.sha256, base: catalog.base.path,
      ...(catalog.additions ? { additions: catalog.additions.path, services: catalog.additions.services, neverBlock: catalog.additions.neverBlock } : {}),
    });
    logger.info('listening', { url: listening.url, database: store.dialect, keyId: signer.keyId });
    const retention = options.retention === undefined ? null : scheduleRetention(store, options.retention, logger);
    const feed = options.timetableFeed === undefined ? null : await startTimetableFeed(context, options.timetableFeed, dir.root);
    return {
      url: listening.url,
      context,
      async close() {
        clearInterval(sweep);
        await retention?.stop();
        await feed?.stop();
        await listening.close(() => context.hub.closeAll());
        await relay?.close();
        await store.close();
        lock?.release();
      },
    };
  } catch (error) {
    await relay?.close();
    await store.close();
    lock?.release();
    throw error;
  }
}
