import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Agent, TAMPER_REPEAT_MS, type Notice } from '../../../src/agent/runtime/agent.ts';
import type { Enforcer } from '../../../src/agent/runtime/enforcer.ts';
import { lineLogger } from '../../../src/agent/runtime/logger.ts';
import { openDeviceStore, type DeviceStore } from '../../../src/agent/store/index.ts';
import { loadCatalogIndex } from '../../../src/adapters/resources.ts';
import type { Decision } from '../../../src/core/policy/decide.ts';
import { ams, lesson, svokPolicy } from '../../helpers/policy.ts';

const catalog = loadCatalogIndex();
const ne = lesson({ uid: 'ne-1', subject: 'ne', teachers: ['JNS'], start: ams('2026-11-23 08:30'), end: ams('2026-11-23 09:20') });

/** Records what the agent hands it: the real enforcers are tested on their own. */
class RecordingEnforcer implements Enforcer {
  readonly name = 'recording';
  readonly decisions: Decision[] = [];
  stopped = false;
  async apply(decision: Decision) {
    this.decisions.push(decision);
  }
  async stop() {
    this.stopped = true;
  }
  describe() {
    return `${this.decisions.length} decisions`;
  }
}

let dir: string;
let store: DeviceStore;
let clock: number;
let enforcer: RecordingEnforcer;
let logLines: string[];

function makeAgent(options: { onSchoolNetwork?: boolean; now?: () => number } = {}) {
  return new Agent({
    store, policy: svokPolicy, catalog,
    now: options.now ?? (() => clock),
    onSchoolNetwork: async () => options.onSchoolNetwork ?? false,
    enforcers: [enforcer],
    log: lineLogger((line) => logLines.push(line), () => clock),
    statusFile: join(dir, 'status.json'),
    dryRun: false,
  });
}

/** Jansen's social-media exception for the ne lesson, issued now (or at `issuedAt`), stored as the sync would store it; revoked at `revokedAt`, when given. */
function putJansenGrant(options: { issuedAt?: number; revokedAt?: number } = {}): void {
  const grant = {
    id: 'g-1', issuedBy: { username: 'jjansen', role: 'teacher', teacherCode: 'JNS' }, reason: 'Instagram als bron',
    scope: { kind: 'lesson', lessonUid: 'ne-1', lessonStart: ne.start }, allow: { categories: ['social'] },
    issuedAt: options.issuedAt ?? clock, expiresAt: ne.end,
  };
  store.putGrant(JSON.stringify(grant), { id: 'g-1', issuedAt: grant.issuedAt, expiresAt: grant.expiresAt }, options.revokedAt);
}

const eventTypes = () => store.outboxBatch(100).map((e) => `${e.type}${'reason' in e.payload ? `:${e.payload.reason}` : ''}`);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lesmodus-agent-'));
  clock = ams('2026-11-23 08:00');
  store = openDeviceStore({ path: join(dir, 'device.db'), now: () => clock });
  store.replaceSchedule([ne], { source: 'test', fetchedAt: clock, validUntil: clock + 86_400_000, signature: null, keyId: null });
  enforcer = new RecordingEnforcer();
  logLines = [];
});

afterEach(() => store.close());

