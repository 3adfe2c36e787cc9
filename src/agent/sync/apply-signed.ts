import type { Logger } from '../runtime/logger.ts';
import { spanWords } from '../runtime/trusted-clock.ts';
import type { CatalogRef } from '../../core/protocol/index.ts';
import { DeviceStoreError, type DeviceStore, type PutGrantResult } from '../store/index.ts';
import { verifyDeviceGrant, verifySchedule, type Rejection, type VerifyContext } from './verify-signed.ts';

/**
 * Puts what the server signed into the device store, after verifying it; a
 * payload that fails verification is never applied and is logged as tamper
 * (a forged grant on a student's laptop is exactly what it looks like).
 */

/** Where the cached timetable came from when the server signed it. */
export const SERVER_SCHEDULE_SOURCE = 'server';
/** A schedule may start this much after the laptop's time (clocks a little apart) before the server's clock counts as ahead. */
const SCHEDULE_CLOCK_TOLERANCE_MS = 2 * 60_000;
/** The event schema caps tamper details at 300 characters; ours stay well inside. */
const MAX_DETAIL = 240;

export interface ApplyDeps {
  readonly store: DeviceStore;
  readonly publicKeyPem: string;
  readonly deviceId: string;
  readonly now: () => number;
  /** The policy in force, for the tamper events. */
  readonly policyVersion: string;
  readonly log: Logger;
}

/** What storing a verified grant changed (PutGrantResult), or why it was rejected. Whether it took effect is the agent's decision, not this. */
export type GrantOutcome =
  | { readonly status: PutGrantResult; readonly grantId: string }
  | { readonly status: 'rejected'; readonly reason: Rejection };

/** Event details are agent text only: no control characters, nothing that reads as a URL. */
function safeDetail(text: string): string {
  return text.replace(/\p{Cc}/gu, ' ').replace(/:\/\//g, ': //').slice(0, MAX_DETAIL);
}

export class SignedApplier {
  readonly #deps: ApplyDeps;
  #serverAhead = false;

  constructor(deps: ApplyDeps) {
    this.#deps = deps;
  }

  #context(): VerifyContext {
    return { publicKeyPem: this.#deps.publicKeyPem, deviceId: this.#deps.deviceId, now: this.#deps.now() };
  }

  #tamper(reason: Rejection, detail: string): void {
    const { store, policyVersion, log } = this.#deps;
    log.warn(`sync: rejected (${reason}): ${detail}`);
    store.appendEvent({ type: 'tamper', policyVersion, payload: { kind: 'bad-signature', detail: safeDetail(`${reason}: ${detail}`) } });
  }

  /**
   * Replaces the cached timetable with a verified schedule (`applied`; a
   * tamper event when it does not verify). `catalog`: the catalog a verified
   * schedule names, also when its lessons were not taken.
   */
  applySchedule(input: unknown): { applied: boolean; catalog: CatalogRef | null } {
    const verified = verifySchedule(input, this.#context());
    if (!verified.ok) {
      this.#tamper(verified.reason, verified.detail);
      return { applied: false, catalog: null };
    }
    const catalog = verified.signed.payload.catalog ?? null;
    const { payload, signature, keyId } = verified.signed;
    if (payload.from > this.#deps.now() + SCHEDULE_CLOCK_TOLERANCE_MS) {
      // The server's "today" is after this laptop's trusted time: its clock is ahead. Replacing the cache would drop today's lessons.
      const detail = `the school server's schedule starts ${spanWords(payload.from - this.#deps.now())} after this laptop's time (its clock is ahead); kept the cached schedule`;
      this.#deps.log.warn(`sync: ${detail}`);
      // Once until the server is right again, not at every pull.
      if (!this.#serverAhead) this.#deps.store.appendEvent({ type: 'tamper', policyVersion: this.#deps.policyVersion, payload: { kind: 'server-clock', detail } });
      this.#serverAhead = true;
      return { applied: false, catalog };
    }
    this.#serverAhead = false;
    this.#deps.store.replaceSchedule(payload.lessons, {
      source: SERVER_SCHEDULE_SOURCE, fetchedAt: payload.signedAt, validUntil: payload.to, signature, keyId, consents: payload.consents ?? null,
    });
    return { applied: true, catalog };
  }

  /**
   * Stores a verified grant with its revocation, if any, and the envelope it
   * came in. The grant is stored without `revokedAt`: the store keeps
   * revocations apart, and a grant's content never changes after it is issued.
   */
  applyGrant(input: unknown): GrantOutcome {
    const verified = verifyDeviceGrant(input, this.#context());
    if (!verified.ok) {
      this.#tamper(verified.reason, verified.detail);
      return { status: 'rejected', reason: verified.reason };
    }
    const { revokedAt, ...grant } = verified.signed.payload.grant;
    const { store } = this.#deps;
    // The envelope as received (the payload unparsed, so its signature still holds): a server restored from a backup gets it back.
    const { keyId, signature } = verified.signed;
    const envelope = JSON.stringify({ keyId, signature, payload: (input as { payload: unknown }).payload });
    try {
      const status = store.putGrant(JSON.stringify(grant), { id: grant.id, issuedAt: grant.issuedAt, expiresAt: grant.expiresAt }, revokedAt, envelope);
      return { status, grantId: grant.id };
    } catch (error) {
      if (!(error instanceof DeviceStoreError && error.code === 'grant-conflict')) throw error;
      // Signed by our server, yet different from what it signed before under the same id: keep the first, say so.
      this.#tamper('malformed', `grant ${grant.id.slice(0, 64)} changed after it was issued; kept the first version`);
      return { status: 'rejected', reason: 'malformed' };
    }
  }
}
