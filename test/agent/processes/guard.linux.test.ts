// The guard against real processes: the /proc source, the process.kill
// killer, the shipped catalog and decisions from the real engine.
import { spawnSync, type SpawnOptions } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProcessGuard, type GuardTamperEvent, type ProcessBlockEvent, type ProcessGuardOptions } from '../../../src/agent/processes/guard.ts';
import { initialMountNamespace } from '../../../src/agent/processes/mount-namespaces.linux.ts';
import { createProcessKiller } from '../../../src/agent/processes/killer.ts';
import { createProcessEnforcer } from '../../../src/agent/processes/enforcer.ts';
import { createProcSource } from '../../../src/agent/processes/proc-source.linux.ts';
import type { ProcessInfo, ProcessSource } from '../../../src/agent/processes/types.ts';
import type { Decision } from '../../../src/core/policy/decide.ts';
import { afterLesson, catalog, duringLesson } from './decisions.ts';
import { subordinateUidsOf } from '../../../src/agent/runtime/student-user.ts';
import { createStandIns, ownChildren, waitFor, type Running, type StandIns } from './stand-ins.ts';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
/** The attacks run as a non-root student: nobody when the tests run as root, else the tests' own user. */
const STUDENT_UID = isRoot ? NOBODY : process.getuid?.() ?? NOBODY;
const asStudent: SpawnOptions = isRoot ? { uid: NOBODY, gid: NOBODY } : {};
/** Whether the student may make user namespaces here (the package's sysctl turns this off; then the attack cannot even start). */
const studentMayUnshare = process.platform === 'linux' && spawnSync('unshare', ['-rm', 'true'], asStudent).status === 0;

