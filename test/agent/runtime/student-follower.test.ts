import { describe, expect, it } from 'vitest';
import { consoleSession, consoleSessionOf, parseProperties } from '../../../src/agent/runtime/session-user.linux.ts';
import { consoleLogin, followsConsole, StudentFollower } from '../../../src/agent/runtime/student-follower.ts';

const passwd = () => 'root:x:0:0:root:/root:/bin/bash\nsanne:x:1001:1001:Sanne:/home/sanne:/bin/bash\ndaan:x:1002:1002:Daan:/home/daan:/bin/bash\n';
const asRoot = { uid: 0, loginName: null };
const noRanges = () => [];

/** What loginctl printed on a laptop with Sanne at the console (the property order is loginctl's). */
const SEAT = 'ActiveSession=3\n';
const session = (fields: Record<string, string>) => Object.entries({ Id: '3', Name: 'sanne', User: '1001', Remote: 'no', Class: 'user', ...fields }).map(([k, v]) => `${k}=${v}`).join('\n');

describe('the console session (logind)', () => {
  it('is the local user session active on seat0', () => {
    expect(parseProperties('A=1\nB=x=y\nnot a property\n')).toEqual(new Map([['A', '1'], ['B', 'x=y']]));
    expect(consoleSessionOf(SEAT, session({}))).toEqual({ name: 'sanne', uid: 1001 });
  });

  it('is nobody at the login screen, in a remote session, or with no active session', () => {
    expect(consoleSessionOf(SEAT, session({ Class: 'greeter', Name: 'gdm', User: '120' }))).toBeNull();
    expect(consoleSessionOf(SEAT, session({ Remote: 'yes' }))).toBeNull();
    expect(consoleSessionOf('ActiveSession=\n', session({}))).toBeNull();
    expect(consoleSessionOf(SEAT, session({ Id: '4' }))).toBeNull();
  });

  it('asks loginctl for seat0 and then for its active session', async () => {
    const asked: string[][] = [];
    const found = await consoleSession(async (command, args) => {
      asked.push([command, ...args]);
      return args[0] === 'show-seat' ? SEAT : session({});
    });
    expect(found).toEqual({ name: 'sanne', uid: 1001 });
    expect(asked.map((a) => a.slice(0, 3))).toEqual([['loginctl', 'show-seat', 'seat0'], ['loginctl', 'show-session', '3']]);
  });

  it('falls back to the logged-in users (utmp) only when logind cannot be asked, not when nobody is at the console', async () => {
    const noLogind = consoleLogin(async () => 'daan', () => Promise.reject(new Error('System has not been booted with systemd')));
    expect(await noLogind()).toBe('daan');
    const nobody = consoleLogin(async () => 'daan', async () => null);
    expect(await nobody()).toBeNull();
  });
});

describe.skipIf(process.platform === 'win32')('the student a root service follows', () => {
  it('is whoever is at the console, followed through a user switch, and nobody (stopping nothing, and saying so) when no one is', async () => {
    const at: (string | null)[] = ['sanne', 'sanne', 'daan', null];
    const follower = await StudentFollower.start({ given: asRoot, consoleLogin: async () => at.shift() ?? null, dryRun: false, passwd, subordinateUids: noRanges });
    expect(follower.follows).toBe(true);
    expect(follower.current).toMatchObject({ uid: 1001, loginName: 'sanne' });
    expect(follower.apps()).toEqual({ state: 'stopping', student: 'sanne', from: 'console' });
    expect(await follower.check()).toBeNull(); // still Sanne
    expect(await follower.check()).toMatchObject({ uid: 1002, loginName: 'daan' });
    expect(await follower.check()).toMatchObject({ uid: null, loginName: null });
    expect(follower.apps()).toEqual({ state: 'no-student', student: null, from: 'console' });
  });

  it('is never looked up again when given (--user) or when the agent runs as the student; dry-run says it reports only', async () => {
    const lookups: string[] = [];
    const given = await StudentFollower.start({
      given: { uid: 1001, loginName: 'sanne' }, consoleLogin: async () => { lookups.push('asked'); return 'daan'; }, dryRun: true, passwd, subordinateUids: noRanges,
    });
    expect(await given.check()).toBeNull();
    expect(lookups).toEqual([]);
    expect(given.apps()).toEqual({ state: 'dry-run', student: 'sanne', from: 'given' });
    expect(followsConsole(asRoot, 'win32')).toBe(false);
    expect(followsConsole({ uid: 0, loginName: 'root' }, 'linux')).toBe(false);
  });

  it('gives the followed student their own subordinate uids', async () => {
    const follower = await StudentFollower.start({
      given: asRoot, consoleLogin: async () => 'sanne', dryRun: false, passwd,
      subordinateUids: (s) => (s.uid === 1001 ? [{ start: 100000, count: 65536 }] : []),
    });
    expect(follower.current.subordinateUids).toEqual([{ start: 100000, count: 65536 }]);
  });
});
