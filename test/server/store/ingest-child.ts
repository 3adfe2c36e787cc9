/**
 * Test helper, run as its own process: opens the SQLite server store and
 * pushes events first…first+count-1 of a 3,000-event log (wrapping around),
 * in overlapping batches of 300, for device d1. Two of these at once are two
 * connections racing on the same rows.
 *   node ingest-child.ts <store path> <first> <count>
 */
import { SqliteServerStore } from '../../../src/server/store/index.ts';
import { tamperBatch } from './fixtures.ts';

const LOG_LENGTH = 3_000;
const BATCH = 300;
const STEP = 200;

const [path, first, count] = process.argv.slice(2);
if (path === undefined || first === undefined || count === undefined) throw new Error('usage: ingest-child.ts <store path> <first> <count>');

const log = tamperBatch(1, LOG_LENGTH);
const start = Number(first) - 1;
const order = Array.from({ length: Number(count) }, (_, i) => log[(start + i) % LOG_LENGTH]!);
const store = await SqliteServerStore.open({ path });
for (let offset = 0; offset < order.length; offset += STEP) {
  // A batch must be in seq order, as an agent's outbox is; the wrap-around splits one batch in two.
  const window = order.slice(offset, offset + BATCH);
  const wrap = window.findIndex((e, i) => i > 0 && e.seq < window[i - 1]!.seq);
  for (const batch of wrap === -1 ? [window] : [window.slice(0, wrap), window.slice(wrap)]) await store.ingestEvents('d1', batch, Date.now());
}
await store.close();
