import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PostgresServerStore, SqliteServerStore } from '../../src/server/store/index.ts';
import type { SqlServerStore } from '../../src/server/store/sql-server-store.ts';
import { dropSchema } from '../helpers/postgres-schema.ts';

export interface Timing {
  /** Median wall time of one run, ms. */
  readonly medianMs: number;
  readonly minMs: number;
  readonly runs: number;
}

/**
 * Runs `fn` a few times after a warm-up and reports the median (the minimum is
 * printed too: on a shared 2-core machine the median is the honest figure).
 */
export function time(fn: () => unknown, runs = 7, warmup = 2): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[Math.floor(samples.length / 2)]!, minMs: samples[0]!, runs };
}

/** Operations per second of `op`, measured over batches of `batch` calls. */
export function rate(op: (i: number) => unknown, batch = 100_000, runs = 7): { perSecond: number; timing: Timing } {
  const timing = time(() => {
    for (let i = 0; i < batch; i++) op(i);
  }, runs);
  return { perSecond: (batch / timing.medianMs) * 1000, timing };
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function verdict(ok: boolean): string {
  return ok ? 'meets target' : 'MISSES TARGET';
}

/** The PostgreSQL to measure on, or undefined after saying how to get one (the server benches' second store). */
export function benchPostgresUrl(): string | undefined {
  const url = process.env.LESMODUS_TEST_DATABASE_URL;
  if (url === undefined) console.log('  PostgreSQL: skipped (set LESMODUS_TEST_DATABASE_URL; test/server/pg/start-test-postgres.sh prints one)');
  return url;
}

/**
 * Runs `use` on a fresh SQLite server store in a temporary folder, then on a
 * fresh PostgreSQL schema when one is set (benchPostgresUrl); each is removed
 * afterwards. `label` names the store for the figures.
 */
export async function onEachServerStore(name: string, use: (store: SqlServerStore, label: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `lesmodus-bench-${name}-`));
  try {
    const store = await SqliteServerStore.open({ path: join(dir, 'server.db') });
    try {
      await use(store, `SQLite (${tmpdir()})`);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = benchPostgresUrl();
  if (url === undefined) return;
  const schema = `lesmodus_bench_${name.replace(/\W/g, '_')}_${process.pid}`;
  try {
    const store = await PostgresServerStore.open({ url, schema });
    try {
      await use(store, 'PostgreSQL');
    } finally {
      await store.close();
    }
  } finally {
    await dropSchema(url, schema);
  }
}
