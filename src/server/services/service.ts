import { userInfo } from 'node:os';
import type { GrantRecord, NewAuditEntry, ServerStore } from '../store/index.ts';

/**
 * What every business action on the server needs, whoever asks (a route for
 * the portal or the API, or the server's command line): the store, a way to
 * tell connected laptops, and who is acting. Each service writes its own
 * audit entry and notifies the laptops concerned, so no caller can forget to.
 */

export type GrantChange = { readonly kind: 'grant' | 'revocation'; readonly record: GrantRecord };

/** Whose signed schedule changed (consents, timetable, assignment): those devices pull now instead of within 15 minutes. */
export interface RefreshTarget {
  readonly schoolId: string;
  /** Only devices of these students; all of the school's when absent. */
  readonly studentIds?: ReadonlySet<string>;
  /** Only this device (its assignment changed). */
  readonly deviceId?: string;
}

/** Who acts: a logged-in user's username, or `cli:<os user>` on the server's own command line. */
export interface Actor {
  readonly username: string;
}

/**
 * Connected laptops, told of a change. The server process's GrantHub is one
 * (live streams); a command-line process holds no streams, so its changes
 * reach laptops at their next pull (within 15 minutes).
 */
export interface LaptopNotifier {
  publish(change: GrantChange): void;
  /** How many live streams were told to pull their schedule again. */
  refresh(target: RefreshTarget, reason: string): number;
  /** How many live streams of the device were closed. */
  closeDevice(deviceId: string): number;
}

export const NO_LIVE_LAPTOPS: LaptopNotifier = {
  publish: () => {},
  refresh: () => 0,
  closeDevice: () => 0,
};

export interface Services {
  readonly store: ServerStore;
  readonly laptops: LaptopNotifier;
}

/** The one name the audit log gives the server's own command line (with the OS user who ran it). */
export function cliActor(): Actor {
  try {
    return { username: `cli:${userInfo().username}` };
  } catch {
    return { username: 'cli' };
  }
}

export async function audit(services: Services, actor: Actor, at: number, entry: Omit<NewAuditEntry, 'at' | 'username'>): Promise<void> {
  await services.store.recordAudit({ ...entry, at, username: actor.username });
}
