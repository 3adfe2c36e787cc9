import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import cron from 'node-cron';
import type { z } from 'zod';
import type { ServerConfig } from '../../core/config/agent-config.ts';
import {
  DEVICE_PATHS, HeartbeatReplySchema, isStreamEvent, ReceivedGrantListSchema, SignedEnvelopeSchema, type HeartbeatBody, type UnlockRequest,
} from '../../core/protocol/index.ts';
import type { Logger } from '../runtime/logger.ts';
import type { DeviceStore } from '../store/index.ts';
import { SignedApplier, type GrantOutcome } from './apply-signed.ts';
import { Backoff } from './backoff.ts';
import { removeCredential, type DeviceCredential } from './credential-file.ts';
import type { DeviceFactsSource } from './device-facts.ts';
import { ensureEnrolled } from './enroll.ts';
import { offerGrants } from './grant-offer.ts';
import { pushOutbox, type PushResult } from './outbox-push.ts';
import { ServerClient, SyncError, type Fetch } from './server-client.ts';
import { SseParser } from './sse-parser.ts';
import type { SyncStatus } from '../control/protocol.ts';
import type { CatalogSync } from '../catalog/catalog-updates.ts';

/**
 * The agent's side of the school server: enroll once, pull the signed
 * schedule and grants, push the outbox, and hold the live grant stream.
 * Every loop survives the server being gone for days: it backs off and
 * tries again, while the agent keeps enforcing from its store.
 */

/** The schedule covers 14 days; pulling every 15 minutes picks up a cancelled or moved lesson the same period. */
export const PULL_INTERVAL_MS = 15 * 60_000;
/** Should the cron schedule not fire (a suspended laptop), the pull loop wakes after this long anyway. */
const PULL_FALLBACK_MS = 2 * PULL_INTERVAL_MS;
/** After a nudge, wait this long so a burst of events (a lesson starting) goes in one batch. */
export const NUDGE_SETTLE_MS = 250;

/**
 * The node-cron schedule a device pulls on: every 15 minutes, at a second of
 * the quarter hour fixed by its id, so a school's 1,500 laptops spread their
 * pulls over 900 s instead of all asking at :00, :15, :30 and :45.
 */
export function pullScheduleFor(deviceId: string): string {
  const slot = createHash('sha256').update(deviceId).digest().readUInt32BE(0) % (PULL_INTERVAL_MS / 1000);
  const minute = Math.floor(slot / 60);
  return `${slot % 60} ${[0, 15, 30, 45].map((m) => m + minute).join(',')} * * * *`;
}
/** Events reach the leaders within this long when nothing nudges the push sooner. */
export const PUSH_INTERVAL_MS = 30_000;
/**
 * The server sends a keep-alive comment every 15 s; this long without a
 * byte means the connection is dead (a NAT dropped it silently), and the
 * agent reconnects rather than wait for TCP to notice, which can take hours.
 */
export const STREAM_IDLE_TIMEOUT_MS = 45_000;

/** The server marks a device silent in a lesson by gaps in these; one a minute shows a killed agent within the lesson. */
export const HEARTBEAT_INTERVAL_MS = 60_000;

/** What a teacher at the laptop asks for: the six-digit code from the teacher's portal (never a password), what to allow and why. */
export type { UnlockRequest };