describe.skipIf(process.platform !== 'linux')('the process guard on Linux', () => {
  let standIns: StandIns;
  let guards: ProcessGuard[];
  let events: ProcessBlockEvent[];
  let tampers: GuardTamperEvent[];

  beforeEach(() => {
    standIns = createStandIns();
    guards = [];
    events = [];
    tampers = [];
  });

  afterEach(async () => {
    await Promise.all(guards.map((g) => g.stop()));
    standIns.cleanUp();
  });

  function startGuard(decision: Decision, options: Partial<ProcessGuardOptions> = {}): ProcessGuard {
    const guard = new ProcessGuard({
      os: 'linux',
      catalog,
      source: ownChildren(createProcSource()),
      killer: createProcessKiller(),
      now: Date.now,
      onBlock: (event) => events.push(event),
      onTamper: (event) => tampers.push(event),
      ...options,
    });
    guard.setDecision(decision);
    guard.start();
    guards.push(guard);
    return guard;
  }

  /** Until a scan that started after `running` did has seen it: the guard had its chance. */
  async function scansSeen(guard: ProcessGuard, ...running: Running[]): Promise<void> {
    for (const r of running) await waitFor(() => r.alive(), `pid ${r.pid} to be running`);
    for (let i = 0; i < 3; i++) await guard.scan();
  }

  const eventsFor = (r: Running) => events.filter((e) => e.pid === r.pid);

  it('stops blocked apps during a lesson, each reported once', async () => {
    const blocked = {
      'obs-studio': standIns.app('obs'),
      cheese: standIns.app('cheese'),
      discord: standIns.app('Discord'),
      simplescreenrecorder: standIns.app('simplescreenrecorder'),
      kazam: standIns.kazam(),
      'gnome-sound-recorder': standIns.soundRecorder(),
    };
    startGuard(duringLesson());
    for (const [service, running] of Object.entries(blocked)) {
      expect(await running.ended(), `${service} ended by SIGTERM`).toBe('SIGTERM');
    }
    for (const [service, running] of Object.entries(blocked)) {
      expect(eventsFor(running), service).toMatchObject([{ service, dryRun: false, os: 'linux' }]);
    }
    expect(eventsFor(blocked.discord)[0]).toMatchObject({ rule: 'social-media-during-lessons', article: 'III.A.1', lesson: { uid: 'les-ne-2' } });
    expect(eventsFor(blocked.cheese)[0]).toMatchObject({ category: 'camera', rule: 'no-recordings-at-school', article: 'III.A.2', lesson: null });
    expect(events).toHaveLength(6);
  });

  it('is not fooled by a never-block name on a blocked executable: a link named firefox to a copy of Discord is stopped', async () => {
    // The attack: cp /bin/sleep ~/discord; ln -s ~/discord ~/firefox; ~/firefox (also named chromium, teams).
    const attack = join(standIns.dir, 'attack');
    mkdirSync(attack);
    const disguised: Running[] = [];
    for (const name of ['firefox', 'chromium', 'teams']) {
      symlinkSync(join(standIns.dir, 'Discord'), join(attack, name));
      disguised.push(standIns.run(join(attack, name), ['600']));
    }
    const realFirefox = standIns.app('firefox');
    const guard = startGuard(duringLesson());
    for (const running of disguised) expect(await running.ended()).toBe('SIGTERM');
    await scansSeen(guard, realFirefox);
    expect(realFirefox.alive()).toBe(true);
    expect(events.filter((e) => e.service === 'discord')).toHaveLength(3);
  });

  it('stops a blocked app started through the dynamic loader (/lib64/ld-linux-x86-64.so.2 ~/discord)', async () => {
    const loader = ['/lib64/ld-linux-x86-64.so.2', '/lib/ld-linux-aarch64.so.1'].find((p) => existsSync(p));
    if (loader === undefined) return;
    const viaLoader = standIns.run(loader, [join(standIns.dir, 'Discord'), '600']);
    const withOptions = standIns.run(loader, ['--library-path', '/nonexistent', join(standIns.dir, 'Discord'), '600']);
    startGuard(duringLesson());
    expect(await viaLoader.ended()).toBe('SIGTERM');
    expect(await withOptions.ended()).toBe('SIGTERM');
    expect(events.map((e) => e.service)).toEqual(['discord', 'discord']);
  });

  /** A folder the student owns, for what the attacks write. */
  function studentFolder(name: string): string {
    const dir = mkdtempSync(join(standIns.dir, `${name}-`));
    if (isRoot) chownSync(dir, NOBODY, NOBODY);
    return dir;
  }

  it.skipIf(!studentMayUnshare)('stops a never-block app run in a mount namespace of the student\'s own during a block, and reports it as tamper', async () => {
    // The attack: unshare -rm, a tmpfs over a policy folder, then the browser: it sees no policy.
    const policies = studentFolder('policies');
    const hidden = standIns.run('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs tmpfs ${policies} && exec ${join(standIns.dir, 'firefox')} 600`], asStudent);
    const inTheOpen = standIns.app('firefox', asStudent);
    const guard = startGuard(duringLesson(), { ownUid: STUDENT_UID, initialMountNamespace: initialMountNamespace() });
    expect(await hidden.ended()).toBe('SIGTERM');
    await scansSeen(guard, inTheOpen);
    expect(inTheOpen.alive()).toBe(true);
    expect(tampers).toMatchObject([{ kind: 'mount-namespace', pid: hidden.pid, stopped: true }]);
    // Caught either as the shell that set the namespace up or as the browser it became: the process is the same.
    expect(tampers[0]!.detail).toMatch(/of the student ran in a mount namespace of its own during a block/);
  });

  it.skipIf(!studentMayUnshare)('stops real Chromium run with its policy folder hidden under a tmpfs, and leaves Chromium run normally alone', async () => {
    const chromium = '/usr/bin/chromium';
    if (!existsSync(chromium)) return;
    const policies = studentFolder('policies');
    const home = studentFolder('home');
    const headless = (profile: string) => ['--headless=new', `--user-data-dir=${join(home, profile)}`, '--no-first-run', 'about:blank'];
    // Root inside the namespace: Chromium's own sandbox then needs --no-sandbox, which the student gives it.
    const hidden = standIns.run('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs tmpfs ${policies} && exec ${chromium} --no-sandbox ${headless('hidden').join(' ')}`], { ...asStudent, env: { ...process.env, HOME: home } });
    // Run normally, Chromium's sandbox makes namespaces too, but never a mount namespace: it must not look like tamper.
    const normal = standIns.run(chromium, headless('normal'), { ...asStudent, env: { ...process.env, HOME: home } });
    const guard = startGuard(duringLesson(), { ownUid: STUDENT_UID, initialMountNamespace: initialMountNamespace() });
    await hidden.ended();
    await waitFor(() => tampers.some((t) => t.pid === hidden.pid), 'the tamper event');
    await scansSeen(guard, normal);
    expect(normal.alive()).toBe(true);
    expect(tampers.filter((t) => t.pid !== hidden.pid)).toEqual([]);
  });

  it('knows a long-named app by the 15 characters of its comm alone', async () => {
    const recorder = standIns.app('simplescreenrecorder');
    await waitFor(() => recorder.alive(), 'the recorder to start');
    const source = ownChildren(createProcSource());
    let seen: ProcessInfo | undefined;
    await waitFor(async () => {
      seen = (await source.list()).find((p) => p.pid === recorder.pid);
      return seen?.exePath?.endsWith('/simplescreenrecorder') === true;
    }, 'the recorder in the process list');
    expect(seen?.name).toBe('simplescreenrec');
    // What an agent sees of a process whose exe and command line it may not read: the comm only.
    const commOnly: ProcessSource = {
      list: async () => (await source.list()).map(({ pid, ppid, uid, startTime, name }) => ({ pid, ppid, uid, startTime, name })),
    };
    startGuard(duringLesson(), { source: commOnly });
    expect(await recorder.ended()).toBe('SIGTERM');
    expect(eventsFor(recorder)).toMatchObject([{ service: 'simplescreenrecorder', name: 'simplescreenrec' }]);
  });

  it('leaves never-block apps alone during the lesson', async () => {
    const teams = standIns.app('teams-for-linux');
    const firefox = standIns.app('firefox');
    const obs = standIns.app('obs');
    const guard = startGuard(duringLesson());
    expect(await obs.ended()).toBe('SIGTERM');
    await scansSeen(guard, teams, firefox);
    expect(teams.alive()).toBe(true);
    expect(firefox.alive()).toBe(true);
    expect(events.map((e) => e.service)).toEqual(['obs-studio']);
  });

  it('leaves blocked apps alone after the lesson', async () => {
    const obs = standIns.app('obs');
    const discord = standIns.app('Discord');
    const kazam = standIns.kazam();
    const guard = startGuard(afterLesson());
    await scansSeen(guard, obs, discord, kazam);
    expect([obs.alive(), discord.alive(), kazam.alive()]).toEqual([true, true, true]);
    expect(events).toEqual([]);
  });

  it('in dry-run kills nothing and reports every blocked app once', async () => {
    const obs = standIns.app('obs');
    const cheese = standIns.app('cheese');
    const discord = standIns.app('Discord');
    const firefox = standIns.app('firefox');
    const guard = startGuard(duringLesson(), { dryRun: true });
    await waitFor(() => events.length === 3, 'three dry-run reports');
    await scansSeen(guard, obs, cheese, discord, firefox);
    expect([obs.alive(), cheese.alive(), discord.alive(), firefox.alive()]).toEqual([true, true, true, true]);
    expect(events.map((e) => [e.pid, e.service, e.dryRun]).sort()).toEqual(
      [[obs.pid, 'obs-studio', true], [cheese.pid, 'cheese', true], [discord.pid, 'discord', true]].sort(),
    );
  });

  it('stops a relaunch again', async () => {
    startGuard(duringLesson());
    const first = standIns.app('Discord');
    expect(await first.ended()).toBe('SIGTERM');
    const second = standIns.app('Discord');
    expect(await second.ended()).toBe('SIGTERM');
    expect(events.map((e) => e.pid)).toEqual([first.pid, second.pid]);
  });

  it('forces an app that ignores SIGTERM after the grace period', async () => {
    const stubborn = standIns.stubbornObs();
    startGuard(duringLesson(), { graceMs: 500 });
    expect(await stubborn.ended()).toBe('SIGKILL');
    expect(eventsFor(stubborn)).toMatchObject([{ service: 'obs-studio' }]);
  });

  it.skipIf(!isRoot)("leaves another user's app alone", async () => {
    const theirs = standIns.app('obs', { uid: NOBODY, gid: NOBODY });
    const mine = standIns.app('obs');
    const guard = startGuard(duringLesson(), { ownUid: 0 });
    expect(await mine.ended()).toBe('SIGTERM');
    await scansSeen(guard, theirs);
    expect(theirs.alive()).toBe(true);
    expect(events.map((e) => e.pid)).toEqual([mine.pid]);
  });

  it('stops nothing when no student is known (a root service without --user and nobody logged in), and says so', async () => {
    const obs = standIns.app('obs');
    const guard = startGuard(duringLesson(), { ownUid: null });
    await scansSeen(guard, obs);
    expect(obs.alive()).toBe(true);
    expect(events).toEqual([]);
    // The status does not claim what the guard does not do.
    const enforcer = createProcessEnforcer({ os: 'linux', catalog, source: ownChildren(createProcSource()), killer: createProcessKiller(), now: Date.now, onBlock: () => {}, ownUid: null });
    expect(enforcer.describe()).toMatch(/^processes: not stopping any app: no student is known/);
  });

  it.skipIf(!isRoot)('follows a user switch: the new student\'s blocked app is stopped at once, the one it acted for before is left alone from then on', async () => {
    const before = standIns.app('Discord', { uid: 4_343, gid: 4_343 });
    const guard = startGuard(duringLesson(), { ownUid: null });
    await scansSeen(guard, before);
    guard.setOwner(4_343, []);
    expect(await before.ended()).toBe('SIGTERM');
    guard.setOwner(4_344, []);
    const previous = standIns.app('Discord', { uid: 4_343, gid: 4_343 });
    const next = standIns.app('Discord', { uid: 4_344, gid: 4_344 });
    expect(await next.ended()).toBe('SIGTERM');
    await scansSeen(guard, previous);
    expect(previous.alive()).toBe(true);
  });

  it.skipIf(!isRoot)("stops the student's app run under one of their subordinate uids (a user namespace), and no one else's", async () => {
    // What `unshare --user` + setpriv --reuid shows the initial namespace: the app runs as an id from the student's /etc/subuid range.
    const STUDENT = 4242;
    const inNamespace = standIns.app('Discord', { uid: 200_005, gid: 200_005 });
    const stranger = standIns.app('Discord', { uid: 300_000, gid: 300_000 });
    const guard = startGuard(duringLesson(), { ownUid: STUDENT, subordinateUids: subordinateUidsOf({ uid: STUDENT, loginName: 'sanne' }, 'sanne:200000:65536\nbob:300000:65536\n') });
    expect(await inNamespace.ended()).toBe('SIGTERM');
    await scansSeen(guard, stranger);
    expect(stranger.alive()).toBe(true);
  });
});
