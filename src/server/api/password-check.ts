import { hashPassword, verifyPassword, type ScryptCost } from '../auth/passwords.ts';
import { HttpError, unauthenticated } from '../http/http-error.ts';
import type { User } from '../store/index.ts';
import type { ApiContext } from './context.ts';

/**
 * Checking a password, for the web login and for a teacher's unlock on a
 * student's laptop alike: rate limited per username and address, and as
 * slow for an unknown username as for a wrong password.
 */

const dummyHashes = new Map<string, Promise<string>>();

/** A hash to check unknown usernames against, so the answer's timing does not reveal which usernames exist. */
function dummyHash(cost: ScryptCost): Promise<string> {
  const key = `${cost.N}/${cost.r}/${cost.p}`;
  let hash = dummyHashes.get(key);
  if (hash === undefined) {
    hash = hashPassword('not the password of anyone', cost);
    dummyHashes.set(key, hash);
  }
  return hash;
}

function tooMany(wait: number): HttpError {
  const seconds = Math.ceil(wait / 1000);
  return new HttpError(429, 'too-many-requests', `Too many failed logins; try again in ${Math.ceil(seconds / 60)} minute(s).`, {
    headers: { 'retry-after': String(seconds) },
  });
}

/**
 * The user whose password this is; 401 when it is not, 429 (with Retry-After)
 * after too many failures for this account, or for a wrong password from a
 * client that has failed too often (see LoginGuard: never for a right one).
 */
export async function checkPassword(api: ApiContext, username: string, password: string, address: string, now: number): Promise<User> {
  const wait = await api.loginGuard.retryAfter(username, address, now);
  if (wait > 0) throw tooMany(wait);
  const user = await api.store.user(username);
  const matches = await verifyPassword(password, user?.passwordHash ?? await dummyHash(api.settings.passwordCost));
  if (user === null || !matches) {
    const clientWait = await api.loginGuard.clientRetryAfter(address, now);
    await api.loginGuard.failed(username, address, now);
    throw clientWait > 0 ? tooMany(clientWait) : unauthenticated('Wrong username or password.');
  }
  await api.loginGuard.succeeded(username, address);
  return user;
}