describe('the agent', () => {
  it('enforces nothing before the lesson and logs no event', async () => {
    const decision = await makeAgent().evaluate();
    expect(decision.blocked.categories).toEqual([]);
    expect(enforcer.decisions).toHaveLength(1);
    expect(eventTypes()).toEqual([]);
  });

  it('logs when enforcement starts and ends with the lesson', async () => {
    const agent = makeAgent();
    await agent.evaluate();
    clock = ams('2026-11-23 08:30');
    expect((await agent.evaluate()).blocked.categories).toEqual(['social']);
    clock = ams('2026-11-23 09:20');
    await agent.evaluate();
    expect(eventTypes()).toEqual(['enforcement.started:lesson-started', 'enforcement.stopped:lesson-ended']);
    expect(enforcer.decisions.map((d) => d.blocked.categories.length)).toEqual([0, 1, 0]);
  });

  it('tells the student once per app, counts every block, and writes the status', async () => {
    const agent = makeAgent();
    const notices: Notice[] = [];
    agent.onNotice((n) => notices.push(n));
    clock = ams('2026-11-23 08:45');
    await agent.evaluate();
    for (let i = 0; i < 5; i++) agent.reportBlock({ kind: 'app', service: 'discord', category: 'social', os: 'linux', dryRun: false });
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message.nl).toBe('Discord is geblokkeerd tijdens de les ne, tot 09:20 (art. III.A.1 Gedragscode Social Media SVOK). Heb je het nodig voor de les? Vraag je docent om een uitzondering.');
    expect(store.pendingBlockCount()).toBeGreaterThan(0);
    store.flushBlocks({ all: true });
    const blocked = store.outboxBatch(100).find((e) => e.type === 'app.blocked');
    expect(blocked?.payload).toMatchObject({ service: 'discord', count: 5, article: 'III.A.1', rule: 'social-media-during-lessons', lesson: { uid: 'ne-1', start: ne.start } });
    const status = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'));
    expect(status.lastNotice.nl).toContain('Discord is geblokkeerd');
    expect(status.decision.blocked.categories).toEqual(['social']);
  });

  it('logs a dry-run block without storing it', async () => {
    const agent = makeAgent();
    clock = ams('2026-11-23 08:45');
    await agent.evaluate();
    agent.reportBlock({ kind: 'app', service: 'discord', category: 'social', os: 'linux', dryRun: true });
    expect(store.pendingBlockCount()).toBe(0);
    expect(logLines.some((l) => l.includes('would block app Discord'))).toBe(true);
  });

  it('logs the exception lifecycle: applied, then revoked', async () => {
    const agent = makeAgent();
    clock = ams('2026-11-23 08:40');
    await agent.evaluate();
    const issuedAt = clock;
    putJansenGrant();
    clock += 60_000;
    expect((await agent.evaluate()).blocked.categories).toEqual([]);
    // The revocation arrives as the same signed grant with revokedAt (the sync stores it so).
    putJansenGrant({ issuedAt, revokedAt: clock + 60_000 });
    clock += 120_000;
    expect((await agent.evaluate()).blocked.categories).toEqual(['social']);
    expect(eventTypes()).toEqual([
      'enforcement.started:agent-started',
      'exception.applied',
      'enforcement.stopped:exception-applied',
      'exception.revoked',
      'enforcement.started:exception-ended',
    ]);
    const applied = store.outboxBatch(100).find((e) => e.type === 'exception.applied');
    expect(applied?.payload).toMatchObject({ grantId: 'g-1', articles: ['III.A.1'], allowed: { categories: ['social'] }, until: ne.end });
  });

  it('logs each exception once per laptop across restarts (a kill -9 or a reboot), and its expiry once, even while it was off', async () => {
    clock = ams('2026-11-23 08:40');
    putJansenGrant();
    await makeAgent().evaluate();
    // Killed and started again, three times, during the lesson: the store is all that survives.
    for (let restart = 0; restart < 3; restart++) {
      clock += 60_000;
      expect((await makeAgent().evaluate()).blocked.categories).toEqual([]);
    }
    // Off when the lesson ended; started after it.
    clock = ams('2026-11-23 09:30');
    await makeAgent().evaluate();
    await makeAgent().evaluate();
    expect(eventTypes().filter((t) => t.startsWith('exception.'))).toEqual(['exception.applied', 'exception.expired']);
  });

  it('keeps social media blocked for a student without consent this school year (III.B.9), and tells them why', async () => {
    store.replaceSchedule([ne], { source: 'server', fetchedAt: clock, validUntil: clock + 86_400_000, signature: 'sig', keyId: 'k', consents: [] });
    const agent = makeAgent();
    const notices: Notice[] = [];
    agent.onNotice((n) => notices.push(n));
    clock = ams('2026-11-23 08:40');
    putJansenGrant();
    const decision = await agent.evaluate();
    expect(decision.blocked.categories).toEqual(['social']);
    expect(decision.ignoredGrants).toEqual([{ grant: 'g-1', why: 'no-consent', article: 'III.B.9' }]);
    agent.reportBlock({ kind: 'app', service: 'discord', category: 'social', os: 'linux', dryRun: false });
    expect(notices[0]!.message.nl).toMatch(/geen toestemming van jou of je ouders geregistreerd \(art\. III\.B\.9/);
    expect(eventTypes()).not.toContain('exception.applied');
    // Consent registered (the next signed schedule carries it): the same exception now applies.
    store.replaceSchedule([ne], { source: 'server', fetchedAt: clock, validUntil: clock + 86_400_000, signature: 'sig', keyId: 'k', consents: [{ register: 'social-media', from: clock - 1, to: clock + 86_400_000 }] });
    expect((await agent.evaluate()).blocked.categories).toEqual([]);
    expect(eventTypes()).toContain('exception.applied');
  });

  it('logs a tamper the guard saw once per kind per five minutes, counting the repeats into the next event', async () => {
    const agent = makeAgent();
    const tampers = () => store.outboxBatch(100).filter((e) => e.type === 'tamper').map((e) => e.payload);
    agent.reportTamper('mount-namespace', 'a process of the student ran in a mount namespace of its own');
    for (let i = 0; i < 3; i++) agent.reportTamper('mount-namespace', 'a process of the student ran in a mount namespace of its own');
    agent.reportTamper('unidentified-program', 'python3 ran a program from its standard input');
    expect(tampers()).toEqual([
      { kind: 'mount-namespace', detail: 'a process of the student ran in a mount namespace of its own' },
      { kind: 'unidentified-program', detail: 'python3 ran a program from its standard input' },
    ]);
    clock += TAMPER_REPEAT_MS;
    agent.reportTamper('mount-namespace', 'a process of the student ran in a mount namespace of its own');
    expect(tampers()[2]).toEqual({ kind: 'mount-namespace', detail: 'a process of the student ran in a mount namespace of its own (3 more since the last report)' });
  });

  it('wakes at the next change instead of polling, and stops cleanly', async () => {
    const start = Date.now() + 400;
    store.replaceSchedule([lesson({ uid: 'soon', start, end: start + 3_600_000 })], { source: 'test', fetchedAt: Date.now(), validUntil: start + 86_400_000, signature: null, keyId: null });
    clock = Date.now();
    const agent = makeAgent({ now: Date.now });
    const stop = new AbortController();
    const running = agent.run(stop.signal);
    await expect.poll(() => enforcer.decisions.at(-1)?.blocked.categories, { timeout: 10_000 }).toEqual(['social']);
    // One decision before the lesson, one at its start: no polling in between.
    expect(enforcer.decisions).toHaveLength(2);
    stop.abort();
    await running;
    expect(enforcer.stopped).toBe(true);
    expect(eventTypes().at(-1)).toBe('enforcement.stopped:agent-stopping');
  });
});

describe('notices across lessons', () => {
  it('tells the student again in the next lesson, even when lessons follow each other', async () => {
    const wis = lesson({ uid: 'wis-1', subject: 'wis', start: ne.end, end: ams('2026-11-23 10:10') });
    store.replaceSchedule([ne, wis], { source: 'test', fetchedAt: clock, validUntil: clock + 86_400_000, signature: null, keyId: null });
    const agent = makeAgent();
    const notices: Notice[] = [];
    agent.onNotice((n) => notices.push(n));
    clock = ams('2026-11-23 09:00');
    await agent.evaluate();
    agent.reportBlock({ kind: 'app', service: 'tiktok', category: 'social', os: 'win32', dryRun: false });
    clock = ams('2026-11-23 09:30');
    await agent.evaluate();
    agent.reportBlock({ kind: 'app', service: 'tiktok', category: 'social', os: 'win32', dryRun: false });
    expect(notices.map((n) => n.message.nl.slice(0, 48))).toEqual([
      'TikTok is geblokkeerd tijdens de les ne, tot 09:',
      'TikTok is geblokkeerd tijdens de les wis, tot 10',
    ]);
  });
});
