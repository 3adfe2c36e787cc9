import { waitFor } from '../../helpers/wait-for.ts';
import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/core/policy/decide.ts';
import { loadPolicy } from '../../../src/adapters/resources.ts';
import { parseGrant } from '../../../src/core/grants/grant.ts';
import { ProcessGuard, type ProcessBlockEvent, type ProcessGuardOptions } from '../../../src/agent/processes/guard.ts';
import type { ProcessInfo, ProcessKiller, ProcessSource, SignalOutcome } from '../../../src/agent/processes/types.ts';
import { ams } from '../../helpers/policy.ts';
import { afterLesson, catalog, duringLesson, LESSON } from './decisions.ts';

const STUDENT = 1000;
const WALL_CLOCK = ams('2026-11-23 10:00');

/** A process table the test edits, and a killer that acts on it like the kernel would. */
function world() {
  const table = new Map<number, ProcessInfo & { ignoresTerm?: boolean }>();
  const signals: [string, number][] = [];
  let listed = 0;
  const source: ProcessSource & { isSameProcess: NonNullable<ProcessSource['isSameProcess']> } = {
    list: async () => {
      listed++;
      return [...table.values()];
    },
    isSameProcess: (pid, startTime) => table.get(pid)?.startTime === startTime,
  };
  const signal = (name: string, pid: number): SignalOutcome => {
    signals.push([name, pid]);
    const p = table.get(pid);
    if (!p) return 'gone';
    if (p.uid !== undefined && p.uid !== STUDENT && p.uid !== 0) return 'denied';
    if (name === 'SIGKILL' || !p.ignoresTerm) table.delete(pid);
    return 'sent';
  };
  const killer: ProcessKiller = {
    terminate: (pid) => signal('SIGTERM', pid),
    forceKill: (pid) => signal('SIGKILL', pid),
    isAlive: (pid) => table.has(pid),
  };
  let monotonic = 0;
  const events: ProcessBlockEvent[] = [];
  const spawn = (pid: number, name: string, extra: Partial<ProcessInfo> & { ignoresTerm?: boolean } = {}) => {
    table.set(pid, { pid, ppid: 1, uid: STUDENT, startTime: pid * 10, name, ...extra });
  };
  const guard = (options: Partial<ProcessGuardOptions> = {}) =>
    new ProcessGuard({
      os: 'linux',
      catalog,
      source,
      killer,
      now: () => WALL_CLOCK,
      monotonic: () => monotonic,
      ownUid: STUDENT,
      graceMs: 1_500,
      onBlock: (event) => events.push(event),
      ...options,
    });
  return {
    table,
    signals,
    events,
    source,
    killer,
    spawn,
    guard,
    listCalls: () => listed,
    advance: (ms: number) => {
      monotonic += ms;
    },
  };
}

describe('ProcessGuard and mount namespaces', () => {
  const INITIAL = 'mnt:[4026531840]';
  const SNAP_FIREFOX = 'mnt:[4026532300]';
  const OWN = 'mnt:[4026532999]';

  it('stops a process of the student in a namespace of its own only while something is blocked, once, leaving snapd\'s and the initial one alone', async () => {
    const w = world();
    const tampers: unknown[] = [];
    w.spawn(200, 'firefox', { mountNamespace: OWN });
    w.spawn(201, 'firefox', { mountNamespace: SNAP_FIREFOX });
    w.spawn(202, 'firefox', { mountNamespace: INITIAL });
    w.spawn(203, 'bash', { mountNamespace: OWN, uid: 4000 });
    const guard = w.guard({ initialMountNamespace: INITIAL, sanctionedMountNamespaces: () => new Set([SNAP_FIREFOX]), onTamper: (t) => tampers.push(t) });
    guard.setDecision(afterLesson());
    await guard.scan();
    expect(w.signals).toEqual([]);
    guard.setDecision(duringLesson());
    w.table.get(200)!.ignoresTerm = true;
    await guard.scan();
    await guard.scan();
    expect(w.signals).toEqual([['SIGTERM', 200]]);
    expect(tampers).toMatchObject([{ kind: 'mount-namespace', pid: 200, stopped: true, dryRun: false }]);
    w.advance(1_500);
    await guard.scan();
    expect(w.signals).toEqual([['SIGTERM', 200], ['SIGKILL', 200]]);
  });

  it('in dry-run only reports it', async () => {
    const w = world();
    const tampers: unknown[] = [];
    w.spawn(200, 'sleep', { mountNamespace: OWN });
    const guard = w.guard({ dryRun: true, initialMountNamespace: INITIAL, onTamper: (t) => tampers.push(t) });
    guard.setDecision(duringLesson());
    await guard.scan();
    expect(w.signals).toEqual([]);
    expect(tampers).toMatchObject([{ kind: 'mount-namespace', pid: 200, stopped: false, dryRun: true, detail: expect.stringMatching(/^a process of the student ran in a mount namespace/) }]);
  });
});

