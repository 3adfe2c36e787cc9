import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { askAgent } from '../../../src/agent/control/client.ts';
import { StatusReplySchema, SubscribeLineSchema, type AgentStatus, type SubscribeLine } from '../../../src/agent/control/protocol.ts';
import { MAX_CONNECTIONS, MAX_SUBSCRIBERS, startControlSocket, type ControlDeps, type ControlSocket } from '../../../src/agent/control/server.ts';

/**
 * The control socket as the tray and the CLI meet it: a real Unix socket, real
 * clients. `subscribe` pushes the status at once and every change after it;
 * what a flood of connections costs the agent is bounded.
 */

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

function statusAt(updatedAt: string, message = 'Er is nu niets geblokkeerd.'): AgentStatus {
  return {
    pid: process.pid, startedAt: '2026-12-02T08:00:00.000Z', updatedAt, dryRun: false, onSchoolNetwork: true,
    decision: { blocked: { categories: [], services: [], capture: [] }, message: { nl: message, en: message } } as unknown as AgentStatus['decision'],
    enforcers: [], lastNotice: null, sync: null,
  };
}

/** The agent's side: a current status and listeners, as startAgent wires them to the Agent. */
function fakeAgent() {
  let status: AgentStatus | undefined = statusAt('2026-12-02T09:00:00.000Z');
  const listeners = new Set<(line: SubscribeLine) => void>();
  const deps: ControlDeps = {
    status: () => status, sync: null, timeZone: 'Europe/Amsterdam', log: quiet,
    subscribe: (send) => {
      listeners.add(send);
      return () => listeners.delete(send);
    },
  };
  return {
    deps, listeners,
    change(next: AgentStatus) {
      status = next;
      for (const send of listeners) send({ type: 'status', status: next });
    },
    notice(nl: string) {
      for (const send of listeners) send({ type: 'notice', notice: { at: '2026-12-02T09:01:00.000Z', nl, en: nl } });
    },
  };
}

/** A subscriber: the lines it has read so far, parsed by the protocol's schema. */
function subscriber(path: string): { socket: Socket; lines: unknown[] } {
  const socket = createConnection(path);
  const lines: unknown[] = [];
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('connect', () => socket.write('{"type":"subscribe"}\n'));
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      lines.push(JSON.parse(buffered.slice(0, i)));
      buffered = buffered.slice(i + 1);
    }
  });
  socket.on('error', () => {});
  return { socket, lines };
}

describe('control socket', () => {
  let dir: string;
  let server: ControlSocket | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (deps: ControlDeps) => {
    dir = mkdtempSync(join(tmpdir(), 'lesmodus-control-'));
    const path = join(dir, 'agent.sock');
    server = await startControlSocket(path, deps);
    return path;
  };

  it('subscribe sends the status at once, then every change and notice as it happens, and lets go when the tray hangs up', async () => {
    const agent = fakeAgent();
    const path = await start(agent.deps);
    const tray = subscriber(path);
    sockets.push(tray.socket);
    await vi.waitFor(() => expect(tray.lines).toHaveLength(1));
    agent.change(statusAt('2026-12-02T09:20:00.000Z', 'Tijdens de les ne is social media geblokkeerd tot 10:10 (art. III.A.1 Gedragscode Social Media SVOK).'));
    agent.notice('TikTok is geblokkeerd tijdens de les ne (art. III.A.1).');
    await vi.waitFor(() => expect(tray.lines).toHaveLength(3));
    const parsed = tray.lines.map((line) => SubscribeLineSchema.parse(line));
    expect(parsed.map((l) => (l.type === 'status' ? l.status.updatedAt : l.notice.nl))).toEqual([
      '2026-12-02T09:00:00.000Z', '2026-12-02T09:20:00.000Z', 'TikTok is geblokkeerd tijdens de les ne (art. III.A.1).',
    ]);
    tray.socket.destroy();
    await vi.waitFor(() => expect(agent.listeners.size).toBe(0));
  });

  it('answers status from what the agent holds in memory, checked by the protocol\'s reply schema', async () => {
    const agent = fakeAgent();
    const path = await start(agent.deps);
    agent.change(statusAt('2026-12-02T10:00:00.000Z'));
    const reply = await askAgent(path, { type: 'status' }, StatusReplySchema);
    expect(reply).toMatchObject({ ok: true, status: { updatedAt: '2026-12-02T10:00:00.000Z' } });
  });

  it(`refuses a subscriber beyond ${MAX_SUBSCRIBERS} with "busy", and the others keep streaming`, async () => {
    const agent = fakeAgent();
    const path = await start(agent.deps);
    const trays = Array.from({ length: MAX_SUBSCRIBERS }, () => subscriber(path));
    sockets.push(...trays.map((t) => t.socket));
    await vi.waitFor(() => expect(trays.every((t) => t.lines.length === 1)).toBe(true));
    const extra = subscriber(path);
    sockets.push(extra.socket);
    await vi.waitFor(() => expect(extra.lines).toEqual([expect.objectContaining({ ok: false, code: 'busy' })]));
    agent.change(statusAt('2026-12-02T11:00:00.000Z'));
    await vi.waitFor(() => expect(trays.every((t) => t.lines.length === 2)).toBe(true));
  });

  it('hangs up on a connection that sends no request', async () => {
    const path = await start(fakeAgent().deps);
    const idle = createConnection(path);
    sockets.push(idle);
    idle.on('error', () => {});
    await once(idle, 'close');
  }, 20_000);

  it('a student holding thousands of idle connections costs the agent a bounded number of descriptors, and it answers once they go', async () => {
    const path = await start(fakeAgent().deps);
    const openFds = () => readdirSync('/proc/self/fd').length;
    const before = openFds();
    // Another process floods, as a student's would: 2,000 connections held open, never a request.
    const flooder = spawn(process.execPath, ['-e', `
      const net = require('node:net'); let open = 0;
      for (let i = 0; i < 2000; i++) { const s = net.createConnection(${JSON.stringify(path)}); s.on('connect', () => { if (++open === 500) console.log('flooding'); }); s.on('error', () => {}); }
      setInterval(() => {}, 1000);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await once(flooder.stdout!, 'data');
      let most = 0;
      for (let i = 0; i < 20; i++) {
        most = Math.max(most, openFds() - before);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(most).toBeLessThanOrEqual(MAX_CONNECTIONS + 4);
    } finally {
      flooder.kill('SIGKILL');
      await once(flooder, 'close');
    }
    await vi.waitFor(async () => expect(await askAgent(path, { type: 'status' }, StatusReplySchema)).toMatchObject({ ok: true }), { timeout: 15_000, interval: 200 });
  }, 40_000);
});
