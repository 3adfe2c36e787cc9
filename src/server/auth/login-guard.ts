import { FailureLimiter, type FailureLimit } from './failure-limiter.ts';

/**
 * Login rate limiting, on two keys: username + address (guessing one
 * account's password from one place) and the address alone (trying one
 * password against many accounts). A success clears the first.
 */

/** Five wrong passwords per account and address per 15 minutes: a teacher who mistypes is not locked out, a guesser gets 480 tries a day. */
export const LOGIN_LIMIT: FailureLimit = { maxFailures: 5, windowMs: 15 * 60_000 };

/**
 * Per address, across accounts. A school often sits behind one NAT address,
 * so this is generous: a staff room of mistyping teachers stays well below it.
 */
export const ADDRESS_LIMIT: FailureLimit = { maxFailures: 100, windowMs: 15 * 60_000 };

export class LoginGuard {
  readonly #perAccount: FailureLimiter;
  readonly #perAddress: FailureLimiter;

  constructor(account: FailureLimit = LOGIN_LIMIT, address: FailureLimit = ADDRESS_LIMIT) {
    this.#perAccount = new FailureLimiter(account);
    this.#perAddress = new FailureLimiter(address);
  }

  /** Milliseconds the caller must wait before this login may be tried, 0 when it may be tried now. */
  retryAfter(username: string, address: string, now: number): number {
    return Math.max(this.#perAccount.retryAfter(accountKey(username, address), now), this.#perAddress.retryAfter(address, now));
  }

  failed(username: string, address: string, now: number): void {
    this.#perAccount.fail(accountKey(username, address), now);
    this.#perAddress.fail(address, now);
  }

  succeeded(username: string, address: string): void {
    this.#perAccount.reset(accountKey(username, address));
  }
}

function accountKey(username: string, address: string): string {
  return `${username.toLowerCase()}\u0000${address}`;
}
