import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOCK_ANCHOR_FILE } from '../../../src/agent/runtime/clock-anchor.ts';
import { readStatus } from '../../../src/agent/runtime/status-file.ts';
import { openDeviceStore } from '../../../src/agent/store/index.ts';
import { waitFor } from '../processes/stand-ins.ts';

// The real agent in real processes whose wall clock is moved with libfaketime
// (LD_PRELOAD; the OS counter it counts with is left alone): a student who
// sets the clock ahead while the agent is not running (a crash and restart,
// or the firmware clock before a boot) must not end the lesson.
const LESMODUS = fileURLToPath(new URL('../../../src/cli/lesmodus.ts', import.meta.url));
const LIBFAKETIME = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1'].find(existsSync);

function stamp(instant: number): string {
  return new Date(instant).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** One lesson in progress now, an hour to go, by the real clock. */
function lessonNowIcs(dir: string): string {
  const now = Date.now();
  const path = join(dir, 'rooster.ics');
  writeFileSync(path, [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Lesmodus tests//NL',
    'BEGIN:VEVENT', 'UID:les-nu@test', `DTSTAMP:${stamp(now)}`, `DTSTART:${stamp(now - 5 * 60_000)}`, `DTEND:${stamp(now + 60 * 60_000)}`,
    'SUMMARY:wis - h4a - JNS', 'LOCATION:a012', 'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n'));
  return path;
}

const running: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs the agent (dry-run, standalone) with its wall clock `offset` ahead until it has decided, then stops it; returns its output. */
async function runAgentOnce(dir: string, offset: string | null): Promise<string> {
  const args = [LESMODUS, 'agent', '--timetable', join(dir, 'rooster.ics'), '--data-dir', join(dir, 'data'), '--on-school-network', 'no',
    '--dry-run', '--browser-policy-root', join(dir, 'root'), '--proxy-port', '0', '--control-socket', join(dir, 'agent.sock')];
  // Preloaded into the agent itself (the faketime wrapper would stand between the test and the agent's pid).
  const faked = offset === null ? {} : { LD_PRELOAD: LIBFAKETIME!, FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1' };
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...faked } });
  running.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await waitFor(() => readStatus(join(dir, 'data', 'status.json'))?.pid === child.pid, `the agent's status (${output})`, 30_000);
  child.kill('SIGTERM');
  expect(await exited, output).toBe(0);
  return output;
}

function blockedNow(dir: string): readonly string[] {
  return readStatus(join(dir, 'data', 'status.json'))!.decision.blocked.categories;
}

function tamperDetails(dir: string): string[] {
  const store = openDeviceStore({ path: join(dir, 'data', 'device.db') });
  try {
    return store.outboxBatch(500).filter((e) => e.type === 'tamper').map((e) => (e.payload as { detail: string }).detail);
  } finally {
    store.close();
  }
}

describe.skipIf(LIBFAKETIME === undefined)('a wall clock set ahead while the agent was not running (needs faketime: apt-get install faketime)', () => {
  it('restarted in the same boot, the agent carries on from its saved anchor: the lesson stays blocked and the jump is logged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesmodus-clock-restart-'));
    dirs.push(dir);
    lessonNowIcs(dir);
    const first = await runAgentOnce(dir, null);
    expect(blockedNow(dir), first).toContain('social');
    expect(JSON.parse(readFileSync(join(dir, 'data', CLOCK_ANCHOR_FILE), 'utf8'))).toMatchObject({ version: 1, verified: false });

    // Two hours ahead on the wall: the lesson would be over.
    const output = await runAgentOnce(dir, '+2h');
    expect(blockedNow(dir), output).toContain('social');
    expect(output).toMatch(/tamper: wall clock moved forward 2 h while the agent was not running/);
    expect(tamperDetails(dir)).toContainEqual(expect.stringMatching(/^wall clock moved forward 2 h while the agent was not running/));
  }, 90_000);

  it('after a reboot with the clock set past the end of the cached schedule, it keeps the last time it knew (no server to ask) and logs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesmodus-clock-restart-'));
    dirs.push(dir);
    lessonNowIcs(dir);
    await runAgentOnce(dir, null);
    // A reboot: the saved counter belongs to another boot.
    const anchorPath = join(dir, 'data', CLOCK_ANCHOR_FILE);
    writeFileSync(anchorPath, JSON.stringify({ ...JSON.parse(readFileSync(anchorPath, 'utf8')), bootId: '00000000-0000-4000-8000-000000000000' }), { mode: 0o600 });

    // Fifteen days ahead: past the 14 days the cached timetable covers, so there would be no lesson at all.
    const output = await runAgentOnce(dir, '+15d');
    expect(blockedNow(dir), output).toContain('social');
    expect(output).toMatch(/tamper: the wall clock is 15 d .*beyond the end of its cached schedule/);
    expect(tamperDetails(dir)).toContainEqual(expect.stringMatching(/past the last time the agent ran, beyond the end of its cached schedule .*keeps the last time it knew/));
  }, 90_000);
});
