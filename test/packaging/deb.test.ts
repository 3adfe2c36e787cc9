import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFuses } from '../../scripts/packaging/electron-stand-in.ts';
import { LINUX_CHROMIUM_MANAGED_DIRS, LINUX_FIREFOX_POLICIES, LINUX_OWNER_RECORD_DIR } from '../../src/agent/browser/linux-policy-plan.ts';
import { readStatus } from '../../src/agent/runtime/status-file.ts';
import { TRAY_FUSES } from '../../src/desktop/fuses.ts';
import { createStandIns, type StandIns } from '../agent/processes/stand-ins.ts';
import { waitFor } from '../e2e/agent-process.ts';
import { SCHOOL, startLiveSchool, type LiveSchool } from '../e2e/live-school.ts';
import { asarPaths } from './asar.ts';
import { boundingSetForSetpriv, execStartArgv, parseUnitFile, unitValue, type UnitFile } from './unit-file.ts';

/**
 * The Linux package, built and installed for real: `node scripts/package.ts`
 * builds the .deb offline (stand-in Electron, dpkg-deb as fpm, the bundled
 * Node 24), `dpkg -i` installs it on this machine, the agent is started from
 * the unit's own ExecStart (systemd is not PID 1 here: the unit's capability
 * bounding set and no-new-privileges are applied with setpriv instead), it
 * reads /etc/lesmodus/config.json, enrolls with a school server on 127.0.0.1
 * and stops a blocked app of the student's in the lesson; `dpkg -r` then
 * leaves no service, unit or process behind, and `dpkg --purge` no config.
 *
 * Needs root, dpkg and systemctl; skipped with the reason otherwise, and
 * required in CI (CI=true), which runs as root on a fresh Debian machine.
 * The machine is left as found: the package is purged and the test user
 * removed whatever happens.
 */

const PACKAGE = 'lesmodus';
const UNIT = 'lesmodus-agent.service';
const UNIT_PATH = `/usr/lib/systemd/system/${UNIT}`;
const WANTS_LINK = `/etc/systemd/system/multi-user.target.wants/${UNIT}`;
const APP_DIR = '/opt/Lesmodus';
const CONFIG_DIR = '/etc/lesmodus';
const DATA_DIR = '/var/lib/lesmodus';
const CONTROL_SOCKET = '/run/lesmodus/agent.sock';
/** Debian's switch that keeps maintainer scripts from starting services (exit 101: not now). */
const POLICY_RC_D = '/usr/sbin/policy-rc.d';
/** A student of our own, so the agent (which stops this user's apps) can touch nothing of anyone else's. */
const STUDENT = 'lmpkgstudent';
/** Compressing Node 24 with xz on a busy 2-core machine takes minutes. */
const BUILD_MS = 12 * 60_000;
const STEP_MS = 90_000;

function run(command: string, args: readonly string[], input?: string): { code: number | null; out: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status, out: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

function has(command: string): boolean {
  return run('sh', ['-c', `command -v ${command}`]).code === 0;
}

function skipReason(): string | null {
  if (process.platform !== 'linux') return 'the .deb is built and installed on Linux only';
  if (process.getuid?.() !== 0) return 'installing a package needs root (CI runs this as root)';
  const missing = ['dpkg', 'dpkg-deb', 'systemctl', 'setpriv', 'useradd', 'systemd-analyze'].filter((c) => !has(c));
  if (missing.length > 0) return `missing ${missing.join(', ')} (a Debian machine has them)`;
  return null;
}

function installed(): boolean {
  return run('dpkg-query', ['-W', '-f=${Status}', PACKAGE]).out.includes('install ok installed');
}

/** Every process running a program from the package (what `dpkg -r` must leave none of). */
function packageProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const exe = readlinkSync(`/proc/${pid}/exe`);
      if (exe.startsWith(`${APP_DIR}/`)) found.push(`${pid} ${exe}`);
    } catch {
      // gone, or a kernel thread
    }
  }
  return found;
}

/** The outermost folder of `path` that does not exist yet (what mkdir -p would create first), or null. */
function firstMissing(path: string): string | null {
  if (existsSync(path)) return null;
  return existsSync(dirname(path)) ? path : firstMissing(dirname(path));
}

const REASON = skipReason();
const TITLE = 'the Linux package: built offline, installed with dpkg, enrolls and enforces, removed without a trace';

if (REASON !== null && process.env.CI === 'true') {
  describe(TITLE, () => {
    it('runs in CI', () => {
      throw new Error(`the package test must run in CI, but: ${REASON}`);
    });
  });
}

