import type { AgentConfig } from '../../core/config/agent-config.ts';
import type { Logger } from '../runtime/logger.ts';
import type { DeviceStore } from '../store/index.ts';
import { systemFacts, type DeviceFactsSource } from './device-facts.ts';
import { SyncClient } from './sync-client.ts';
import type { CatalogSync } from '../catalog/catalog-updates.ts';

/** What the agent's composition root hands over to sync with the school server. */
export interface ServerSyncOptions {
  readonly config: AgentConfig;
  readonly dataDir: string;
  readonly store: DeviceStore;
  readonly now: () => number;
  readonly log: Logger;
  readonly policyVersion: string;
  readonly agentVersion: string;
  /** A dry-run agent enforces nothing and says so by sending no heartbeats. */
  readonly dryRun?: boolean;
  /** TrustedClock.observeServer: the server's time at each heartbeat and pull. */
  readonly onServerTime?: (serverTime: number, roundTripMs: number) => void;
  /** Agent.wake: re-decide when a schedule or grant arrives. */
  readonly wake: () => void;
  /** The student named with `--user` (see studentLoginName). */
  readonly studentLogin?: string | null;
  /** Defaults to systeminformation and the OS's idea of who is logged in. */
  readonly facts?: DeviceFactsSource;
  /** The school's catalog, switched when the server names a new one. */
  readonly catalog?: CatalogSync;
}

export interface RunningSync {
  readonly client: SyncClient;
  /** Stops every loop and resolves when they have ended. */
  stop(): Promise<void>;
}

/**
 * Starts syncing when the config names a server; null when it does not (the
 * agent then runs standalone from a local timetable).
 */
export function startServerSync(options: ServerSyncOptions): RunningSync | null {
  const server = options.config.server;
  if (server === undefined) return null;
  const client = new SyncClient({
    config: server,
    dataDir: options.dataDir,
    store: options.store,
    now: options.now,
    log: options.log,
    policyVersion: options.policyVersion,
    facts: options.facts ?? systemFacts(options.agentVersion, { studentLogin: options.studentLogin ?? null }),
    wake: options.wake,
    enforcing: options.dryRun !== true,
    ...(options.onServerTime ? { onServerTime: options.onServerTime } : {}),
    ...(options.catalog ? { catalog: options.catalog } : {}),
  });
  const controller = new AbortController();
  // New events (an exception applied, a tamper signal) reach the leaders in seconds, not at the next 30 s push.
  const unsubscribe = options.store.onAppend(() => client.nudge());
  const done = client.run(controller.signal).catch((error: unknown) => {
    options.log.error(`sync: stopped unexpectedly: ${(error as Error).message}`);
  });
  options.log.info(`sync: with ${server.url}${options.dryRun ? '; dry-run sends no heartbeats, so the school server lists this laptop as not enforcing in lessons' : ''}`);
  return {
    client,
    stop: async () => {
      unsubscribe();
      controller.abort();
      await done;
    },
  };
}
