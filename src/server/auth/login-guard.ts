import { FailureLimiter, memoryLimiterState, type FailureLimit, type LimiterState } from './failure-limiter.ts';

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

/** Where each of the guard's three limiters keeps its hits (by name); in memory unless told otherwise. */
export type LimiterStates = (limiter: 'login-account-client' | 'login-account' | 'login-client') => LimiterState;

export interface LoginLimits {
  readonly accountAndClient: FailureLimit;
  readonly account: FailureLimit;
  readonly client: FailureLimit;
}

export const LOGIN_LIMITS: LoginLimits = { accountAndClient: LOGIN_LIMIT, account: ACCOUNT_LIMIT, client: ADDRESS_LIMIT };

/** The longest window the guard counts in: hits older than this may be pruned. */
export const LONGEST_LOGIN_WINDOW_MS = Math.max(LOGIN_LIMIT.windowMs, ACCOUNT_LIMIT.windowMs, ADDRESS_LIMIT.windowMs);

export class LoginGuard {
  readonly #perAccountAndClient: FailureLimiter;
  readonly #perAccount: FailureLimiter;
  readonly #perClient: FailureLimiter;

  constructor(states: LimiterStates = () => memoryLimiterState(), limits: LoginLimits = LOGIN_LIMITS) {
    this.#perAccountAndClient = new FailureLimiter(limits.accountAndClient, states('login-account-client'));
    this.#perAccount = new FailureLimiter(limits.account, states('login-account'));
    this.#perClient = new FailureLimiter(limits.client, states('login-client'));
  }

  /** Milliseconds before this account may be tried again from this client (its own failures only), 0 when now. */
  async retryAfter(username: string, address: string, now: number): Promise<number> {
    const [pair, account] = await Promise.all([
      this.#perAccountAndClient.retryAfter(accountKey(username, address), now),
      this.#perAccount.retryAfter(username.toLowerCase(), now),
    ]);
    return Math.max(pair, account);
  }

  /** Milliseconds before this client's wrong guesses are answered 401 again (429 meanwhile); it never holds back a right password. */
  async clientRetryAfter(address: string, now: number): Promise<number> {
    return this.#perClient.retryAfter(address, now);
  }

  async failed(username: string, address: string, now: number): Promise<void> {
    await this.#perAccountAndClient.fail(accountKey(username, address), now);
    await this.#perAccount.fail(username.toLowerCase(), now);
    await this.#perClient.fail(address, now);
  }

  async succeeded(username: string, address: string): Promise<void> {
    await this.#perAccountAndClient.reset(accountKey(username, address));
  }
}

/** One key for an account at a client; JSON keeps any username and address apart without a control character. */
function accountKey(username: string, address: string): string {
  return JSON.stringify([username.toLowerCase(), address]);
}