export interface SyncClientDeps {
  readonly config: ServerConfig;
  readonly dataDir: string;
  readonly store: DeviceStore;
  readonly now: () => number;
  readonly log: Logger;
  /** The policy in force, for the tamper events this client writes. */
  readonly policyVersion: string;
  readonly facts: DeviceFactsSource;
  /** The server's time from each heartbeat, for the agent's trusted clock. */
  readonly onServerTime?: (serverTime: number, roundTripMs: number) => void;
  /** Re-decide at once (Agent.wake): a grant or a schedule arrived. */
  readonly wake: () => void;
  readonly fetch?: Fetch;
  /** For tests: small backoffs and a seeded jitter. */
  readonly backoff?: { readonly baseMs?: number; readonly maxMs?: number; readonly random?: () => number };
  /** A node-cron expression (with seconds) replacing pullScheduleFor(deviceId); for tests. */
  readonly pullSchedule?: string;
  readonly pushIntervalMs?: number;
  /** How long one request may take (REQUEST_TIMEOUT_MS); tests shorten it to see slow answers time out. */
  readonly requestTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** How long the live stream may stay silent, its answer included, before it is given up and opened again (tests shorten it). */
  readonly streamIdleTimeoutMs?: number;
  /**
   * False in dry-run: a heartbeat says "this laptop enforces", so a dry-run
   * agent sends none and the leaders' dashboard shows it as not enforcing in
   * lessons (which it is not). Default true.
   */
  readonly enforcing?: boolean;
  /** The school's catalog: fetched when the signed schedule names another one (absent: the agent keeps its own). */
  readonly catalog?: CatalogSync;
}

