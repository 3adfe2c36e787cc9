import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDeviceStore } from '../../../src/agent/store/index.ts';
import { parseEvent } from '../../../src/core/events/parse.ts';
import { tamper, useTempDir } from './helpers.ts';
import { seededRandom } from '../../helpers/random.ts';

const temp = useTempDir();
const SCRIPT = fileURLToPath(new URL('./append-until-killed.ts', import.meta.url));

/** Kill rounds on one file: each starts from what the previous crash left behind. */
const ROUNDS = 6;
/** The kill comes this long after the child's first report, drawn at random per round. */
const KILL_AFTER_MS = { min: 5, max: 400 };


interface Reported {
  seq: number;
  id: string;
  n: number;
}

/** Runs one child, kills it with SIGKILL after `killAfterMs`, returns the complete lines it reported. */
async function appendUntilKilled(path: string, round: number, killAfterMs: number): Promise<Reported[]> {
  const child = spawn(process.execPath, [SCRIPT, path, String(round)], { stdio: ['ignore', 'pipe', 'inherit'] });
  // 'close', not 'exit': it comes after stdout is drained, so no reported line is missed.
  const exited = once(child, 'close');
  let output = '';
  let firstReport: (() => void) | undefined;
  const started = new Promise<void>((resolve) => { firstReport = resolve; });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    firstReport?.();
  });
  await Promise.race([started, exited]);
  await sleep(killAfterMs);
  child.kill('SIGKILL');
  const [code, signal] = await exited;
  expect({ code, signal }, 'the child was still appending when it was killed').toEqual({ code: null, signal: 'SIGKILL' });
  // Only whole lines count: a line cut off by the kill was never fully reported.
  const lines = output.split('\n').slice(0, -1);
  return lines.map((line) => {
    const [seq, id, n] = line.split(' ');
    return { seq: Number(seq), id: id!, n: Number(n) };
  });
}

describe('crash safety', () => {
  it(`keeps every event whose append returned, across ${ROUNDS} kill -9s at random moments`, async () => {
    const seed = Date.now();
    const random = seededRandom(seed);
    const path = join(temp.dir(), 'device.db');
    openDeviceStore({ path }).close();
    let lastSeq = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const killAfterMs = Math.round(KILL_AFTER_MS.min + random() * (KILL_AFTER_MS.max - KILL_AFTER_MS.min));
      const context = `seed ${seed}, round ${round}, killed after ${killAfterMs} ms`;
      const reported = await appendUntilKilled(path, round, killAfterMs);
      expect(reported.length, context).toBeGreaterThan(0);

      // Check the file as the next agent start finds it, before anything writes to it.
      const db = new Database(path, { readonly: true });
      const rows = db.prepare('SELECT seq, id, type, occurred_at, policy_version, payload FROM events WHERE seq > ? ORDER BY seq').all(lastSeq) as
        { seq: number; id: string; type: string; occurred_at: number; policy_version: string; payload: string }[];
      expect(db.pragma('integrity_check', { simple: true }), context).toBe('ok');
      db.close();

      const bySeq = new Map(rows.map((row) => [row.seq, row]));
      for (const { seq, id, n } of reported) {
        const row = bySeq.get(seq);
        expect(row, `${context}: reported seq ${seq} is missing`).toBeDefined();
        const event = { id: row!.id, seq: row!.seq, type: row!.type, occurredAt: row!.occurred_at, policyVersion: row!.policy_version, payload: JSON.parse(row!.payload) };
        expect(parseEvent(event).ok, context).toBe(true);
        expect(event, context).toMatchObject({ id, payload: { kind: 'agent-killed', detail: `round ${round} event ${n}` } });
      }
      // Seqs run on without gaps from the previous round, and at most the one
      // event whose report the kill cut off is stored without having been reported.
      expect(rows.map((r) => r.seq), context).toEqual(rows.map((_, i) => lastSeq + i + 1));
      expect(rows.length - reported.length, context).toBeGreaterThanOrEqual(0);
      expect(rows.length - reported.length, context).toBeLessThanOrEqual(1);
      lastSeq = rows.at(-1)!.seq;
    }

    // The store opens (quick_check passes) and appending carries on after the highest seq.
    const store = temp.track(openDeviceStore({ path }));
    expect(store.appendEvent(tamper('after the crashes')).seq).toBe(lastSeq + 1);
    expect(store.outboxSize()).toBe(lastSeq + 1);
  });
});
