import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDeviceStore, MAX_OUTBOX_BATCH, type AppendEventInput, type DeviceStore } from '../../../src/agent/store/index.ts';
import { SyncClient } from '../../../src/agent/sync/sync-client.ts';
import type { DeviceEvent } from '../../../src/core/events/schema.ts';
import { SqliteServerStore } from '../../../src/server/store/index.ts';
import { seededRandom } from '../../helpers/random.ts';
import { fmt } from '../measure.ts';
import { startServer } from './server.ts';
import { agentConfig, agentLog, BACKLOG_DAYS, BACKLOG_EVENTS, DAY, HOUR, MINUTE, POLICY_VERSION, printProblems, SCHOOL_ID } from './shared.ts';

const SERVICES = ['tiktok', 'instagram', 'snapchat', 'youtube', 'whatsapp'] as const;
const TAMPER = [['clock-jump', 'clock moved back 3 h 12 min'], ['agent-killed', 'the agent was stopped without a shutdown'],
  ['hosts-file-changed', 'hosts file changed outside the agent'], ['proxy-changed', 'system proxy set by another program']] as const;

/**
 * A week of what an agent writes while the server is unreachable, in time
 * order: blocks (coalesced, with counts), enforcement starting and stopping
 * with lessons, exceptions applied, expired and revoked, and some tamper.
 */
