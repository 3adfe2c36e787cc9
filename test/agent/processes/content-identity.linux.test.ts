// Item 3 of the red-team pass: a renamed copy of a blocked program. The
// attacks run as a student (nobody, when the tests run as root) against the
// real /proc source, real files and the shipped catalog.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContentIdentity } from '../../../src/agent/processes/content-identity.ts';
import { ProcessGuard, type ProcessBlockEvent } from '../../../src/agent/processes/guard.ts';
import { createProcessKiller } from '../../../src/agent/processes/killer.ts';
import { createProcSource } from '../../../src/agent/processes/proc-source.linux.ts';
import { createCatalogIndex, type CatalogIndex } from '../../../src/core/catalog/match.ts';
import { CatalogSchema } from '../../../src/core/catalog/schema.ts';
import { catalog as shipped, duringLesson } from './decisions.ts';
import { createStandIns, ownChildren, type Running, type StandIns } from './stand-ins.ts';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

// Installed programs must be root's: without root the tests cannot make one.
describe.skipIf(process.platform !== 'linux' || !isRoot)('a renamed copy of a blocked program (content identity)', () => {
  let standIns: StandIns;
  let guards: ProcessGuard[];
  let events: ProcessBlockEvent[];
  /** Stands in for /usr/bin: root's, with a "discord" unlike any other file (sleep plus random bytes, which ELF ignores). */
  let installDir: string;
  let student: string;

  beforeEach(() => {
    standIns = createStandIns();
    guards = [];
    events = [];
    installDir = join(standIns.dir, 'usr-bin');
    mkdirSync(installDir, { mode: 0o755 });
    writeFileSync(join(installDir, 'discord'), Buffer.concat([readFileSync(realpathSync('/bin/sleep')), randomBytes(4096)]));
    chmodSync(join(installDir, 'discord'), 0o755);
    writeFileSync(join(installDir, 'kazam'), `#!/usr/bin/python3\n# ${randomBytes(16).toString('hex')}\nimport time\ntime.sleep(600)\n`);
    chmodSync(join(installDir, 'kazam'), 0o755);
    student = mkdtempSync(join(standIns.dir, 'home-'));
    chmodSync(student, 0o755);
    chownSync(student, NOBODY, NOBODY);
  });

  afterEach(async () => {
    await Promise.all(guards.map((g) => g.stop()));
    standIns.cleanUp();
  });

  /** What the student does: cp the file to their home under another name, made executable. */
  function studentCopy(from: string, name: string): string {
    const to = join(student, name);
    copyFileSync(from, to);
    chmodSync(to, 0o755);
    chownSync(to, NOBODY, NOBODY);
    return to;
  }

  const asStudent = { uid: NOBODY, gid: NOBODY };

  function startGuard(options: { catalog?: CatalogIndex; installDirs?: string[] } = {}): ProcessGuard {
    const catalog = options.catalog ?? shipped;
    const guard = new ProcessGuard({
      os: 'linux',
      catalog,
      source: ownChildren(createProcSource()),
      killer: createProcessKiller(),
      now: Date.now,
      ownUid: NOBODY,
      contentIdentity: (onSettled) => createContentIdentity({ os: 'linux', catalog, onSettled, installDirs: options.installDirs ?? [installDir] }),
      onBlock: (event) => events.push(event),
    });
    guard.setDecision(duringLesson());
    guard.start();
    guards.push(guard);
    return guard;
  }

  const eventsFor = (r: Running) => events.filter((e) => e.pid === r.pid);

  it('stops a copy of the installed Discord renamed to notes, and one renamed to firefox', async () => {
    const notes = standIns.run(studentCopy(join(installDir, 'discord'), 'notes'), ['600'], asStudent);
    const firefox = standIns.run(studentCopy(join(installDir, 'discord'), 'firefox'), ['600'], asStudent);
    startGuard();
    expect(await notes.ended()).toBe('SIGTERM');
    expect(await firefox.ended()).toBe('SIGTERM');
    expect(eventsFor(notes)).toMatchObject([{ service: 'discord', category: 'social', article: 'III.A.1' }]);
    expect(eventsFor(firefox)).toMatchObject([{ service: 'discord' }]);
  });

  it('stops a renamed copy run through the dynamic loader, and a renamed copy of a recorder script run by python3', async () => {
    const loader = ['/lib64/ld-linux-x86-64.so.2', '/lib/ld-linux-aarch64.so.1'].find((p) => existsSync(p));
    const viaLoader = loader === undefined ? undefined : standIns.run(loader, [studentCopy(join(installDir, 'discord'), 'werk'), '600'], asStudent);
    const script = standIns.run('python3', [studentCopy(join(installDir, 'kazam'), 'aantekeningen.py')], asStudent);
    startGuard();
    expect(await script.ended()).toBe('SIGTERM');
    expect(eventsFor(script)).toMatchObject([{ service: 'kazam', category: 'screen-recording' }]);
    if (viaLoader) {
      expect(await viaLoader.ended()).toBe('SIGTERM');
      expect(eventsFor(viaLoader)).toMatchObject([{ service: 'discord' }]);
    }
  });

  it('learns an installed program from the app running, and stops a copy made afterwards', async () => {
    // Nothing indexed up front: the real app runs from a folder the index does not look in.
    const guard = startGuard({ installDirs: [] });
    const real = standIns.run(join(installDir, 'discord'), ['600'], asStudent);
    expect(await real.ended()).toBe('SIGTERM');
    const copy = standIns.run(studentCopy(join(installDir, 'discord'), 'rekenmachine'), ['600'], asStudent);
    expect(await copy.ended()).toBe('SIGTERM');
    expect(eventsFor(copy)).toMatchObject([{ service: 'discord' }]);
    await guard.stop();
  });

  it('knows a program by a content the catalog lists, with no installed copy', async () => {
    const portable = join(standIns.dir, 'portable-discord');
    writeFileSync(portable, Buffer.concat([readFileSync(realpathSync('/bin/sleep')), randomBytes(1024)]));
    const bytes = readFileSync(portable);
    const json = JSON.parse(readFileSync(new URL('../../../resources/catalog/catalog.json', import.meta.url), 'utf8'));
    const discord = json.services.find((s: { id: string }) => s.id === 'discord');
    discord.match.linux = { ...discord.match.linux, contents: [{ sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length }] };
    const catalog = createCatalogIndex(CatalogSchema.parse(json));
    const copy = standIns.run(studentCopy(portable, 'spelletje'), ['600'], asStudent);
    startGuard({ catalog, installDirs: [] });
    expect(await copy.ended()).toBe('SIGTERM');
    expect(eventsFor(copy)).toMatchObject([{ service: 'discord' }]);
  });

  it('never guesses: a student\'s copy of a program the catalog does not know, and a file root did not install, stay', async () => {
    // sleep itself is not blocked; a "discord" the student wrote into a folder of their own is no installed program.
    const sleepCopy = standIns.run(studentCopy(realpathSync('/bin/sleep'), 'notes'), ['600'], asStudent);
    const fake = join(student, 'fake-usr-bin');
    mkdirSync(fake);
    chownSync(fake, NOBODY, NOBODY);
    const fakeDiscord = studentCopy(realpathSync('/bin/sleep'), 'fake-usr-bin/discord');
    const guard = startGuard({ installDirs: [fake] });
    // The student's "discord" is stopped by its name, but teaches the guard nothing: a copy of sleep stays a sleep.
    const named = standIns.run(fakeDiscord, ['600'], asStudent);
    expect(await named.ended()).toBe('SIGTERM');
    for (let i = 0; i < 5; i++) await guard.scan();
    expect(sleepCopy.alive()).toBe(true);
    expect(events.map((e) => e.pid)).toEqual([named.pid]);
  });
});
