/**
 * Fault-injection helper, run as its own process: a laptop that writes
 * events and syncs them to the school server through the real code path
 * (the real device store on disk, the real SyncClient over real HTTP).
 *
 *   node device-child.ts run   <data dir> <round>   append and sync until killed
 *   node device-child.ts drain <data dir> <round>   append nothing; sync until the outbox is empty, then exit 0
 *
 * The server config comes from the environment as JSON (FAULT_SERVER_CONFIG:
 * { url, enrollmentSecret, publicKey }), so the secret is not on the command line.
 *
 * Stdout, one line each, written synchronously so a line is out of the
 * process before the next step:
 *   E <event id>   after appendEvent returned (the event is committed)
 *   L <message>    a warning or error the sync client logged (the faults it saw)
 *   D <n>          drain mode: the outbox is empty (n events in the store)
 */
import Database from 'better-sqlite3';
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentConfigSchema } from '../../../../src/core/config/agent-config.ts';
import type { Logger } from '../../../../src/agent/runtime/logger.ts';
import { openDeviceStore, type AppendEventInput } from '../../../../src/agent/store/index.ts';
import { SyncClient } from '../../../../src/agent/sync/sync-client.ts';

/** If the parent dies without killing us, stop by ourselves: no round runs anywhere near this long. */
const GIVE_UP_AFTER_MS = 60_000;
/** Drain mode gives up (exit 3) when the outbox is not empty by then. */
const DRAIN_TIMEOUT_MS = 40_000;

const DEVICE_STORE_FILE = 'device.db';

const [mode, dataDir, round] = process.argv.slice(2);
if ((mode !== 'run' && mode !== 'drain') || dataDir === undefined || round === undefined) {
  throw new Error('usage: device-child.ts run|drain <data dir> <round>');
}
const config = AgentConfigSchema.parse({ server: JSON.parse(process.env.FAULT_SERVER_CONFIG ?? 'null') }).server!;

function report(line: string): void {
  const bytes = Buffer.from(`${line}\n`);
  let written = 0;
  while (written < bytes.length) {
    try {
      written += writeSync(1, bytes, written);
    } catch (error) {
      // A non-blocking pipe that is momentarily full: try again.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

const log: Logger = {
  info: () => {},
  warn: (message) => report(`L ${message.replace(/\n/g, ' ')}`),
  error: (message) => report(`L ${message.replace(/\n/g, ' ')}`),
};

const store = openDeviceStore({ path: join(dataDir, DEVICE_STORE_FILE) });
const client = new SyncClient({
  config,
  dataDir,
  store,
  now: Date.now,
  log,
  policyVersion: 'fault-1',
  facts: async () => ({ hostname: 'laptop-fault', serial: 'SN-FAULT', os: 'linux', agentVersion: '0.1.0', loginName: null }),
  wake: () => {},
  // Small backoffs, so a round of a few hundred ms sees several retries.
  backoff: { baseMs: 20, maxMs: 200 },
  pushIntervalMs: 50,
  // Slow answers (the proxy drips them out) time out within a round, as they would after 30 s in the field.
  requestTimeoutMs: 1_500,
  heartbeatIntervalMs: 60_000,
});
const stop = new AbortController();
const running = client.run(stop.signal);

/** A valid event of one of a few types, so batches are not all alike. */
function eventFor(n: number): AppendEventInput {
  const detail = `round ${round} event ${n}`;
  switch (n % 3) {
    case 0: return { type: 'tamper', policyVersion: 'fault-1', payload: { kind: 'agent-killed', detail } };
    case 1: return { type: 'enforcement.started', policyVersion: 'fault-1', payload: { reason: 'lesson-started', lesson: { uid: `les-${round}-${n}`, start: 1_700_000_000_000 + n } } };
    default: return { type: 'enforcement.stopped', policyVersion: 'fault-1', payload: { reason: 'lesson-ended', lesson: null } };
  }
}

if (mode === 'run') {
  const deadline = Date.now() + GIVE_UP_AFTER_MS;
  let n = 0;
  while (Date.now() < deadline) {
    // A few events per tick, then a nudge, then a short random pause: the push loop runs while we write.
    const burst = 1 + Math.floor(Math.random() * 5);
    for (let i = 0; i < burst; i++) {
      const event = store.appendEvent(eventFor(n++));
      report(`E ${event.id}`);
    }
    client.nudge();
    await sleep(Math.floor(Math.random() * 15));
  }
  stop.abort();
  await running;
  store.close();
  process.exit(2);
} else {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  client.nudge();
  while (store.outboxSize() > 0 && Date.now() < deadline) await sleep(25);
  const left = store.outboxSize();
  stop.abort();
  await running;
  store.close();
  const db = new Database(join(dataDir, DEVICE_STORE_FILE), { readonly: true });
  const total = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
  db.close();
  report(`D ${total} ${left}`);
  process.exit(left === 0 ? 0 : 3);
}
