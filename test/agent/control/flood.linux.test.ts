import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { askAgent } from '../../../src/agent/control/client.ts';
import { StatusReplySchema, type AgentStatus } from '../../../src/agent/control/protocol.ts';
import {
  MAX_CONNECTIONS_PER_USER, MAX_SUBSCRIBERS, MAX_SUBSCRIBERS_PER_USER, startControlSocket, type ControlDeps, type ControlSocket,
} from '../../../src/agent/control/server.ts';
import { floodAs, nodeForOthers } from '../../helpers/flooder.ts';

/**
 * The red team's flood, done for real: a student (another uid than the
 * agent's) holds connections to the control socket. Before, 64 idle
 * connections kept alive by a byte now and then shut every other caller out
 * for as long as the student liked, and 16 subscribe streams every other
 * user's tray. Now a user holds at most its share, callers are told apart by
 * their peer uid (ss), and a request has a deadline counted from the connect.
 */

const isRoot = process.getuid?.() === 0;
/** uids of their own per test worker: the student who floods and another user with a tray. */
const STUDENT_UID = 41_000 + (process.pid % 9_000);
const OTHER_UID = STUDENT_UID + 1;
const SUBSCRIBE = '{"type":"subscribe"}';
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

function status(): AgentStatus {
  return {
    pid: process.pid, startedAt: '2026-12-02T08:00:00.000Z', updatedAt: '2026-12-02T09:00:00.000Z', dryRun: false, onSchoolNetwork: true,
    decision: { blocked: { categories: ['social'], services: [], capture: [] }, message: { nl: 'les', en: 'lesson' } } as unknown as AgentStatus['decision'],
    enforcers: [], lastNotice: null, sync: null,
  };
}

function agentDeps(): ControlDeps {
  return { status, sync: null, timeZone: 'Europe/Amsterdam', log: quiet, subscribe: () => () => {} };
}

/**
 * A program run as `uid` that opens `count` connections to `path`, sends
 * `request` on each (or, with trickle, a space every 300 ms and never a whole
 * request: the slow client that kept an inactivity timer from firing). It
 * prints one JSON line of counts whenever they change: open now, answered
 * busy, the first characters of every other line.
 */
describe.skipIf(!isRoot)('control socket flooded by a student (another uid)', () => {
  let dir: string;
  let server: ControlSocket | undefined;
  let node: string;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'close');
    }
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (options: Parameters<typeof startControlSocket>[2] = {}) => {
    dir = mkdtempSync(join(tmpdir(), 'lesmodus-flood-'));
    chmodSync(dir, 0o755); // the students' side must reach the socket, as in /var/run/lesmodus
    const path = join(dir, 'agent.sock');
    server = await startControlSocket(path, agentDeps(), options);
    node = nodeForOthers(dir);
    return path;
  };

  it('a student holds at most its share of connections, kept open by a byte now and then or not; root is answered meanwhile, and the flood is reported', async () => {
    const floods: string[] = [];
    const path = await start({ onFlood: (detail) => floods.push(detail) });
    const student = floodAs(STUDENT_UID, node, { target: path, count: 300, trickle: true });
    children.push(student.child);
    // The student's connections beyond its share are answered busy; what stays open is its share at most.
    await vi.waitFor(() => expect(student.counts().busy).toBeGreaterThan(0), { timeout: 15_000 });
    await vi.waitFor(() => expect(floods).toEqual([`uid ${STUDENT_UID} asked for more control socket connections than one user may hold; refused`]), { timeout: 15_000 });
    await vi.waitFor(() => expect(student.counts().open).toBeLessThanOrEqual(MAX_CONNECTIONS_PER_USER), { timeout: 15_000 });
    // While the student holds its share (a byte every 300 ms), root is answered.
    const reply = await askAgent(path, { type: 'status' }, StatusReplySchema);
    expect(reply).toMatchObject({ ok: true, status: { decision: { blocked: { categories: ['social'] } } } });
  }, 40_000);

  it(`a student holding ${MAX_SUBSCRIBERS} subscribe streams gets ${MAX_SUBSCRIBERS_PER_USER}; another user's tray still subscribes`, async () => {
    const path = await start();
    const student = floodAs(STUDENT_UID, node, { target: path, count: MAX_SUBSCRIBERS, request: SUBSCRIBE });
    children.push(student.child);
    await vi.waitFor(() => {
      expect(student.counts().lines).toHaveLength(MAX_SUBSCRIBERS_PER_USER);
      expect(student.counts().busy).toBe(MAX_SUBSCRIBERS - MAX_SUBSCRIBERS_PER_USER);
    }, { timeout: 15_000 });
    const tray = floodAs(OTHER_UID, node, { target: path, count: 1, request: SUBSCRIBE });
    children.push(tray.child);
    await vi.waitFor(() => expect(tray.counts().lines).toHaveLength(1), { timeout: 15_000 });
    expect(tray.counts().lines[0]).toMatch(/^\{"type":"status"/);
    expect(student.counts().open).toBe(MAX_SUBSCRIBERS_PER_USER);
  }, 40_000);

  it('a subuid of the student counts as the student (a user namespace does not buy a second share)', async () => {
    const path = await start({ ownerOf: (uid) => (uid === OTHER_UID ? STUDENT_UID : uid) });
    const student = floodAs(STUDENT_UID, node, { target: path, count: MAX_SUBSCRIBERS_PER_USER, request: SUBSCRIBE });
    children.push(student.child);
    await vi.waitFor(() => expect(student.counts().lines).toHaveLength(MAX_SUBSCRIBERS_PER_USER), { timeout: 15_000 });
    const namespaced = floodAs(OTHER_UID, node, { target: path, count: 1, request: SUBSCRIBE });
    children.push(namespaced.child);
    await vi.waitFor(() => expect(namespaced.counts().busy).toBe(1), { timeout: 15_000 });
  }, 40_000);
});

describe('control socket deadline', () => {
  it('hangs up on a client that sends a byte now and then but never a whole request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesmodus-slow-'));
    const server = await startControlSocket(join(dir, 'agent.sock'), agentDeps(), { peers: null });
    const slow = createConnection(join(dir, 'agent.sock'));
    // A byte written just after the hang-up fails with EPIPE: that is the hang-up too, so only 'close' counts
    // (events.once would reject on that 'error').
    slow.on('error', () => {});
    const closed = new Promise((resolve) => slow.once('close', resolve));
    const trickle = setInterval(() => slow.write(' '), 500);
    try {
      await closed;
    } finally {
      clearInterval(trickle);
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
