import { FailureLimiter, type FailureLimit } from './failure-limiter.ts';

/**
 * Login rate limiting, on three keys:
 * - username + client: guessing one account's password from one place;
 * - username alone: guessing one account from many places (or, at a laptop,
 *   from many enrolled devices);
 * - client alone: trying passwords against many accounts.
 * The first two refuse even a right password while they hold (the account is
 * under attack). The third never does: a school sits behind one NAT address
 * or proxy, and a student trying random names there must not lock every
 * teacher out. Over it, a wrong password is answered 429 instead of 401; a
 * right one still gets in.
 */

/** Five wrong passwords per account and client per 15 minutes: a teacher who mistypes is not locked out, a guesser gets 480 tries a day. */
export const LOGIN_LIMIT: FailureLimit = { maxFailures: 5, windowMs: 15 * 60_000 };

/** Per account, from anywhere: enough for a teacher mistyping on a few devices, too few for a guessing botnet. */
export const ACCOUNT_LIMIT: FailureLimit = { maxFailures: 20, windowMs: 15 * 60_000 };

/**
 * Per client, across accounts. A school often sits behind one NAT address,
 * so this is generous: a staff room of mistyping teachers stays well below it.
 */
export const ADDRESS_LIMIT: FailureLimit = { maxFailures: 100, windowMs: 15 * 60_000 };

export class LoginGuard {
  readonly #perAccountAndClient: FailureLimiter;
  readonly #perAccount: FailureLimiter;
  readonly #perClient: FailureLimiter;

  constructor(accountAndClient: FailureLimit = LOGIN_LIMIT, address: FailureLimit = ADDRESS_LIMIT, account: FailureLimit = ACCOUNT_LIMIT) {
    this.#perAccountAndClient = new FailureLimiter(accountAndClient);
    this.#perAccount = new FailureLimiter(account);
    this.#perClient = new FailureLimiter(address);
  }

  /** Milliseconds before this account may be tried again from this client (its own failures only), 0 when now. */
  retryAfter(username: string, address: string, now: number): number {
    return Math.max(this.#perAccountAndClient.retryAfter(accountKey(username, address), now), this.#perAccount.retryAfter(username.toLowerCase(), now));
  }

  /** Milliseconds before this client's wrong guesses are answered 401 again (429 meanwhile); it never holds back a right password. */
  clientRetryAfter(address: string, now: number): number {
    return this.#perClient.retryAfter(address, now);
  }

  failed(username: string, address: string, now: number): void {
    this.#perAccountAndClient.fail(accountKey(username, address), now);
    this.#perAccount.fail(username.toLowerCase(), now);
    this.#perClient.fail(address, now);
  }

  succeeded(username: string, address: string): void {
    this.#perAccountAndClient.reset(accountKey(username, address));
  }
}

function accountKey(username: string, address: string): string {
  return `${username.toLowerCase()}\u0000${address}`;
}
