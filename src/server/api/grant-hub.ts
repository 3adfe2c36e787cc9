import type { GrantChange, LaptopNotifier, RefreshTarget } from '../services/service.ts';
import { grantReaches, type DeviceReach } from './grant-reach.ts';

/**
 * The live push's switchboard: devices connected over Server-Sent Events
 * subscribe with what decides which grants reach them, and every new or
 * revoked grant is handed to each one it reaches, at once.
 *
 * One process's streams; with several server processes on one PostgreSQL,
 * PostgresRelay (src/server/live) carries each change to the others' hubs.
 */

export type { GrantChange, RefreshTarget };

export interface Subscriber {
  /** Mutable so a long-lived connection can refresh it when the roster changes. */
  reach: DeviceReach;
  deliver(change: GrantChange): void;
  /** Tells the device to pull its schedule and grants again. */
  refresh(reason: string): void;
  /** Ends the subscriber's stream (server shutdown, device revoked). */
  close(): void;
}

/**
 * Live connections one device may hold. An agent reconnecting after a network
 * drop may open the new stream before the server notices the old one died;
 * beyond this the oldest is closed, so a looping agent cannot pile up sockets.
 */
export const MAX_STREAMS_PER_DEVICE = 2;

export class GrantHub implements LaptopNotifier {
  readonly #subscribers = new Set<Subscriber>();

  get connections(): number {
    return this.#subscribers.size;
  }

  subscribe(subscriber: Subscriber): () => void {
    const same = [...this.#subscribers].filter((s) => s.reach.deviceId === subscriber.reach.deviceId);
    for (const old of same.slice(0, Math.max(0, same.length - MAX_STREAMS_PER_DEVICE + 1))) {
      this.#subscribers.delete(old);
      old.close();
    }
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  /** Hands the change to every subscriber it reaches; returns how many. */
  publish(change: GrantChange): number {
    let delivered = 0;
    for (const subscriber of this.#subscribers) {
      if (!grantReaches(change.record, subscriber.reach)) continue;
      try {
        subscriber.deliver(change);
        delivered++;
      } catch {
        // One broken connection must not keep the grant from the others; it is dropped.
        this.#subscribers.delete(subscriber);
        subscriber.close();
      }
    }
    return delivered;
  }

  /** Asks the devices whose schedule changed to pull it now; returns how many were told. */
  refresh(target: RefreshTarget, reason: string): number {
    let told = 0;
    for (const subscriber of [...this.#subscribers]) {
      const { reach } = subscriber;
      if (target.deviceId !== undefined ? reach.deviceId !== target.deviceId : reach.schoolId !== target.schoolId) continue;
      if (target.studentIds !== undefined && (reach.studentId === null || !target.studentIds.has(reach.studentId))) continue;
      try {
        subscriber.refresh(reason);
        told++;
      } catch {
        this.#subscribers.delete(subscriber);
        subscriber.close();
      }
    }
    return told;
  }

  /** Asks every stream to pull again (what other processes said may have been missed); returns how many. */
  refreshEveryone(reason: string): number {
    let told = 0;
    for (const subscriber of [...this.#subscribers]) {
      try {
        subscriber.refresh(reason);
        told++;
      } catch {
        this.#subscribers.delete(subscriber);
        subscriber.close();
      }
    }
    return told;
  }

  /** Ends every live stream of one device at once (the device was revoked); returns how many. */
  closeDevice(deviceId: string): number {
    let closed = 0;
    for (const subscriber of [...this.#subscribers]) {
      if (subscriber.reach.deviceId !== deviceId) continue;
      this.#subscribers.delete(subscriber);
      subscriber.close();
      closed++;
    }
    return closed;
  }

  closeAll(): void {
    for (const subscriber of [...this.#subscribers]) subscriber.close();
    this.#subscribers.clear();
  }
}