describe('ProcessGuard', () => {
  it('blocks nothing before it has a decision', async () => {
    const w = world();
    w.spawn(200, 'obs');
    const result = await w.guard().scan();
    expect(result).toEqual({ listed: 1, blocked: [], terminated: [], forceKilled: [] });
    expect(w.signals).toEqual([]);
  });

  it('terminates blocked apps during a lesson and reports each once, with its rule, article and lesson', async () => {
    const w = world();
    w.spawn(200, 'obs');
    w.spawn(201, 'Discord');
    w.spawn(202, 'bash');
    const guard = w.guard();
    guard.setDecision(duringLesson());
    const result = await guard.scan();
    expect(result.terminated).toEqual([200, 201]);
    expect(w.signals).toEqual([['SIGTERM', 200], ['SIGTERM', 201]]);
    expect(w.events).toEqual([
      {
        service: 'obs-studio', category: 'screen-recording', rule: 'no-recordings-at-school', article: 'III.A.2', lesson: null,
        policyVersion: '2025-12-14.1', pid: 200, name: 'obs', os: 'linux', dryRun: false, at: WALL_CLOCK,
      },
      {
        service: 'discord', category: 'social', rule: 'social-media-during-lessons', article: 'III.A.1',
        lesson: { uid: LESSON.uid, start: LESSON.start },
        policyVersion: '2025-12-14.1', pid: 201, name: 'Discord', os: 'linux', dryRun: false, at: WALL_CLOCK,
      },
    ]);
    expect(result.blocked).toEqual(w.events);
  });

  it('carries no command line, path or window title in its events', async () => {
    const w = world();
    w.spawn(210, 'python3', { cmdline: ['python3', '/home/leerling/geheim/kazam', '--file', '/home/leerling/opname.mp4'], exePath: '/usr/bin/python3.11' });
    const guard = w.guard();
    guard.setDecision(duringLesson());
    await guard.scan();
    expect(w.events).toHaveLength(1);
    expect(Object.keys(w.events[0]!).sort()).toEqual(['article', 'at', 'category', 'dryRun', 'lesson', 'name', 'os', 'pid', 'policyVersion', 'rule', 'service']);
    expect(JSON.stringify(w.events[0])).not.toContain('/home/leerling');
  });

  it('knows an app by its cut comm, and an interpreted one by its script', async () => {
    const w = world();
    w.spawn(215, 'simplescreenrec'); // a kernel that cut "simplescreenrecorder", and no exe path to read
    w.spawn(216, 'gjs-console', { cmdline: ['/usr/bin/gjs-console', '/usr/bin/gnome-sound-recorder'] });
    const guard = w.guard();
    guard.setDecision(duringLesson());
    await guard.scan();
    expect(w.events.map((e) => e.service)).toEqual(['simplescreenrecorder', 'gnome-sound-recorder']);
  });

  it('leaves everything alone after the lesson', async () => {
    const w = world();
    w.spawn(200, 'obs');
    w.spawn(201, 'Discord');
    const guard = w.guard();
    guard.setDecision(afterLesson());
    expect((await guard.scan()).terminated).toEqual([]);
    expect(w.signals).toEqual([]);
    expect(w.events).toEqual([]);
  });

  it('leaves never-block apps alone during the lesson, also when a fact points at a blocked app', async () => {
    const w = world();
    w.spawn(220, 'teams-for-linux');
    w.spawn(221, 'firefox-esr');
    w.spawn(222, 'orca', { cmdline: ['python3', '/usr/bin/orca'] });
    w.spawn(223, 'obs', { flatpakAppId: 'org.mozilla.firefox' }); // identity wins over the name: this is Firefox
    const guard = w.guard();
    guard.setDecision(duringLesson());
    await guard.scan();
    expect(w.signals).toEqual([]);
    expect(w.events).toEqual([]);
  });

  it('never touches pid 1, itself, its parent or another user', async () => {
    const w = world();
    w.spawn(1, 'obs', { ppid: 0 });
    w.spawn(process.pid, 'obs');
    w.spawn(process.ppid, 'obs');
    w.spawn(230, 'obs', { uid: 1001 });
    w.spawn(231, 'obs', { uid: undefined });
    w.spawn(232, 'obs', { uid: 0 });
    const guard = w.guard();
    guard.setDecision(duringLesson());
    await guard.scan();
    expect(w.signals).toEqual([]);
  });

  it("stops every user's apps with ownUid 'any', except those it may not signal", async () => {
    const w = world();
    w.spawn(230, 'obs', { uid: 1001 });
    w.spawn(232, 'cheese', { uid: 0 });
    const guard = w.guard({ ownUid: 'any' });
    guard.setDecision(duringLesson());
    const result = await guard.scan();
    expect(result.terminated).toEqual([232]);
    expect(w.events.map((e) => e.pid)).toEqual([232]);
    // the denied one is not retried every scan
    await guard.scan();
    expect(w.signals).toEqual([['SIGTERM', 230], ['SIGTERM', 232]]);
  });

  it('forces an app that ignores SIGTERM after the grace period, once', async () => {
    const w = world();
    w.spawn(240, 'obs', { ignoresTerm: true });
    const guard = w.guard();
    guard.setDecision(duringLesson());
    await guard.scan();
    w.advance(1_499);
    expect((await guard.scan()).forceKilled).toEqual([]);
    w.advance(1);
    expect((await guard.scan()).forceKilled).toEqual([240]);
    expect(w.signals).toEqual([['SIGTERM', 240], ['SIGKILL', 240]]);
    expect(w.events).toHaveLength(1);
    expect(w.table.has(240)).toBe(false);
  });

  it('times the grace period on the monotonic clock, not the wall clock', async () => {
    const w = world();
    w.spawn(241, 'obs', { ignoresTerm: true });
    let wall = WALL_CLOCK;
    const guard = w.guard({ now: () => wall });
    guard.setDecision(duringLesson());
    await guard.scan();
    wall -= 3_600_000; // the student sets the clock back an hour
    w.advance(1_500);
    expect((await guard.scan()).forceKilled).toEqual([241]);
  });

  it('does not force-kill a new process that got the pid during the grace period', async () => {
    const w = world();
    w.spawn(250, 'obs', { ignoresTerm: true });
    const guard = w.guard();
    guard.setDecision(duringLesson());
    const list = await w.source.list();
    // the list the guard gets still shows the old process, the pid is someone else's by now
    w.source.list = async () => list;
    await guard.scan();
    w.table.set(250, { pid: 250, ppid: 1, uid: STUDENT, startTime: 99_999, name: 'bash' });
    w.advance(1_500);
    expect((await guard.scan()).forceKilled).toEqual([]);
    expect(w.signals).toEqual([['SIGTERM', 250]]);
  });

  it('does not signal a process whose pid was reused after the list was made', async () => {
    const w = world();
    w.spawn(251, 'obs');
    const stale = await w.source.list();
    w.table.set(251, { pid: 251, ppid: 1, uid: STUDENT, startTime: 1, name: 'bash' });
    w.source.list = async () => stale;
    const guard = w.guard();
    guard.setDecision(duringLesson());
    expect((await guard.scan()).terminated).toEqual([]);
    expect(w.signals).toEqual([]);
    expect(w.events).toEqual([]);
  });

  it('kills a relaunch again and reports it again', async () => {
    const w = world();
    const guard = w.guard();
    guard.setDecision(duringLesson());
    w.spawn(260, 'Discord');
    await guard.scan();
    w.spawn(261, 'Discord');
    await guard.scan();
    expect(w.signals).toEqual([['SIGTERM', 260], ['SIGTERM', 261]]);
    expect(w.events.map((e) => e.pid)).toEqual([260, 261]);
  });

  it('reports a process once however many scans see it', async () => {
    const w = world();
    w.spawn(270, 'obs', { ignoresTerm: true });
    const guard = w.guard({ graceMs: 60_000 });
    guard.setDecision(duringLesson());
    for (let i = 0; i < 5; i++) {
      await guard.scan();
      w.advance(250);
    }
    expect(w.events).toHaveLength(1);
    expect(w.signals).toEqual([['SIGTERM', 270]]);
  });

  it('in dry-run kills nothing and reports every blocked app once', async () => {
    const w = world();
    w.spawn(280, 'obs');
    w.spawn(281, 'cheese');
    w.spawn(282, 'firefox');
    const guard = w.guard({ dryRun: true });
    guard.setDecision(duringLesson());
    await guard.scan();
    w.advance(5_000);
    const again = await guard.scan();
    expect(w.signals).toEqual([]);
    expect(again).toMatchObject({ blocked: [], terminated: [], forceKilled: [] });
    expect(w.events.map((e) => [e.service, e.dryRun])).toEqual([['obs-studio', true], ['cheese', true]]);
  });

  it('stops the force-kill when the lesson ends during the grace period', async () => {
    const w = world();
    w.spawn(290, 'Discord', { ignoresTerm: true });
    const guard = w.guard();
    guard.setDecision(duringLesson());
    await guard.scan();
    guard.setDecision(afterLesson());
    w.advance(1_500);
    expect((await guard.scan()).forceKilled).toEqual([]);
    expect(w.signals).toEqual([['SIGTERM', 290]]);
  });

  it('leaves an app alone once a teacher allows it', async () => {
    const w = world();
    w.spawn(295, 'Discord');
    w.spawn(296, 'obs');
    const grant = parseGrant({
      id: 'g-1',
      issuedBy: { username: 'jansen', role: 'teacher', teacherCode: 'JNS' },
      reason: 'Discord-server van de klas voor het project',
      scope: { kind: 'lesson', lessonUid: LESSON.uid, lessonStart: LESSON.start },
      allow: { services: ['discord'] },
      issuedAt: LESSON.start,
      expiresAt: LESSON.end,
    });
    const decision = decide(ams('2026-11-23 10:00'), [LESSON], loadPolicy(), [grant], { catalog, onSchoolNetwork: true });
    const guard = w.guard();
    guard.setDecision(decision);
    await guard.scan();
    if (decision.blocked.services.includes('discord')) throw new Error(`the test grant was not honoured: ${JSON.stringify(decision.ignoredGrants)}`);
    expect(w.signals).toEqual([['SIGTERM', 296]]);
  });

  it('carries on when onBlock throws', async () => {
    const w = world();
    w.spawn(300, 'obs');
    w.spawn(301, 'cheese');
    const errors: unknown[] = [];
    const guard = w.guard({
      onBlock: () => {
        throw new Error('store full');
      },
      onError: (error) => errors.push(error),
    });
    guard.setDecision(duringLesson());
    expect((await guard.scan()).terminated).toEqual([300, 301]);
    expect(errors).toHaveLength(2);
  });

  it('shares one scan between concurrent callers', async () => {
    const w = world();
    const guard = w.guard();
    await Promise.all([guard.scan(), guard.scan(), guard.scan()]);
    expect(w.listCalls()).toBe(1);
  });

  it('scans in a loop that never overlaps itself, and scans at once on a new decision', async () => {
    const w = world();
    let active = 0;
    let maxActive = 0;
    const slowList = w.source.list;
    w.source.list = async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, 20));
      active--;
      return slowList();
    };
    const guard = w.guard({ intervalMs: 1 });
    guard.start();
    await waitFor(() => w.listCalls() >= 5, 'five scans');
    // a lesson starts: the app goes at the next scan, no interval to wait out
    w.spawn(310, 'obs');
    guard.setDecision(duringLesson());
    await waitFor(() => w.events.length === 1, 'the block event');
    await guard.stop();
    const calls = w.listCalls();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(w.listCalls()).toBe(calls);
    expect(maxActive).toBe(1);
  });

  it('keeps looping after a failed scan', async () => {
    const w = world();
    let failures = 0;
    const list = w.source.list;
    w.source.list = async () => {
      if (failures++ < 2) throw new Error('EMFILE');
      return list();
    };
    const errors: unknown[] = [];
    const guard = w.guard({ intervalMs: 1, onError: (error) => errors.push(error) });
    guard.start();
    await waitFor(() => w.listCalls() >= 1, 'a scan');
    await guard.stop();
    expect(errors).toHaveLength(2);
  });
});