/** Sleeps, ending early (without throwing) when `signal` aborts. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // Aborted: the caller's loop checks the signal.
  }
}

export class SyncClient {
  readonly #deps: SyncClientDeps;
  readonly #client: ServerClient;
  #credential: DeviceCredential | null = null;
  #enrolling: Promise<DeviceCredential> | null = null;
  #applier: SignedApplier | null = null;
  #nudge = new AbortController();
  #pullDue = new AbortController();
  #clockOffsetMs: number | null = null;
  #lastPullAt: number | null = null;
  #lastPushAt: number | null = null;
  #live = false;
  #lastError: string | null = null;

  constructor(deps: SyncClientDeps) {
    this.#deps = deps;
    this.#client = new ServerClient(deps.config.url, deps.fetch, deps.requestTimeoutMs);
  }

  get deviceId(): string | null {
    return this.#credential?.deviceId ?? null;
  }

  /** This device's clock minus the server's at the last heartbeat (positive: ahead); null before the first. */
  get clockOffsetMs(): number | null {
    return this.#clockOffsetMs;
  }

  /** For `lesmodus agent status`: how syncing goes. */
  status(): SyncStatus {
    const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());
    return {
      server: this.#client.baseUrl,
      deviceId: this.deviceId,
      lastPullAt: iso(this.#lastPullAt),
      lastPushAt: iso(this.#lastPushAt),
      outbox: this.#deps.store.outboxSize(),
      live: this.#live,
      clockOffsetMs: this.#clockOffsetMs,
      lastError: this.#lastError,
    };
  }

  /** Enrolls unless a credential for this server is saved; idempotent, and one enrollment at a time. */
  enroll(signal?: AbortSignal): Promise<DeviceCredential> {
    if (this.#credential !== null) return Promise.resolve(this.#credential);
    this.#enrolling ??= this.#enrollOnce(signal).finally(() => { this.#enrolling = null; });
    return this.#enrolling;
  }

  async #enrollOnce(signal?: AbortSignal): Promise<DeviceCredential> {
    const { config, dataDir, facts, now, log, store, policyVersion } = this.#deps;
    const { credential, enrolledNow } = await ensureEnrolled({ config, dataDir, client: this.#client, facts, now, ...(signal ? { signal } : {}) });
    if (enrolledNow) log.info(`sync: enrolled with ${this.#client.baseUrl} as device ${credential.deviceId}`);
    this.#credential = credential;
    this.#applier = new SignedApplier({ store, publicKeyPem: config.publicKey, deviceId: credential.deviceId, now, policyVersion, log });
    return credential;
  }

  /**
   * Runs a loop's request. A 401 there means the server no longer knows this
   * laptop's credential (a reinstalled server, a restored backup): forget it
   * and enroll again, with the same enrollment key, so the same device. A
   * revoked laptop is then refused at enrollment (and keeps enforcing).
   */
  async #authed<T>(signal: AbortSignal, task: () => Promise<T>): Promise<T> {
    const credential = await this.enroll(signal);
    try {
      return await task();
    } catch (error) {
      if (error instanceof SyncError && error.status === 401) this.#forget(credential);
      throw error;
    }
  }

  #forget(credential: DeviceCredential): void {
    // Only the credential that was refused: another loop may have enrolled again already.
    if (this.#credential !== credential) return;
    this.#deps.log.warn(`sync: the server refused this laptop's credential (device ${credential.deviceId}); enrolling again`);
    removeCredential(this.#deps.dataDir);
    this.#credential = null;
    this.#applier = null;
  }

  #enrolled(): { credential: DeviceCredential; applier: SignedApplier } {
    if (this.#credential === null || this.#applier === null) throw new Error('enroll() first');
    return { credential: this.#credential, applier: this.#applier };
  }

  /** Fetches and applies the signed schedule and grants, then wakes the agent. */
  async pull(signal?: AbortSignal): Promise<void> {
    const { credential, applier } = this.#enrolled();
    const withSignal = signal ? { signal } : {};
    // Signed things are read as envelopes and verified (apply-signed) before their payload is parsed.
    const schedule = await this.#client.request({ method: 'GET', path: DEVICE_PATHS.schedule, credential: credential.credential, reply: SignedEnvelopeSchema, ...withSignal });
    const asked = performance.now();
    const list = await this.#client.request({ method: 'GET', path: DEVICE_PATHS.grants, credential: credential.credential, reply: ReceivedGrantListSchema, ...withSignal });
    // The trusted clock hears the server's time here too: a dry-run agent sends no heartbeats.
    this.#deps.onServerTime?.(list.serverTime, performance.now() - asked);
    const { catalog } = applier.applySchedule(schedule);
    if (catalog !== null && this.#deps.catalog?.wants(catalog)) {
      const signed = await this.#client.request({ method: 'GET', path: DEVICE_PATHS.catalog, credential: credential.credential, reply: SignedEnvelopeSchema, ...withSignal });
      this.#deps.catalog.apply(signed, this.#deps.config.publicKey, catalog);
    }
    for (const signed of list.grants) applier.applyGrant(signed);
    this.#lastPullAt = this.#deps.now();
    this.#deps.wake();
  }

  /**
   * Sends the outbox until it is empty (or a batch fails); then, when the
   * server turned out to be restored from a backup, gives it back the grants
   * this laptop holds.
   */
  async push(signal?: AbortSignal): Promise<PushResult> {
    const { credential } = this.#enrolled();
    const { store, log, now } = this.#deps;
    const withSignal = signal ? { signal } : {};
    const result = await pushOutbox({ store, client: this.#client, credential: credential.credential, log, ...withSignal });
    await offerGrants({ store, client: this.#client, credential: credential.credential, log, now, ...withSignal });
    this.#lastPushAt = this.#deps.now();
    return result;
  }

  /**
   * Tells the server this device is alive and records how far its clock is
   * off. The answer says how far the server holds this laptop's events: less
   * than it acknowledged means it was restored from a backup, and a quiet
   * laptop (nothing in its outbox to push) learns it here, within a minute.
   */
  async heartbeat(signal?: AbortSignal): Promise<void> {
    const { credential } = this.#enrolled();
    const { store, log } = this.#deps;
    const sentAt = this.#deps.now();
    // Read before asking: the server's count never goes down but for a restore, so an answer below this one is one.
    const acknowledged = store.highestSyncedSeq();
    const started = performance.now();
    const reply = await this.#client.request({
      method: 'POST', path: DEVICE_PATHS.heartbeat, credential: credential.credential, body: { sentAt } satisfies z.input<typeof HeartbeatBody>,
      reply: HeartbeatReplySchema, ...(signal ? { signal } : {}),
    });
    this.#clockOffsetMs = reply.clockOffsetMs ?? sentAt - reply.serverTime;
    this.#deps.onServerTime?.(reply.serverTime, performance.now() - started);
    const serverHas = reply.lastEventSeq ?? 0;
    if (serverHas < acknowledged) {
      const waiting = store.resendAfter(serverHas);
      log.warn(`sync: the school server holds this laptop's events only up to #${serverHas}, though it acknowledged up to #${acknowledged} `
        + `(restored from a backup?); sending the ${waiting} it lacks again and giving back the grants this laptop holds`);
      this.nudge();
    }
  }

  /**
   * A teacher at this laptop: sends the unlock code from their portal and
   * what to allow to the server, which checks that the code is of a teacher
   * of the student's lesson now and answers a grant signed for this device,
   * stored like any other; the agent's next decision applies it.
   */
  async unlock(request: UnlockRequest, signal?: AbortSignal): Promise<{ outcome: GrantOutcome; signed: unknown }> {
    if (this.#credential === null) throw new SyncError('this laptop has not enrolled with the school server yet; try again when it is online', { retryable: true });
    const { credential, applier } = this.#enrolled();
    const signed = await this.#client.request({
      method: 'POST', path: DEVICE_PATHS.unlock, credential: credential.credential, body: request, reply: SignedEnvelopeSchema, ...(signal ? { signal } : {}),
    });
    const outcome = applier.applyGrant(signed);
    if (outcome.status !== 'rejected') this.#deps.wake();
    return { outcome, signed };
  }

  /** Asks the push loop to send soon (new events were written). */
  nudge(): void {
    this.#nudge.abort();
  }

  /** Asks the pull loop to fetch the schedule and grants now (its cron schedule does this every 15 minutes). */
  requestPull(): void {
    this.#pullDue.abort();
  }

  /** Runs every loop until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await this.#retrying('enroll', signal, async () => { await this.enroll(signal); });
    if (signal.aborted) return;
    const loops = [this.#pullLoop(signal), this.#pushLoop(signal), this.#streamLoop(signal)];
    if (this.#deps.enforcing !== false) loops.push(this.#heartbeatLoop(signal));
    await Promise.all(loops);
  }

  #backoff(): Backoff {
    return new Backoff(this.#deps.backoff ?? {});
  }

  /** Runs `task` until it succeeds or `signal` aborts, backing off between failures. */
  async #retrying(what: string, signal: AbortSignal, task: () => Promise<void>): Promise<void> {
    const backoff = this.#backoff();
    while (!signal.aborted) {
      try {
        await task();
        return;
      } catch (error) {
        if (signal.aborted) return;
        this.#logFailure(what, error);
        await pause(backoff.next(), signal);
      }
    }
  }

  #logFailure(what: string, error: unknown): void {
    this.#lastError = `${new Date(this.#deps.now()).toISOString()} ${what}: ${(error as Error).message}`;
    const retryable = !(error instanceof SyncError) || error.retryable;
    const message = `sync: ${what} failed: ${(error as Error).message}${retryable ? '; retrying' : '; check the MDM configuration (retrying anyway)'}`;
    if (retryable) this.#deps.log.warn(message);
    else this.#deps.log.error(message);
  }

  async #pullLoop(signal: AbortSignal): Promise<void> {
    const { credential } = this.#enrolled();
    const task = cron.schedule(this.#deps.pullSchedule ?? pullScheduleFor(credential.deviceId), () => this.requestPull(), { name: 'lesmodus-pull' });
    try {
      while (!signal.aborted) {
        // Made before the pull, so a request that comes while it runs is not lost.
        const due = new AbortController();
        this.#pullDue = due;
        await this.#retrying('pull', signal, () => this.#authed(signal, () => this.pull(signal)));
        await pause(PULL_FALLBACK_MS, AbortSignal.any([signal, due.signal]));
      }
    } finally {
      await task.stop();
    }
  }

  async #pushLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      // Made before the push, so a nudge that comes while it runs cuts the following pause short.
      const nudge = new AbortController();
      this.#nudge = nudge;
      await this.#retrying('push', signal, async () => { await this.#authed(signal, () => this.push(signal)); });
      await pause(this.#deps.pushIntervalMs ?? PUSH_INTERVAL_MS, AbortSignal.any([signal, nudge.signal]));
      if (nudge.signal.aborted) await pause(NUDGE_SETTLE_MS, signal);
    }
  }

  /** A missed heartbeat is not retried early: the next one is due within the minute anyway. */
  async #heartbeatLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.#authed(signal, () => this.heartbeat(signal));
      } catch (error) {
        if (signal.aborted) return;
        this.#logFailure('heartbeat', error);
      }
      await pause(this.#deps.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS, signal);
    }
  }

  async #streamLoop(signal: AbortSignal): Promise<void> {
    const backoff = this.#backoff();
    let first = true;
    while (!signal.aborted) {
      try {
        // A reconnect may have missed changes the stream does not replay (a grant that expired meanwhile): pull too.
        if (!first) await this.#authed(signal, () => this.pull(signal));
        first = false;
        await this.#authed(signal, () => this.#stream(signal, () => backoff.reset()));
        if (signal.aborted) return;
        this.#deps.log.warn('sync: the live grant stream ended; reconnecting');
      } catch (error) {
        if (signal.aborted) return;
        this.#logFailure('live grant stream', error);
      }
      await pause(backoff.next(), signal);
    }
  }

  /** Holds one stream until it ends; `onReady` runs when the server has sent the current grants. */
  async #stream(signal: AbortSignal, onReady: () => void): Promise<void> {
    const { credential, applier } = this.#enrolled();
    const connection = new AbortController();
    const stop = AbortSignal.any([signal, connection.signal]);
    const headers = { ...this.#client.headers(credential.credential), accept: 'text/event-stream' };
    // The deadline covers the wait for the answer too: a connection that never answers (a proxy whose
    // upstream died, a half-open TCP connection) would otherwise hold the live stream, and its pulls, for good.
    const idleMs = this.#deps.streamIdleTimeoutMs ?? STREAM_IDLE_TIMEOUT_MS;
    let idle = setTimeout(() => connection.abort(), idleMs);
    let response: Response;
    try {
      response = await this.#client.open(DEVICE_PATHS.stream, { headers, signal: stop });
    } catch (error) {
      clearTimeout(idle);
      if (connection.signal.aborted && !signal.aborted) throw new SyncError(`${DEVICE_PATHS.stream}: no answer for ${idleMs / 1000} s`, { retryable: true });
      throw error;
    }
    if (!response.ok || response.body === null) {
      clearTimeout(idle);
      await response.body?.cancel();
      throw new SyncError(`${DEVICE_PATHS.stream}: the server answered ${response.status}`, { retryable: true, status: response.status });
    }
    const parser = new SseParser();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        clearTimeout(idle);
        idle = setTimeout(() => connection.abort(), idleMs);
        for (const event of parser.push(decoder.decode(chunk, { stream: true }))) {
          const name = event.event;
          // A newer server's event this agent does not know yet: nothing to do with it.
          if (!isStreamEvent(name)) continue;
          if (name === 'ready') {
            this.#live = true;
            onReady();
            // The status the tray and `agent status` show is the agent's snapshot: taken again now, it says live at once.
            this.#deps.wake();
          }
          // The signed schedule changed (consents, timetable, assignment): fetch it now rather than within 15 minutes.
          if (name === 'refresh') this.requestPull();
          if (name !== 'grant' && name !== 'revocation') continue;
          // Verified before it is parsed (STREAM_MESSAGES.grant is what the server signed).
          if (applier.applyGrant(parseJson(event.data)).status !== 'rejected') this.#deps.wake();
        }
      }
    } catch (error) {
      if (!connection.signal.aborted) throw error;
      throw new SyncError(`${DEVICE_PATHS.stream}: nothing received for ${idleMs / 1000} s`, { retryable: true });
    } finally {
      const wasLive = this.#live;
      this.#live = false;
      clearTimeout(idle);
      if (wasLive && !signal.aborted) this.#deps.wake();
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
