import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SubscribeLineSchema } from '../../../src/agent/control/protocol.ts';
import { openDeviceStore } from '../../../src/agent/store/index.ts';
import { createStandIns, waitFor, type StandIns } from '../processes/stand-ins.ts';
import { floodAs, nodeForOthers } from '../../helpers/flooder.ts';

// The real agent in a real process against real stand-in processes. The
// stand-ins run as a uid of their own and the agent acts for that uid only,
// so it can never touch another test's processes (or anything else as root).
const LESMODUS = fileURLToPath(new URL('../../../src/cli/lesmodus.ts', import.meta.url));
/** A uid per test worker: the two zone projects run this file at the same time. */
const STUDENT_UID = 40_000 + (process.pid % 10_000);
const isRoot = process.getuid?.() === 0;
/** The agent's descriptor limit in the flood test: low, so the flood reaches it quickly. */
const OPEN_FILES = 1024;

function stamp(instant: number): string {
  return new Date(instant).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** A timetable with one lesson in progress now (and an hour to go), whatever day and hour the test runs. */
function lessonNowIcs(dir: string, options: { online?: boolean } = {}): string {
  const now = Date.now();
  const path = join(dir, 'rooster.ics');
  writeFileSync(path, [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Lesmodus tests//NL',
    'BEGIN:VEVENT', 'UID:les-nu@test', `DTSTAMP:${stamp(now)}`, `DTSTART:${stamp(now - 5 * 60_000)}`, `DTEND:${stamp(now + 60 * 60_000)}`,
    'SUMMARY:wis - h4a - JNS', ...(options.online ? ['DESCRIPTION:Online les via Teams'] : ['LOCATION:a012']), 'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n'));
  return path;
}

interface AgentProcess {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/** The agent with its arguments; `openFiles` lowers its descriptor limit (hard and soft), as a laptop's service limit would be. */
function startAgent(args: string[], options: { openFiles?: number } = {}): AgentProcess {
  const command = [process.execPath, LESMODUS, 'agent', ...args];
  const child = options.openFiles === undefined
    ? spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('sh', ['-c', `ulimit -n ${options.openFiles} && exec "$@"`, 'sh', ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

let standIns: StandIns | undefined;
let agent: AgentProcess | undefined;
afterEach(async () => {
  if (agent && agent.child.exitCode === null) agent.child.kill('SIGKILL');
  standIns?.cleanUp();
  agent = undefined;
  standIns = undefined;
});

describe.skipIf(!isRoot)('lesmodus agent (as root, acting for one student uid)', () => {
  it('stops a blocked app during a lesson, tells the student, and shuts down cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesmodus-agent-cli-'));
    standIns = createStandIns();
    const discord = standIns.app('Discord', { uid: STUDENT_UID, gid: STUDENT_UID });
    const firefox = standIns.app('firefox', { uid: STUDENT_UID, gid: STUDENT_UID });
    agent = startAgent(['--timetable', lessonNowIcs(dir), '--data-dir', join(dir, 'data'), '--on-school-network', 'no', '--user', String(STUDENT_UID), '--browser-policy-root', join(dir, 'root'), '--proxy-port', '0', '--control-socket', join(dir, 'agent.sock')]);

    await discord.ended(30_000);
    await waitFor(() => agent!.output().includes('notice: Discord is geblokkeerd tijdens de les wis'), 'the notice');
    expect(firefox.alive()).toBe(true);

    // Browsers: the route through the decision proxy and the lesson's block list, under the test's root.
    const managed = join(dir, 'root', 'etc', 'chromium', 'policies', 'managed');
    await waitFor(() => existsSync(join(managed, 'lesmodus-lesson.json')), 'the lesson policy file');
    const lessonPolicy = JSON.parse(readFileSync(join(managed, 'lesmodus-lesson.json'), 'utf8'));
    expect(lessonPolicy.URLBlocklist).toEqual(expect.arrayContaining(['instagram.com', 'tiktok.com']));
    expect(JSON.parse(readFileSync(join(managed, 'lesmodus-route.json'), 'utf8')).ProxySettings.ProxyMode).toBe('pac_script');

    const { stdout } = await promisify(execFile)(process.execPath, [LESMODUS, 'agent', 'status', '--data-dir', join(dir, 'data'), '--json']);
    const status = JSON.parse(stdout);
    expect(status.running).toBe(true);
    expect(status.decision.blocked.categories).toEqual(['social']);
    expect(status.lastNotice.nl).toContain('art. III.A.1 Gedragscode Social Media SVOK');

    // The tray's view: subscribe on the control socket and the running agent's status arrives at once, from its memory.
    const tray = createConnection(join(dir, 'agent.sock'));
    tray.setEncoding('utf8');
    tray.write('{"type":"subscribe"}\n');
    const [firstLine] = await once(tray, 'data') as [string];
    tray.destroy();
    const line = SubscribeLineSchema.parse(JSON.parse(firstLine.split('\n')[0]!));
    expect(line.type === 'status' && line.status.decision.blocked.categories).toEqual(['social']);

    expect(await agent.stop()).toBe(0);
    const store = openDeviceStore({ path: join(dir, 'data', 'device.db') });
    try {
      const events = store.outboxBatch(100).map((e) => e.type);
      expect(events).toEqual(['enforcement.started', 'app.blocked', 'enforcement.stopped']);
    } finally {
      store.close();
    }
  }, 60_000); // a real process start, a kill and a shutdown: slow when the machine's other tests drive Chromium

  it('keeps enforcing with a damaged store (moved aside untouched, a fresh store logs the tamper) and a mistyped config value (left out): the blocked app is stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesmodus-agent-cli-'));
    mkdirSync(join(dir, 'data'), { mode: 0o700 });
    const garbage = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 251));
    writeFileSync(join(dir, 'data', 'device.db'), garbage);
    standIns = createStandIns();
    const discord = standIns.app('Discord', { uid: STUDENT_UID, gid: STUDENT_UID });
    // And a config with one mistyped CIDR: that value is left out, nothing else.
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ schoolNetwork: { cidrs: ['10.300.0.0/16', '10.20.0.0/16'] } }));
    agent = startAgent(['--timetable', lessonNowIcs(dir), '--data-dir', join(dir, 'data'), '--config', join(dir, 'config.json'), '--on-school-network', 'no', '--user', String(STUDENT_UID), '--browser-policy-root', join(dir, 'root'), '--proxy-port', '0', '--control-socket', join(dir, 'agent.sock')]);
    await discord.ended(30_000);
    expect(await agent.stop()).toBe(0);
    expect(agent.output()).toContain('schoolNetwork.cidrs.0: use a CIDR range such as 10.20.0.0/16 or fd00:5::/48; left out');
    const aside = readdirSync(join(dir, 'data')).filter((f) => f.startsWith('device.db.damaged-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, 'data', aside[0]!))).toEqual(garbage);
    const store = openDeviceStore({ path: join(dir, 'data', 'device.db') });
    try {
      const tamper = store.outboxBatch(100).find((e) => e.type === 'tamper');
      expect(tamper?.payload).toMatchObject({ kind: 'store-corrupt' });
      expect(store.outboxBatch(100).map((e) => e.type)).toContain('app.blocked');
    } finally {
      store.close();
    }
  }, 60_000);

  it('a student flooding the control socket and the browser proxy up to the descriptor limit (the red team\'s attack) cannot starve the guard: the blocked app is still stopped, and the flood is logged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesmodus-agent-cli-'));
    chmodSync(dir, 0o755); // the student reaches the control socket, as in /var/run/lesmodus
    standIns = createStandIns();
    const socket = join(dir, 'agent.sock');
    agent = startAgent(['--timetable', lessonNowIcs(dir), '--data-dir', join(dir, 'data'), '--on-school-network', 'no', '--user', String(STUDENT_UID), '--browser-policy-root', join(dir, 'root'), '--proxy-port', '0', '--control-socket', socket], { openFiles: OPEN_FILES });
    await waitFor(() => /decision proxy on 127\.0\.0\.1:\d+/.test(agent!.output()) && existsSync(socket), 'the proxy and the control socket', 30_000);
    const port = Number(/decision proxy on 127\.0\.0\.1:(\d+)/.exec(agent.output())![1]);
    const node = nodeForOthers(standIns.dir);
    // More connections than the agent has descriptors, held open, from the student's own uid.
    const floods = [
      floodAs(STUDENT_UID, node, { target: socket, count: OPEN_FILES, trickle: true }),
      floodAs(STUDENT_UID, node, { target: port, count: OPEN_FILES }),
    ];
    try {
      await waitFor(() => floods.every((f) => f.counts().settled === OPEN_FILES), 'the flood to be in place');
      const discord = standIns.app('Discord', { uid: STUDENT_UID, gid: STUDENT_UID });
      await discord.ended(30_000);
    } finally {
      for (const flood of floods) flood.child.kill('SIGKILL');
    }
    expect(await agent.stop()).toBe(0);
    expect(agent.output()).not.toMatch(/EMFILE/);
    const store = openDeviceStore({ path: join(dir, 'data', 'device.db') });
    try {
      const events = store.outboxBatch(100);
      expect(events.map((e) => e.type)).toContain('app.blocked');
      expect(events.filter((e) => e.type === 'tamper').map((e) => e.payload)).toEqual([
        { kind: 'control-flood', detail: `uid ${STUDENT_UID} asked for more control socket connections than one user may hold; refused` },
      ]);
    } finally {
      store.close();
    }
  }, 90_000);

  it('run as root without --user and nobody at the console, it does not claim to stop apps: status and subscribe say no student is known', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesmodus-agent-cli-'));
    const socket = join(dir, 'agent.sock');
    // Dry-run as well: should this machine have someone logged in after all, the agent touches nothing of theirs.
    agent = startAgent(['--timetable', lessonNowIcs(dir), '--data-dir', join(dir, 'data'), '--on-school-network', 'no', '--dry-run', '--browser-policy-root', join(dir, 'root'), '--control-socket', socket]);
    await waitFor(() => existsSync(socket) && agent!.output().includes('agent started'), 'the control socket', 30_000);
    const who = (await promisify(execFile)('who')).stdout.trim();
    const tray = createConnection(socket);
    tray.setEncoding('utf8');
    tray.write('{"type":"subscribe"}\n');
    const [firstLine] = await once(tray, 'data') as [string];
    tray.destroy();
    const line = SubscribeLineSchema.parse(JSON.parse(firstLine.split('\n')[0]!));
    if (line.type !== 'status') throw new Error('expected a status line first');
    if (who === '') {
      expect(line.status.apps).toEqual({ state: 'no-student', student: null, from: 'console' });
      expect(line.status.enforcers.find((e) => e.name === 'processes')?.state).toMatch(/not stopping any app: no student is known/);
      const { stdout } = await promisify(execFile)(process.execPath, [LESMODUS, 'agent', 'status', '--control-socket', socket]);
      expect(stdout).toContain('Apps: NOT stopped: no student is known');
      expect(agent.output()).toContain('processes: no student known');
    } else {
      expect(line.status.apps).toMatchObject({ from: 'console' });
    }
    expect(await agent.stop()).toBe(0);
  }, 60_000);

  it('in dry-run, says what it would stop and stops nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesmodus-agent-cli-'));
    standIns = createStandIns();
    const obs = standIns.app('obs', { uid: STUDENT_UID, gid: STUDENT_UID });
    // A data folder made by hand, readable by everyone, with a readable store in it (as an older version left them).
    mkdirSync(join(dir, 'data'), { mode: 0o755 });
    chmodSync(join(dir, 'data'), 0o755);
    openDeviceStore({ path: join(dir, 'data', 'device.db') }).close();
    chmodSync(join(dir, 'data', 'device.db'), 0o644);
    // An online lesson blocks recorders wherever the laptop is (art. III.A.2), at any hour.
    agent = startAgent(['--timetable', lessonNowIcs(dir, { online: true }), '--data-dir', join(dir, 'data'), '--on-school-network', 'no', '--user', String(STUDENT_UID), '--dry-run', '--browser-policy-root', join(dir, 'root'), '--control-socket', join(dir, 'agent.sock')]);
    await waitFor(() => agent!.output().includes('would block app OBS Studio'), 'the dry-run report', 30_000);
    expect(obs.alive()).toBe(true);
    await waitFor(() => /browsers: would write .*lesmodus-lesson\.json/.test(agent!.output()), 'the dry-run browser report');
    expect(await agent.stop()).toBe(0);
    expect(obs.alive()).toBe(true);
    expect(existsSync(join(dir, 'root'))).toBe(false);
    // Teacher names and reasons are the agent's alone, whoever made the folder.
    const modes = Object.fromEntries(readdirSync(join(dir, 'data')).map((f) => [f, statSync(join(dir, 'data', f)).mode & 0o777]));
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
    expect(modes['device.db']).toBe(0o600);
    for (const [file, mode] of Object.entries(modes)) expect(mode & 0o077, file).toBe(0);
  }, 60_000);
});
