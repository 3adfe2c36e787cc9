// A child process of the scale benchmark that plays thousands of laptops
// cheaply: real HTTP and real Server-Sent Events against the real server
// processes, but no agent behind each (no store, no signature check, no
// enforcement). It notes when each grant arrives on each stream, pulls
// schedules and posts events when told, and answers over IPC.
import { randomUUID } from 'node:crypto';
import { Agent, request, type ClientRequest, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { DEVICE_PATHS } from '../../../src/core/protocol/paths.ts';

export interface Laptop {
  readonly deviceId: string;
  readonly credential: string;
  /** The server process this laptop talks to. */
  readonly url: string;
}

export type LaptopsRequest =
  | { readonly id: number; readonly kind: 'connect'; readonly laptops: readonly Laptop[] }
  | { readonly id: number; readonly kind: 'disconnect' }
  | { readonly id: number; readonly kind: 'received'; readonly grantId: string }
  | { readonly id: number; readonly kind: 'pull'; readonly laptops: readonly Laptop[]; readonly concurrency: number }
  | { readonly id: number; readonly kind: 'ingest'; readonly laptops: readonly Laptop[]; readonly eventsPerLaptop: number; readonly concurrency: number; readonly policyVersion: string }
  | { readonly id: number; readonly kind: 'memory' };

/** A request as the benchmark writes it; the id is added when it is sent. */
export type LaptopsAsk = LaptopsRequest extends infer R ? R extends unknown ? Omit<R, 'id'> : never : never;

export interface LaptopsReply {
  readonly id: number;
  readonly value: unknown;
}

/** Epoch ms with sub-millisecond precision, comparable across the benchmark's processes. */
export const wallNow = () => performance.timeOrigin + performance.now();

const streams = new Map<string, { req: ClientRequest; res?: IncomingMessage }>();
/** `${grantId} ${deviceId}` → when its grant event arrived. */
const arrivals = new Map<string, number>();

/** Why streams did not open, by status (0: no answer): shown when the benchmark cannot go on. */
const refusals = new Map<number, number>();

function openStream(laptop: Laptop): Promise<boolean> {
  return new Promise((resolve) => {
    const url = new URL(DEVICE_PATHS.stream, laptop.url);
    // Each stream on a socket of its own, as each laptop has.
    const req = request(url, { agent: false, headers: { authorization: `Bearer ${laptop.credential}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        refusals.set(res.statusCode ?? 0, (refusals.get(res.statusCode ?? 0) ?? 0) + 1);
        res.resume();
        resolve(false);
        return;
      }
      streams.set(laptop.deviceId, { req, res });
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!block.startsWith('event: grant') && !block.includes('\nevent: grant')) continue;
          const id = /^id: (.+)$/m.exec(block)?.[1];
          if (id !== undefined) arrivals.set(`${id} ${laptop.deviceId}`, wallNow());
        }
      });
      res.on('error', () => undefined);
      resolve(true);
    });
    req.on('error', () => {
      refusals.set(0, (refusals.get(0) ?? 0) + 1);
      resolve(false);
    });
    req.end();
  });
}

async function inWaves<T, R>(items: readonly T[], concurrency: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!);
    }
  }));
  return results;
}

const pool = new Agent({ keepAlive: true, maxSockets: 64 });

function call(laptop: Laptop, method: string, path: string, body?: string): Promise<{ status: number; ms: number }> {
  const started = wallNow();
  return new Promise((resolve) => {
    const req = request(new URL(path, laptop.url), {
      method, agent: pool,
      headers: { authorization: `Bearer ${laptop.credential}`, ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: wallNow() - started }));
    });
    req.on('error', () => resolve({ status: 0, ms: wallNow() - started }));
    req.end(body);
  });
}

/** A day's events of one laptop, as its outbox sends them: blocks and enforcement changes. */
function dayOfEvents(laptop: Laptop, count: number, policyVersion: string, day: number): string {
  const start = day + 8 * 3_600_000;
  const events = Array.from({ length: count }, (_, i) => {
    const at = start + i * 60_000;
    return i % 5 === 0
      ? { id: randomUUID(), seq: i + 1, type: 'enforcement.started', occurredAt: at, policyVersion, payload: { reason: 'lesson-started', lesson: null } }
      : { id: randomUUID(), seq: i + 1, type: 'app.blocked', occurredAt: at, policyVersion,
        payload: { service: 'tiktok', category: 'social', os: 'win32', rule: 'social-media-during-lessons', article: 'III.A.1', lesson: null, count: 1, lastOccurredAt: at + 1_000 } };
  });
  void laptop;
  return JSON.stringify({ events });
}

async function handle(message: LaptopsRequest): Promise<unknown> {
  switch (message.kind) {
    case 'connect': {
      const opened = await inWaves(message.laptops, 100, openStream);
      return { opened: opened.filter(Boolean).length, failed: opened.filter((ok) => !ok).length, refusals: Object.fromEntries(refusals) };
    }
    case 'disconnect':
      for (const { req, res } of streams.values()) {
        res?.destroy();
        req.destroy();
      }
      streams.clear();
      return streams.size;
    case 'received': {
      const times: Record<string, number> = {};
      for (const [key, at] of arrivals) if (key.startsWith(`${message.grantId} `)) times[key.slice(message.grantId.length + 1)] = at;
      return times;
    }
    case 'pull': {
      const started = wallNow();
      const results = await inWaves(message.laptops, message.concurrency, (laptop) => call(laptop, 'GET', DEVICE_PATHS.schedule));
      return { seconds: (wallNow() - started) / 1000, latencies: results.map((r) => r.ms), failed: results.filter((r) => r.status !== 200).length };
    }
    case 'ingest': {
      // Each laptop's day on a day of its own, so a rerun of the benchmark is new events, not duplicates.
      const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000;
      const started = wallNow();
      const results = await inWaves(message.laptops, message.concurrency, (laptop) =>
        call(laptop, 'POST', DEVICE_PATHS.events, dayOfEvents(laptop, message.eventsPerLaptop, message.policyVersion, day)));
      return { seconds: (wallNow() - started) / 1000, latencies: results.map((r) => r.ms), failed: results.filter((r) => r.status !== 200).length };
    }
    case 'memory':
      return process.memoryUsage().rss;
  }
}

/** Started by the benchmark (fork): answers over IPC. Imported for its types and clock, it does nothing. */
if (process.send !== undefined) {
  process.on('message', (message: LaptopsRequest) => {
    void handle(message).then((value) => process.send!({ id: message.id, value } satisfies LaptopsReply));
  });
  process.send({ id: 0, value: 'ready' });
}
