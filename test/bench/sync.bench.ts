import { isMainThread } from 'node:worker_threads';
import { benchBacklogDrain } from './sync/backlog.ts';
import { benchGrantLatency } from './sync/grant-latency.ts';

/**
 * The agent's sync with the school server, end to end (issue #5):
 *
 * - grant to applied: a teacher POSTs a grant for a lesson in progress; for
 *   each of 200 connected agents, the time from sending the POST until the
 *   agent has verified it, stored it in its device store and woken its
 *   decision loop (SyncClient's `wake`). 20 grants, p50/p95/max over every
 *   delivery; baseline the same with one agent. Target: under 2 s on loopback.
 * - backlog drain: a device store with 100,000 events from a week offline,
 *   pushed by SyncClient.push() until the outbox is empty; baseline the
 *   server store ingesting the same batches directly (no HTTP, no device store).
 *
 * The server (SQLite, synchronous=FULL) runs in a child process, as in
 * production a process of its own; the agents (real SyncClients, each with
 * its own device store, synchronous=FULL, real fetch and SSE) run in worker
 * threads of this process, 25 to a thread, and the teacher in its main
 * thread, so the POST and the "applied" moments are read from one clock
 * (performance.timeOrigin + now(), which the threads share). Each grant
 * waits until the server counts all its acks before the next one is sent.
 * Everything is in the OS temp folder (on tmpfs an fsync is free; set
 * TMPDIR to a real disk to see what it costs).
 *
 * Caveat, printed too: the 200 agents share this machine's cores and disk;
 * in a school each laptop has its own, so the per-device work (Ed25519
 * verify, an fsynced SQLite write, the ack) queues here and the 200-agent
 * tail overstates what a classroom sees.
 */

export { benchBacklogDrain, benchGrantLatency };

/** Run alone: node test/bench/sync.bench.ts */
if (isMainThread && import.meta.url === `file://${process.argv[1]}`) {
  await benchGrantLatency();
  console.log();
  await benchBacklogDrain();
}