function weekOfEvents(count: number, weekStart: number): AppendEventInput[] {
  const random = seededRandom(7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const step = (BACKLOG_DAYS * DAY) / count;
  const events: AppendEventInput[] = [];
  for (let i = 0; i < count; i++) {
    const occurredAt = Math.floor(weekStart + i * step + random() * step * 0.9);
    const hourStart = Math.floor(occurredAt / HOUR) * HOUR;
    const lesson = random() < 0.9 ? { uid: `les-${Math.floor(occurredAt / DAY)}-${new Date(hourStart).getUTCHours()}@zermelo`, start: hourStart } : null;
    const grant = { grantId: `00000000-0000-4000-8000-${String(Math.floor(i / 500)).padStart(12, '0')}`, articles: ['III.A.1'],
      allowed: { categories: ['social' as const], services: [], capture: [] }, lesson };
    const block = { lesson, count: 1 + Math.floor(random() * random() * 60), lastOccurredAt: occurredAt + Math.floor(random() * 5 * MINUTE) };
    const r = random();
    const base = { occurredAt, policyVersion: POLICY_VERSION };
    if (r < 0.36) {
      events.push({ ...base, type: 'app.blocked', payload: { service: pick(SERVICES), category: 'social', os: 'win32', rule: 'social-media-during-lessons', article: 'III.A.1', ...block } });
    } else if (r < 0.66) {
      events.push({ ...base, type: 'site.blocked', payload: { service: pick(SERVICES), category: 'social', rule: 'social-media-during-lessons', article: 'III.A.1', ...block } });
    } else if (r < 0.73) {
      events.push({ ...base, type: 'capture.blocked', payload: { capture: pick(['camera', 'microphone', 'screen'] as const), rule: 'no-recordings-at-school', article: 'III.A.2', ...block } });
    } else if (r < 0.81) {
      events.push({ ...base, type: 'enforcement.started', payload: { reason: pick(['lesson-started', 'agent-started', 'exception-ended']), lesson } });
    } else if (r < 0.89) {
      events.push({ ...base, type: 'enforcement.stopped', payload: { reason: pick(['lesson-ended', 'exception-applied', 'agent-stopping']), lesson } });
    } else if (r < 0.93) {
      events.push({ ...base, type: 'exception.applied', payload: { ...grant, until: occurredAt + 50 * MINUTE } });
    } else if (r < 0.965) {
      events.push({ ...base, type: 'exception.expired', payload: grant });
    } else if (r < 0.97) {
      events.push({ ...base, type: 'exception.revoked', payload: grant });
    } else {
      const [kind, detail] = pick(TAMPER);
      events.push({ ...base, type: 'tamper', payload: { kind, detail } });
    }
  }
  return events;
}

const fileSize = (path: string) => (existsSync(path) ? statSync(path).size : 0);

export async function benchBacklogDrain(): Promise<void> {
  console.log(`sync: draining a ${fmt(BACKLOG_EVENTS)}-event backlog after ${BACKLOG_DAYS} days offline with SyncClient.push() (batches of ${MAX_OUTBOX_BATCH})`);
  const dir = mkdtempSync(join(tmpdir(), 'lesmodus-bench-backlog-'));
  const server = await startServer({ dir, students: 1 });
  let serverProblems: readonly string[] = [];
  const log = agentLog();
  try {
    const dataDir = join(dir, 'agent');
    mkdirSync(dataDir);
    const path = join(dataDir, 'device.db');
    const weekEnd = Date.now();
    const weekStart = weekEnd - BACKLOG_DAYS * DAY;
    // Written quickly (synchronous=NORMAL, no check): what is measured is the drain, not a week of appends.
    const filling = openDeviceStore({ path, now: () => weekEnd }, { synchronous: 'NORMAL', checkOnOpen: false });
    for (const event of weekOfEvents(BACKLOG_EVENTS, weekStart)) filling.appendEvent(event);
    filling.close();
    const storeBytes = fileSize(path) + fileSize(`${path}-wal`);

    // Opened as the agent opens it after the week: synchronous=FULL, quick_check.
    const openStarted = performance.now();
    const raw = openDeviceStore({ path });
    const openMs = performance.now() - openStarted;
    if (raw.outboxSize() !== BACKLOG_EVENTS) throw new Error(`the outbox holds ${raw.outboxSize()} events, expected ${fmt(BACKLOG_EVENTS)}`);
    const batches: DeviceEvent[][] = [];
    for (let afterSeq = 0; ;) {
      const batch = raw.outboxBatch(MAX_OUTBOX_BATCH, afterSeq);
      if (batch.length === 0) break;
      batches.push(batch);
      afterSeq = batch[batch.length - 1]!.seq;
    }

    // The same store, timing its share of the drain.
    let storeMs = 0;
    const timed = <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A): R => {
      const started = performance.now();
      try {
        return fn(...args);
      } finally {
        storeMs += performance.now() - started;
      }
    };
    const store: DeviceStore = { ...raw, outboxBatch: timed(raw.outboxBatch), markSynced: timed(raw.markSynced) };
    const client = new SyncClient({
      config: agentConfig(server.ready), dataDir, store, now: Date.now, log, policyVersion: POLICY_VERSION, wake: () => {},
      facts: async () => ({ hostname: 'laptop-0', serial: null, os: 'win32', agentVersion: '0.1.0', loginName: 'leerling0' }),
    });
    const { deviceId } = await client.enroll();

    // Baseline: the server store ingesting the same batches directly, in this process; once before the drain and once after
    // (the disk is busier after it), the faster counts.
    const direct = async (name: string) => {
      const baseline = await SqliteServerStore.open({ path: join(dir, `${name}.db`) });
      try {
        await baseline.putSchool({ id: SCHOOL_ID, name: 'Bench College', timeZone: 'Europe/Amsterdam' }, weekEnd);
        await baseline.enrollDevice({ id: deviceId, credentialHash: 'x', schoolId: SCHOOL_ID, hostname: 'laptop-0', serial: null, os: 'win32',
          agentVersion: '0.1.0', loginName: null }, weekEnd);
        const started = performance.now();
        let accepted = 0;
        for (const batch of batches) accepted += (await baseline.ingestEvents(deviceId, batch, Date.now())).accepted;
        if (accepted !== BACKLOG_EVENTS) throw new Error(`the baseline stored ${accepted} events, expected ${fmt(BACKLOG_EVENTS)}`);
        return (performance.now() - started) / 1000;
      } finally {
        await baseline.close();
      }
    };
    const directBefore = await direct('baseline-before');

    const drainStarted = performance.now();
    const result = await client.push();
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    const left = raw.outboxSize();
    raw.close();
    const held = await server.ask('event-count', deviceId);
    if (result.synced !== BACKLOG_EVENTS || result.rejected !== 0 || left !== 0 || held !== BACKLOG_EVENTS) {
      throw new Error(`the drain synced ${result.synced}, rejected ${result.rejected}, left ${left} in the outbox; the server holds ${held}`);
    }
    const directAfter = await direct('baseline-after');
    const directSeconds = Math.min(directBefore, directAfter);

    const rate = BACKLOG_EVENTS / drainSeconds;
    const directRate = BACKLOG_EVENTS / directSeconds;
    console.log(`  drain:    ${fmt(drainSeconds, 1)} s = ${fmt(rate)} events/s over ${fmt(batches.length)} requests; the server then held exactly ${fmt(held)} for the device, outbox empty`);
    console.log(`            of which the device store (outboxBatch + markSynced, synchronous=FULL): ${fmt(storeMs / 1000, 1)} s`);
    console.log(`  baseline: the server store ingesting the same batches directly (no HTTP, no device store): ${fmt(directSeconds, 1)} s = ${fmt(directRate)} events/s `
      + `(${fmt(directBefore, 1)} s before the drain, ${fmt(directAfter, 1)} s after); `
      + `HTTP + device store cost ${fmt(drainSeconds / directSeconds, 1)}×`);
    console.log(`  device store: ${fmt(storeBytes / 1e6, 1)} MB for ${fmt(BACKLOG_EVENTS)} events (${fmt(storeBytes / BACKLOG_EVENTS)} bytes each); opened with quick_check in ${fmt(openMs)} ms`);
  } finally {
    serverProblems = await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  printProblems('the server', serverProblems);
  printProblems('the agent', log.problems);
}