describe.skipIf(REASON !== null)(REASON === null ? TITLE : `${TITLE} (skipped: ${REASON})`, () => {
  let work: string;
  let deb: string;
  let unit: UnitFile;
  let school: LiveSchool | undefined;
  let studentUid: number;
  let studentGid: number;
  let agent: ChildProcess | undefined;
  let agentOutput = '';
  let agentExit: Promise<number | null> | undefined;
  let standIns: StandIns | undefined;
  let createdUser = false;
  /** /etc folders this test made for browser policies, removed again at the end. */
  let createdDirs: string[] = [];

  const withAgentOutput = async <T,>(what: Promise<T>): Promise<T> => {
    try {
      return await what;
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- agent output ---\n${agentOutput}`);
    }
  };

  beforeAll(async () => {
    // Never over a real installation or a real school's config.
    if (installed()) throw new Error(`${PACKAGE} is already installed here; remove it (dpkg --purge ${PACKAGE}) before running this test`);
    if (existsSync(CONFIG_DIR)) throw new Error(`${CONFIG_DIR} exists; this test would replace its config.json. Move it away first.`);
    if (existsSync(DATA_DIR)) throw new Error(`${DATA_DIR} exists; this test would use its device store. Move it away first.`);
    work = mkdtempSync(join(tmpdir(), 'lesmodus-deb-'));

    // CI builds the release's package (xz -6, a minute of CPU); a developer's run compresses lightly (--quick, xz -1): the same files and scripts.
    const quick = process.env.CI === 'true' ? [] : ['--quick'];
    const build = run(process.execPath, ['scripts/package.ts', '--os', 'linux', '--out', join(work, 'out'), ...quick]);
    if (build.code !== 0) throw new Error(`building the package failed:\n${build.out}`);
    const built = readdirSync(join(work, 'out')).find((f) => f.endsWith('.deb'));
    if (built === undefined) throw new Error(`the build wrote no .deb:\n${build.out}`);
    deb = join(work, 'out', built);
    console.log(`package: ${built}, ${(statSync(deb).size / 1024 / 1024).toFixed(1)} MiB (${statSync(deb).size} bytes)`);

    const user = run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', STUDENT]);
    if (user.code !== 0) throw new Error(`useradd ${STUDENT} failed: ${user.out}`);
    createdUser = true;
    studentUid = Number(run('id', ['-u', STUDENT]).out.trim());
    studentGid = Number(run('id', ['-g', STUDENT]).out.trim());
    school = await startLiveSchool(STUDENT);
  }, BUILD_MS);

  afterAll(async () => {
    // Each step on its own: one failing must not leave the rest behind.
    standIns?.cleanUp();
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      agent.kill('SIGKILL');
      await agentExit;
    }
    if (installed() || run('dpkg-query', ['-W', PACKAGE]).code === 0) run('dpkg', ['--purge', PACKAGE]);
    rmSync(CONFIG_DIR, { recursive: true, force: true });
    rmSync(DATA_DIR, { recursive: true, force: true });
    for (const dir of createdDirs) rmSync(dir, { recursive: true, force: true });
    if (createdUser) run('userdel', [STUDENT]);
    await school?.close().catch(() => {});
    if (work) rmSync(work, { recursive: true, force: true });
  }, STEP_MS);

  it('installs with dpkg: the agent unit installed and enabled, /etc/lesmodus root-only, the tray started at login', () => {
    // Other tests on this machine may need user namespaces now: the switch waits for a reboot.
    // Where systemd runs (CI on a machine, not a container), policy-rc.d holds the service's
    // start back, as in an image build: this test starts the agent itself, for its own student.
    const systemdRuns = existsSync('/run/systemd/system');
    const saved = `${POLICY_RC_D}.lesmodus-test`;
    const hadPolicy = existsSync(POLICY_RC_D);
    if (systemdRuns) {
      if (hadPolicy) renameSync(POLICY_RC_D, saved);
      writeFileSync(POLICY_RC_D, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    }
    let install: ReturnType<typeof run>;
    try {
      install = run('env', ['LESMODUS_USERNS=keep', 'dpkg', '-i', deb]);
    } finally {
      if (systemdRuns) {
        rmSync(POLICY_RC_D, { force: true });
        if (hadPolicy) renameSync(saved, POLICY_RC_D);
      }
    }
    expect(install.code, install.out).toBe(0);
    expect(installed()).toBe(true);
    expect(install.out).toContain('user namespaces are switched off at the next boot');

    unit = parseUnitFile(readFileSync(UNIT_PATH, 'utf8'));
    expect(lstatSync(WANTS_LINK).isSymbolicLink()).toBe(true);
    expect(readlinkSync(WANTS_LINK)).toMatch(new RegExp(`/systemd/system/${UNIT}$`));
    const enabled = run('systemctl', ['is-enabled', UNIT]);
    expect(enabled.out.trim()).toBe('enabled');
    const verify = run('systemd-analyze', ['verify', UNIT_PATH]);
    expect(verify.code, verify.out).toBe(0);
    expect(unitValue(unit, 'Service', 'Restart')).toBe('on-failure');
    expect(unitValue(unit, 'Install', 'WantedBy')).toBe('multi-user.target');
    // Its ExecStart is the bundled Node running the shipped sources, both in the package.
    const [node, entry] = execStartArgv(unit);
    expect(node).toBe(`${APP_DIR}/resources/node/bin/node`);
    expect(run(node!, ['--version']).out.trim()).toMatch(/^v24\./);
    expect(existsSync(entry!)).toBe(true);

    const config = statSync(CONFIG_DIR);
    expect({ mode: config.mode & 0o777, uid: config.uid, gid: config.gid }).toEqual({ mode: 0o700, uid: 0, gid: 0 });

    const autostart = readFileSync('/etc/xdg/autostart/lesmodus-tray.desktop', 'utf8');
    const exec = /^Exec=(.+)$/m.exec(autostart)?.[1];
    expect(exec).toBe(`${APP_DIR}/lesmodus-tray`);
    expect(statSync(exec!).mode & 0o111).not.toBe(0);
    // electron-builder's own postinst steps survived our afterInstall: the /usr/bin link and the sandbox helper's mode.
    expect(readlinkSync('/usr/bin/lesmodus-tray')).toBe('/etc/alternatives/lesmodus-tray');
    expect(statSync(`${APP_DIR}/chrome-sandbox`).mode & 0o7777).toBeOneOf([0o755, 0o4755]);
    expect(readFileSync('/usr/lib/sysctl.d/60-lesmodus-userns.conf', 'utf8')).toMatch(/^-kernel\.unprivileged_userns_clone = 0$/m);
    expect(run('/usr/bin/lesmodus', ['--help']).out).toContain('agent status');
  }, STEP_MS);

  it('ships one better-sqlite3 prebuild with the agent, keeps the agent runtime out of the tray, and flips the tray fuses', () => {
    const agentModules = `${APP_DIR}/resources/agent/node_modules`;
    expect(readdirSync(`${agentModules}/better-sqlite3/prebuilds`)).toEqual(['linux-x64.node']);
    const inAsar = asarPaths(`${APP_DIR}/resources/app.asar`);
    expect(inAsar).toContain('src/desktop/main.ts');
    for (const runtime of ['node_modules/better-sqlite3', 'node_modules/systeminformation', 'node_modules/pg', 'src/agent/runtime', 'src/server']) {
      expect(inAsar, runtime).not.toContain(runtime);
    }
    expect(readFuses(`${APP_DIR}/lesmodus-tray`)).toEqual(TRAY_FUSES);
  });

  it('starts from the unit with /etc/lesmodus/config.json, enrolls with the school server and stops a blocked app in the lesson', async () => {
    writeFileSync(join(CONFIG_DIR, 'config.json'), JSON.stringify({
      server: { url: school!.url, enrollmentSecret: school!.enrollmentSecret, publicKey: school!.publicKeyPem },
    }), { mode: 0o600 });
    // As systemd would start it: the unit's ExecStart under its capability bounding set, without new privileges.
    // Added for a shared test machine only: our own student, a private browser-policy root (this
    // machine's browsers keep their policies), any free port for the decision proxy, and no
    // school network (III.A.1 in the lesson is what is tested).
    const argv = [
      '--bounding-set', boundingSetForSetpriv(unit), '--no-new-privs', ...execStartArgv(unit),
      '--user', STUDENT, '--browser-policy-root', join(work, 'browser-root'), '--proxy-port', '0', '--on-school-network', 'no',
    ];
    agent = spawn('setpriv', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    agent.stdout!.on('data', (chunk) => (agentOutput += chunk));
    agent.stderr!.on('data', (chunk) => (agentOutput += chunk));
    agentExit = new Promise((resolve) => agent!.once('exit', (code) => resolve(code)));

    const device = await withAgentOutput(waitFor(async () => (await school!.store.deviceHealth(SCHOOL.id))[0], 'the packaged agent to enroll', 60_000));
    expect(device.studentId).toBe(school!.student.id);
    const decision = await withAgentOutput(waitFor(() => {
      const d = readStatus(join(DATA_DIR, 'status.json'))?.decision;
      return d?.blocked.categories.includes('social') && d;
    }, 'the packaged agent to block social media in the lesson', 60_000));
    expect(decision.lesson?.uid).toBe(school!.lesson.uid);

    // The student starts a blocked app (a copy of sleep named like Discord): the packaged agent stops it.
    standIns = createStandIns();
    const discord = standIns.run(join(standIns.dir, 'Discord'), ['600'], { uid: studentUid, gid: studentGid });
    const signal = await withAgentOutput(discord.ended(30_000));
    expect(['SIGTERM', 'SIGKILL']).toContain(signal);
    const blocked = await withAgentOutput(waitFor(() => {
      if (!existsSync(join(DATA_DIR, 'device.db'))) return undefined;
      const db = new Database(join(DATA_DIR, 'device.db'), { readonly: true, fileMustExist: true });
      try {
        // Logged at once, or still counting repeats in its five-minute window (pending_blocks).
        const rows = db.prepare(`SELECT payload FROM events WHERE type = 'app.blocked'
          UNION ALL SELECT payload FROM pending_blocks WHERE type = 'app.blocked'`).all() as { payload: string }[];
        return rows.length > 0 && rows;
      } finally {
        db.close();
      }
    }, 'the block to be recorded', 30_000));
    expect(blocked.map((r) => JSON.parse(r.payload))).toContainEqual(expect.objectContaining({ service: 'discord', category: 'social' }));

    // The student asks the agent over its socket in /run/lesmodus, as the tray does.
    const asStudent = run('setpriv', [`--reuid=${studentUid}`, `--regid=${studentGid}`, '--clear-groups', '/usr/bin/lesmodus', 'agent', 'status', '--control-socket', CONTROL_SOCKET, '--json']);
    expect(asStudent.code, asStudent.out).toBe(0);
    expect(JSON.parse(asStudent.out)).toMatchObject({ running: true, decision: { inLesson: true } });
  }, STEP_MS);

  it('dpkg -r stops the agent and leaves no service, unit, link, process or browser policy; --purge removes the config and device store', async () => {
    expect(packageProcesses()).not.toEqual([]);
    // Browser policies as the agent leaves them on the real paths (the agent above wrote its own
    // under a private root): its route file, and a Firefox policies.json its owner record claims;
    // beside them an admin's file, which must stay. Empty policies: other tests' browsers are unaffected.
    const chromiumDir = LINUX_CHROMIUM_MANAGED_DIRS.chromium;
    const firefox = LINUX_FIREFOX_POLICIES;
    createdDirs = [firstMissing(chromiumDir), firstMissing(dirname(firefox))].filter((d) => d !== null);
    if (existsSync(firefox)) throw new Error(`${firefox} exists on this machine; this test would not touch it`);
    mkdirSync(chromiumDir, { recursive: true });
    mkdirSync(dirname(firefox), { recursive: true });
    writeFileSync(join(chromiumDir, 'lesmodus-route.json'), '{}');
    writeFileSync(join(chromiumDir, 'school.json'), '{}');
    writeFileSync(firefox, '{"policies":{}}\n');
    const record = `${LINUX_OWNER_RECORD_DIR}/firefox-policies.json.owner`;
    mkdirSync(dirname(record), { recursive: true });
    writeFileSync(record, JSON.stringify({ sha256: createHash('sha256').update('{"policies":{}}\n').digest('hex'), previous: null }));

    const remove = run('dpkg', ['-r', PACKAGE]);
    expect(remove.code, remove.out).toBe(0);
    expect(readdirSync(chromiumDir)).toEqual(['school.json']);
    expect(existsSync(firefox)).toBe(false);
    expect(existsSync(record)).toBe(false);
    rmSync(join(chromiumDir, 'school.json'));
    expect(await agentExit).not.toBeUndefined();
    expect(packageProcesses()).toEqual([]);
    for (const gone of [UNIT_PATH, WANTS_LINK, APP_DIR, '/usr/bin/lesmodus', '/usr/bin/lesmodus-tray', '/etc/xdg/autostart/lesmodus-tray.desktop', '/usr/lib/sysctl.d/60-lesmodus-userns.conf', '/run/lesmodus']) {
      expect(existsSync(gone), gone).toBe(false);
    }
    expect(run('systemctl', ['is-enabled', UNIT]).code).not.toBe(0);
    // Removed, not purged: the school's config stays for a reinstall (Debian's meaning of remove).
    expect(existsSync(join(CONFIG_DIR, 'config.json'))).toBe(true);

    const purge = run('dpkg', ['--purge', PACKAGE]);
    expect(purge.code, purge.out).toBe(0);
    expect(existsSync(CONFIG_DIR)).toBe(false);
    expect(existsSync(DATA_DIR)).toBe(false);
    expect(run('dpkg-query', ['-W', PACKAGE]).code).not.toBe(0);
  }, STEP_MS);
});
