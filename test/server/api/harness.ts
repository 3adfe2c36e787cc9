import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { generateSigningKeyPair } from '../../../src/adapters/signing.ts';
import type { ApiContext, ApiSettings } from '../../../src/server/api/context.ts';
import { buildApi, type SiteHandler } from '../../../src/server/app/server-app.ts';
import { signerFrom, type ServerSigner } from '../../../src/server/app/server-keys.ts';
import { EnrollmentSecretFile } from '../../../src/server/auth/enrollment-secrets.ts';
import { FAST_SCRYPT_COST } from '../../../src/server/auth/passwords.ts';
import { CSRF_HEADER } from '../../../src/server/auth/sessions.ts';
import { listen } from '../../../src/server/http/listen.ts';
import { memoryLogger } from '../../../src/server/http/logger.ts';
import type { ServerStore } from '../../../src/server/store/index.ts';
import { useHarness, type StoreTarget } from '../store/harness.ts';
import { NOW, PASSWORD, seedSchool, STUDENTS } from './school.ts';

/**
 * A real API server on 127.0.0.1 (port 0) around a fresh store, with a clock
 * the test sets, and a small client that speaks to it with fetch.
 */

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  // Tests read answers loosely; the server validated them against their schemas already.
  readonly body: any;
  readonly text: string;
}

export interface UserSession {
  readonly kind: 'user';
  readonly cookie: string;
  readonly csrf: string;
  readonly username: string;
}

export interface DeviceAuth {
  readonly kind: 'device';
  readonly deviceId: string;
  readonly credential: string;
}

export interface CallOptions {
  readonly as?: UserSession | DeviceAuth;
  readonly body?: unknown;
  /** Send this exact text as the body (with the content type in headers). */
  readonly raw?: string;
  readonly headers?: Record<string, string>;
  /** Leave out the CSRF header a session would send. */
  readonly noCsrf?: boolean;
}

export interface TestApi {
  readonly url: string;
  readonly store: ServerStore;
  readonly context: ApiContext;
  readonly signer: ServerSigner;
  readonly logger: ReturnType<typeof memoryLogger>;
  readonly enrollmentSecret: string;
  /** The enrollment secret file the API reads (to make or revoke secrets). */
  readonly enrollmentSecretsPath: string;
  /** The API's clock; tests move it. */
  now: number;
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  login(username: string, password?: string): Promise<UserSession>;
  /** Enrolls a device reporting `loginName` (a student's login assigns it to them). */
  enroll(loginName?: string | null, hostname?: string): Promise<DeviceAuth>;
  /**
   * The device pushes an exception.applied event for the grant, as its agent
   * does when the grant took effect for its student: the one way a laptop
   * reports applying a grant. Returns the events call's reply.
   */
  applied(device: DeviceAuth, grantId: string, at: number): Promise<Reply>;
}

export function useApi(target: StoreTarget): { start(options?: { seed?: boolean; site?: SiteHandler; settings?: Partial<ApiSettings> }): Promise<TestApi> } {
  const harness = useHarness(target);
  const dir = mkdtempSync(join(tmpdir(), 'lesmodus-api-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const running: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of running.splice(0)) await close();
  });
  let count = 0;
  let appliedSeq = 0;

  return {
    async start(options = {}) {
      const store = await harness.fresh();
      if (options.seed !== false) await seedSchool(store);
      const pair = generateSigningKeyPair();
      const signer = signerFrom(pair.privateKeyPem, pair.publicKeyPem);
      const secretsPath = join(dir, `secrets-${++count}.json`);
      const { secret: enrollmentSecret } = await new EnrollmentSecretFile(secretsPath).create('svok-college', 1);
      const logger = memoryLogger();
      const api: TestApi = {
        url: '',
        store,
        signer,
        logger,
        enrollmentSecret,
        enrollmentSecretsPath: secretsPath,
        now: NOW,
        context: undefined as unknown as ApiContext,
        call: (method, path, callOptions) => call(api.url, method, path, callOptions),
        login: async (username, password = PASSWORD) => {
          const reply = await call(api.url, 'POST', '/api/v1/session', { body: { username, password } });
          if (reply.status !== 200) throw new Error(`login as ${username} failed: ${reply.status} ${reply.text}`);
          const cookie = reply.headers.get('set-cookie')!.split(';')[0]!;
          return { kind: 'user', cookie, csrf: reply.body.csrfToken, username };
        },
        enroll: async (loginName = STUDENTS[0]!.loginName, hostname = `laptop-${loginName ?? 'x'}`) => {
          const reply = await call(api.url, 'POST', '/api/v1/devices/enroll', {
            body: { enrollmentSecret, hostname, serial: `SN-${hostname}`, os: 'win32', agentVersion: '0.1.0', loginName },
          });
          if (reply.status !== 201) throw new Error(`enrollment failed: ${reply.status} ${reply.text}`);
          return { kind: 'device', deviceId: reply.body.deviceId, credential: reply.body.credential };
        },
        applied: (device, grantId, at) => call(api.url, 'POST', '/api/v1/device/events', {
          as: device,
          body: { events: [{ id: randomUUID(), seq: ++appliedSeq, type: 'exception.applied', occurredAt: at, policyVersion: '2025-12-14.1', payload: {
            grantId, articles: ['III.A.1'], allowed: { categories: ['social'], services: [], capture: [] }, lesson: null, until: at + 3_600_000,
          } }] },
        }),
      };
      const { context, handler } = buildApi({
        store, signer, enrollmentSecretsPath: secretsPath, logger, clock: () => api.now,
        settings: { passwordCost: FAST_SCRYPT_COST, version: 'test', ...options.settings }, ...(options.site ? { site: options.site } : {}),
      });
      const listening = await listen(handler, { host: '127.0.0.1', port: 0 }, logger);
      Object.assign(api, { url: listening.url, context });
      running.push(() => listening.close(() => context.hub.closeAll()));
      return api;
    },
  };
}

export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.as?.kind === 'user') {
    headers.cookie = options.as.cookie;
    if (!options.noCsrf) headers[CSRF_HEADER] = options.as.csrf;
  } else if (options.as?.kind === 'device') {
    headers.authorization = `Bearer ${options.as.credential}`;
  }
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}
