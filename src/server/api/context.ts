import type { Signed } from '../../adapters/signing.ts';
import type { CatalogIndex } from '../../core/catalog/match.ts';
import type { CatalogPayload } from '../../core/protocol/index.ts';
import type { Policy } from '../../core/policy/schema.ts';
import type { ServerSigner } from '../app/server-keys.ts';
import type { FeedSchedule } from '../app/timetable-feed.ts';
import type { FailureLimiter } from '../auth/failure-limiter.ts';
import type { LoginGuard } from '../auth/login-guard.ts';
import type { ScryptCost } from '../auth/passwords.ts';
import type { Sessions } from '../auth/sessions.ts';
import type { Logger } from '../http/logger.ts';
import type { ServerStore } from '../store/index.ts';
import type { GrantHub } from './grant-hub.ts';
import type { EnrollmentSecrets } from '../services/enrollment-secrets.ts';
import type { LaptopNotifier, Services } from '../services/service.ts';

/** Everything the routes use, passed in (never imported as globals), so tests can build an API around any store and clock. */
export interface ApiContext {
  readonly store: ServerStore;
  readonly signer: ServerSigner;
  readonly sessions: Sessions;
  readonly loginGuard: LoginGuard;
  /** The enrollment secret file: matched on every enrollment, listed, made and revoked by admins. */
  readonly enrollment: EnrollmentSecrets;
  /** New devices enrolled per enrollment secret (ENROLLMENT_WINDOW_MS, settings.enrollmentsPerHour). */
  readonly enrollments: FailureLimiter;
  /** This process's own live streams. */
  readonly hub: GrantHub;
  /**
   * Every server process's live streams: the hub alone on SQLite (one
   * process), the hub and the other processes through PostgreSQL's NOTIFY.
   */
  readonly laptops: LaptopNotifier;
  readonly policy: Policy;
  /** The effective catalog (bundled or IT's newer one, with the school's additions): what grants and laptops go by. */
  readonly catalog: CatalogIndex;
  /** The same catalog as laptops fetch it, signed once when the server started (not per device: every laptop gets this one). */
  readonly signedCatalog: Signed<CatalogPayload>;
  readonly clock: () => number;
  readonly logger: Logger;
  readonly settings: ApiSettings;
  /** The running server's scheduled timetable feeds, by school id (empty when none is configured). */
  readonly timetableFeeds: Map<string, FeedSchedule>;
}

export interface ApiSettings {
  /** Mark the session cookie Secure: on when users reach the server over HTTPS (a TLS-terminating proxy). */
  readonly secureCookies: boolean;
  /**
   * Addresses (or CIDR ranges) of the reverse proxies in front of the server:
   * only from them are X-Forwarded-For and X-Forwarded-Proto believed.
   */
  readonly trustedProxies: readonly string[];
  /** The cost of new password hashes (lower only in tests and the demo). */
  readonly passwordCost: ScryptCost;
  /** The Lesmodus version, for /healthz and the OpenAPI document. */
  readonly version: string;
  /**
   * Days device events and contact times are kept (null: no retention, as in
   * tests and the demo). Views of laptop contact never reach further back:
   * past it, every laptop would look silent.
   */
  readonly eventRetentionDays: number | null;
  /**
   * New devices one enrollment secret may enroll per hour. The secret is the
   * same on every laptop of a school, so whoever has it could otherwise make
   * devices without end; a school rolling out its laptops stays below this
   * (a laptop told to wait tries again by itself).
   */
  readonly enrollmentsPerHour: number;
}

/** The service layer's view of the API: the store and the live laptops of every server process. */
export function servicesOf(api: Pick<ApiContext, 'store' | 'laptops'>): Services {
  return { store: api.store, laptops: api.laptops };
}
