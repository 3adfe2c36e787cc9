import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentStatus, SubscribeLine } from '../../src/agent/control/protocol.ts';
import { startControlSocket } from '../../src/agent/control/server.ts';
import { connectAgentLink, type AgentLink } from '../../src/desktop/agent-link.ts';
import type { Notice, TrayStatus } from '../../src/desktop/link-messages.ts';
import { FREE, lessonStatus } from './status-fixture.ts';
import { startSubscribeServer as startAgent, type SubscribeServer as FakeAgent } from './subscribe-server.ts';

/** Records what the link reports, and lets a test wait for a condition on it. */
function recorder() {
  const statuses: (TrayStatus | null)[] = [];
  const notices: Notice[] = [];
  const bad: string[] = [];
  const waiters: (() => void)[] = [];
  const changed = () => waiters.splice(0).forEach((w) => w());
  return {
    statuses, notices, bad,
    handlers: {
      onStatus: (s: TrayStatus | null) => { statuses.push(s); changed(); },
      onNotice: (n: Notice) => { notices.push(n); changed(); },
      onBadLine: (p: string) => { bad.push(p); changed(); },
    },
    async until(condition: () => boolean): Promise<void> {
      while (!condition()) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

let dir = '';
let link: AgentLink | undefined;
let agent: FakeAgent | undefined;
afterEach(async () => {
  link?.close();
  await agent?.stop();
  link = undefined; agent = undefined;
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('the agent link', () => {
  it('subscribes and reports the status at once, then changes and notices as they come', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lesmodus-link-'));
    const path = join(dir, 'agent.sock');
    agent = await startAgent(path, lessonStatus());
    const seen = recorder();
    link = connectAgentLink(path, seen.handlers);
    await seen.until(() => seen.statuses.length === 1);
    expect(agent.requests).toEqual([{ type: 'subscribe' }]);
    expect(seen.statuses[0]?.decision.lesson?.subject).toBe('Engels');

    agent.send({ type: 'notice', notice: { at: '2026-11-23T08:10:00.000Z', nl: 'Instagram is geblokkeerd (art. III.A.1).', en: 'Instagram is blocked (art. III.A.1).' } });
    agent.send({ type: 'status', status: lessonStatus(FREE) });
    await seen.until(() => seen.statuses.length === 2);
    expect(seen.notices.map((n) => n.nl)).toEqual(['Instagram is geblokkeerd (art. III.A.1).']);
    expect(seen.statuses[1]?.decision.blocked.categories).toEqual([]);
  });

  it('reports the agent unreachable when it is not running, and connects by itself once it starts', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lesmodus-link-'));
    const path = join(dir, 'agent.sock');
    const seen = recorder();
    link = connectAgentLink(path, seen.handlers);
    await seen.until(() => seen.statuses.length === 1);
    expect(seen.statuses).toEqual([null]);
    agent = await startAgent(path, lessonStatus());
    await seen.until(() => seen.statuses.length === 2);
    expect(seen.statuses[1]?.decision.inLesson).toBe(true);
  });

  it('says unreachable when the agent goes away, and reconnects when it is back (a restart after an update)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lesmodus-link-'));
    const path = join(dir, 'agent.sock');
    agent = await startAgent(path, lessonStatus());
    const seen = recorder();
    link = connectAgentLink(path, seen.handlers);
    await seen.until(() => seen.statuses.length === 1);
    await agent.stop();
    await seen.until(() => seen.statuses.length === 2);
    expect(seen.statuses[1]).toBeNull();
    rmSync(path, { force: true });
    agent = await startAgent(path, lessonStatus(FREE));
    await seen.until(() => seen.statuses.length === 3);
    expect(seen.statuses[2]?.decision.inLesson).toBe(false);
  });

  it('skips lines that are not the agent\'s (not JSON, wrong shape) and keeps listening', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lesmodus-link-'));
    const path = join(dir, 'agent.sock');
    agent = await startAgent(path, lessonStatus());
    const seen = recorder();
    link = connectAgentLink(path, seen.handlers);
    await seen.until(() => seen.statuses.length === 1);
    agent.send('{not json\n');
    agent.send({ type: 'status', status: { dryRun: 'yes' } });
    agent.send({ type: 'notice', notice: { at: 'x', nl: 'Na de rommel.', en: 'After the junk.' } });
    await seen.until(() => seen.notices.length === 1);
    expect(seen.bad).toHaveLength(2);
    expect(seen.bad[1]).toContain('status.dryRun');
    expect(seen.statuses).toHaveLength(1);
  });

  it('hangs up on a line far too long to be a status, and reconnects', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lesmodus-link-'));
    const path = join(dir, 'agent.sock');
    agent = await startAgent(path, lessonStatus());
    const seen = recorder();
    link = connectAgentLink(path, seen.handlers);
    await seen.until(() => seen.statuses.length === 1);
    agent.send('x'.repeat(300 * 1024));
    await seen.until(() => seen.bad.length === 1 && seen.statuses.length >= 3);
    expect(seen.statuses[1]).toBeNull();
    expect(agent.requests).toHaveLength(2);
  });

  it('against the agent\'s real control socket: the status at once, then changes and notices, and unreachable when it stops', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lesmodus-link-'));
    const path = join(dir, 'agent.sock');
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const asAgent = (tray: TrayStatus): AgentStatus => ({
      pid: process.pid, startedAt: '2026-11-23T07:00:00.000Z', updatedAt: '2026-11-23T08:10:00.000Z',
      enforcers: [{ name: 'processes', state: 'watching' }], lastNotice: null, sync: null, ...tray,
    } as unknown as AgentStatus); // the fixture holds the fields the tray reads
    let current = asAgent(lessonStatus());
    const sends = new Set<(line: SubscribeLine) => void>();
    const control = await startControlSocket(path, {
      sync: null, timeZone: 'Europe/Amsterdam', log: quiet, status: () => current,
      subscribe: (send) => { sends.add(send); return () => sends.delete(send); },
    });
    let stopped = false;
    try {
      const seen = recorder();
      link = connectAgentLink(path, seen.handlers);
      await seen.until(() => seen.statuses.length === 1);
      expect(seen.statuses[0]?.decision.lesson?.subject).toBe('Engels');
      await seen.until(() => sends.size === 1);
      current = asAgent(lessonStatus(FREE));
      for (const send of sends) {
        send({ type: 'notice', notice: { at: '2026-11-23T08:12:00.000Z', nl: 'OBS is geblokkeerd (art. III.A.2).', en: 'OBS is blocked (art. III.A.2).' } });
        send({ type: 'status', status: current });
      }
      await seen.until(() => seen.statuses.length === 2);
      expect(seen.notices.map((n) => n.nl)).toEqual(['OBS is geblokkeerd (art. III.A.2).']);
      expect(seen.statuses[1]?.decision.inLesson).toBe(false);
      await control.close();
      stopped = true;
      await seen.until(() => seen.statuses.length === 3);
      expect(seen.statuses[2]).toBeNull();
      expect(seen.bad).toEqual([]);
    } finally {
      link?.close();
      if (!stopped) await control.close();
    }
  });
});
