import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalogIndex } from '../../../src/adapters/resources.ts';
import { AgentConfigSchema } from '../../../src/core/config/agent-config.ts';
import { Agent } from '../../../src/agent/runtime/agent.ts';
import { TrustedClock } from '../../../src/agent/runtime/trusted-clock.ts';
import { openDeviceStore } from '../../../src/agent/store/index.ts';
import { SyncClient } from '../../../src/agent/sync/sync-client.ts';
import { useApi } from '../../server/api/harness.ts';
import { MINUTE, NOW } from '../../server/api/school.ts';
import { sqliteTarget } from '../../server/api/targets.ts';
import { svokPolicy } from '../../helpers/policy.ts';

const api = useApi(sqliteTarget());
const DAY = 24 * 60 * MINUTE;
const silent = { info: () => {}, warn: () => {}, error: () => {} };

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

describe('a school server whose clock is set ahead (real HTTP)', () => {
  it("does not end the lesson on the laptop: its trusted clock and its cached schedule stay, and it says the server's clock is wrong", async () => {
    const server = await api.start();
    const dir = mkdtempSync(join(tmpdir(), 'lesmodus-server-clock-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // The laptop's own clocks: the wall clock (right) and the OS counter.
    const laptop = { wall: NOW, counter: 7 * DAY };
    const store = openDeviceStore({ path: join(dir, 'device.db'), now: () => clock.now() });
    cleanups.push(() => store.close());
    const clock: TrustedClock = new TrustedClock({
      sources: { wall: () => laptop.wall, counter: () => laptop.counter, countsSuspend: true }, verifiable: true, info: () => {},
      scheduleEnd: () => store.scheduleMeta()?.validUntil ?? null,
      onTamper: ({ kind, detail }) => store.appendEvent({ type: 'tamper', policyVersion: svokPolicy.version, payload: { kind, detail } }),
    });
    const config = AgentConfigSchema.parse({ server: { url: server.url, enrollmentSecret: server.enrollmentSecret, publicKey: server.signer.publicKeyPem } }).server!;
    const client = new SyncClient({
      config, dataDir: dir, store, now: clock.now, log: silent, policyVersion: svokPolicy.version, wake: () => {},
      facts: async () => ({ hostname: 'laptop-sanne', serial: null, os: 'linux', agentVersion: '0.1.0', loginName: 'sanne' }),
      onServerTime: (serverTime, roundTripMs) => clock.observeServer(serverTime, roundTripMs),
    });
    const agent = new Agent({
      store, policy: svokPolicy, catalog: loadCatalogIndex(), now: clock.now, onSchoolNetwork: async () => false,
      enforcers: [], log: silent, statusFile: join(dir, 'status.json'), dryRun: false,
    });
    await client.enroll();
    await client.pull();
    expect((await agent.evaluate()).blocked.categories).toEqual(['social']); // Jansen's lesson, 08:30-09:20

    // Someone sets the server's clock more than a year ahead (far enough that its retention would prune everything).
    server.now = NOW + 400 * DAY;
    laptop.wall += MINUTE;
    laptop.counter += MINUTE;
    await client.pull();
    await client.heartbeat();
    // Its own count (the first server answer, plus the minute that passed; half a round trip is all the server added).
    expect(Math.abs(clock.now() - (NOW + MINUTE))).toBeLessThan(5_000);
    expect((await agent.evaluate()).blocked.categories).toEqual(['social']);
    expect(store.lessonsBetween(NOW, NOW + 1)).toHaveLength(1);
    const tamper = store.outboxBatch(500).filter((e) => e.type === 'tamper').map((e) => e.payload);
    expect(tamper).toEqual([
      { kind: 'server-clock', detail: expect.stringMatching(/^the school server's time is (400 d|399 d 23 h 59 min) ahead of this laptop's/) },
      { kind: 'server-clock', detail: expect.stringMatching(/^the school server's schedule starts 399 d \d+ h \d+ min after this laptop's time .*kept the cached schedule/) },
    ]);

    // The server's clock is put right: the laptop follows it again, and the schedule comes in.
    server.now = NOW + 2 * MINUTE;
    laptop.wall += MINUTE;
    laptop.counter += MINUTE;
    await client.pull();
    expect(clock.now()).toBeGreaterThanOrEqual(NOW + 2 * MINUTE);
    expect(store.scheduleMeta()?.fetchedAt).toBe(NOW + 2 * MINUTE);
  });
});
