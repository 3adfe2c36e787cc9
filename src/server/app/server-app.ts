import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadCatalogIndex, loadPolicy } from '../../adapters/resources.ts';
import { createApiHandler, type RequestHandler } from '../api/pipeline.ts';
import type { ApiContext, ApiSettings } from '../api/context.ts';
import { GrantHub } from '../api/grant-hub.ts';
import { API_ROUTES } from '../api/routes/index.ts';
import { EnrollmentSecretFile } from '../auth/enrollment-secrets.ts';
import { LoginGuard } from '../auth/login-guard.ts';
import { DEFAULT_SCRYPT_COST } from '../auth/passwords.ts';
import { Sessions } from '../auth/sessions.ts';
import { jsonLogger, type Logger } from '../http/logger.ts';
import { listen } from '../http/listen.ts';
import { openServerStore, type RetentionPolicy, type ServerStore } from '../store/index.ts';
import { dataDirAt } from './data-dir.ts';
import { scheduleRetention } from './retention.ts';
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

function withSite(api: RequestHandler, site: SiteHandler | undefined): RequestHandler {
  if (site === undefined) return api;
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (!path.startsWith('/api/') && path !== '/healthz' && await site(req, res)) return;
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
}

/** The API around a store; no port yet (tests and the benchmark use it with their own listener). */
export function buildApi(parts: ApiParts): { context: ApiContext; handler: RequestHandler } {
  const context: ApiContext = {
    store: parts.store,
    signer: parts.signer,
    sessions: new Sessions(parts.store),
    loginGuard: parts.loginGuard ?? new LoginGuard(),
    enrollment: new EnrollmentSecretFile(parts.enrollmentSecretsPath),
    hub: new GrantHub(),
    policy: loadPolicy(),
    catalog: loadCatalogIndex(),
    clock: parts.clock ?? Date.now,
    logger: parts.logger ?? jsonLogger(),
    settings: { secureCookies: false, trustedProxies: [], passwordCost: DEFAULT_SCRYPT_COST, version: lesmodusVersion(), eventRetentionDays: null, ...parts.settings },
  };
  return { context, handler: withSite(createApiHandler(API_ROUTES, context), parts.site) };
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
  const store = options.store ?? await openServerStore({ dataDir: dir.root, databaseUrl: options.databaseUrl });
  const logger = options.logger ?? jsonLogger();
  try {
    const settings = { ...options.settings, ...(options.retention ? { eventRetentionDays: options.retention.eventDays } : {}) };
    const { context, handler } = buildApi({
      store, signer, enrollmentSecretsPath: dir.enrollmentSecrets, logger, settings,
      ...(options.site ? { site: options.site } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    const listening = await listen(handler, { host: options.host ?? DEFAULT_HOST, port: options.port ?? DEFAULT_PORT }, logger);
    const sweep = setInterval(() => {
      store.deleteExpiredSessions(context.clock()).catch((error: unknown) => logger.warn('session sweep failed', { error: String(error) }));
    }, SESSION_SWEEP_MS);
    sweep.unref();
    logger.info('listening', { url: listening.url, database: store.dialect, keyId: signer.keyId });
    const retention = options.retention === undefined ? null : scheduleRetention(store, options.retention, logger);
    return {
      url: listening.url,
      context,
      async close() {
        clearInterval(sweep);
        await retention?.stop();
        await listening.close(() => context.hub.closeAll());
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
