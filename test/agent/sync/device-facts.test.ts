import { describe, expect, it } from 'vitest';
import { studentLoginName, systemFacts } from '../../../src/agent/sync/device-facts.ts';
import { resolveStudentUser } from '../../../src/agent/runtime/student-user.ts';


describe('systemFacts', () => {
  it('reports this machine: hostname, OS, the agent version and the student given; a placeholder serial as null', async () => {
    const facts = await systemFacts('9.9.9', { studentLogin: 'sanne' })();
    expect(facts).toMatchObject({ os: process.platform, agentVersion: '9.9.9', loginName: 'sanne' });
    expect(facts.hostname.length).toBeGreaterThan(0);
    expect(facts.serial === null || /\S/.test(facts.serial)).toBe(true);
  });
});

describe('studentLoginName', () => {
  it('reports the student named with --user, whoever the agent runs as', async () => {
    expect(await studentLoginName({ studentLogin: 'sanne', sessionUsers: async () => ['root'] })).toBe('sanne');
  });

  it('reports the user the agent runs as when that is not a service account', async () => {
    expect(await studentLoginName({ ownUser: () => 'daan', sessionUsers: async () => ['someone-else'] })).toBe('daan');
  });

  it.each(['root', 'SYSTEM'])('running as %s, reports the first logged-in user that is not a service account (Windows DOMAIN\\user as user)', async (service) => {
    expect(await studentLoginName({ ownUser: () => service, sessionUsers: async () => ['root', 'SVOK\\sanne', 'daan'] })).toBe('sanne');
  });

  it('as a service with nobody logged in (or no session list), reports the service account itself', async () => {
    expect(await studentLoginName({ ownUser: () => 'root', sessionUsers: async () => [] })).toBe('root');
    expect(await studentLoginName({ ownUser: () => 'root', sessionUsers: async () => { throw new Error('no utmp'); } })).toBe('root');
  });
});

describe.skipIf(process.platform === 'win32')('resolveStudentUser', () => {
  const passwd = () => 'root:x:0:0:root:/root:/bin/bash\nsanne:x:1001:1001:Sanne:/home/sanne:/bin/bash\nbroken-line\n';

  it('resolves a name to its uid and keeps the name for enrollment', () => {
    expect(resolveStudentUser('sanne', passwd)).toEqual({ uid: 1001, loginName: 'sanne' });
  });

  it('resolves a numeric uid, naming it when /etc/passwd knows it', () => {
    expect(resolveStudentUser('1001', passwd)).toEqual({ uid: 1001, loginName: 'sanne' });
    expect(resolveStudentUser('40123', passwd)).toEqual({ uid: 40123, loginName: null });
  });

  it('without --user acts for itself and leaves the name to the device facts', () => {
    expect(resolveStudentUser(undefined, passwd)).toEqual({ uid: process.getuid!(), loginName: null });
  });

  it('refuses an unknown name with what to give instead', () => {
    expect(() => resolveStudentUser('daan', passwd)).toThrow(/no user 'daan'.*\/etc\/passwd or a numeric uid/);
  });
});
