import { describe, expect, it } from 'vitest';
import { studentForService, subordinateUidsOf } from '../../../src/agent/runtime/student-user.ts';

describe('subordinateUidsOf', () => {
  it('reads the student\'s ranges from /etc/subuid by login name or uid, and only theirs', () => {
    const subuid = 'sanne:100000:65536\nbob:165536:65536\n1001:231072:1000\n# comment\nbroken line\nsanne:x:1\n';
    expect(subordinateUidsOf({ uid: 1001, loginName: 'sanne' }, subuid)).toEqual([{ start: 100000, count: 65536 }, { start: 231072, count: 1000 }]);
    expect(subordinateUidsOf({ uid: 1002, loginName: null }, subuid)).toEqual([]);
    expect(subordinateUidsOf({ uid: 1001, loginName: 'sanne' }, '')).toEqual([]);
  });
});

describe.skipIf(process.platform === 'win32')('studentForService', () => {
  const passwd = () => 'root:x:0:0:root:/root:/bin/bash\nsanne:x:1001:1001:Sanne:/home/sanne:/bin/bash\n';
  const asRoot = { uid: 0, loginName: null };

  it('acts for the user logged in when a root service was not told whom (not for root itself)', async () => {
    expect(await studentForService(asRoot, async () => 'sanne', passwd)).toEqual({ uid: 1001, loginName: 'sanne' });
  });

  it('knows no student when nobody but root is logged in, or the login is not on this machine: it then stops nothing', async () => {
    expect(await studentForService(asRoot, async () => null, passwd)).toEqual({ uid: null, loginName: null });
    expect(await studentForService(asRoot, async () => 'root', passwd)).toEqual({ uid: null, loginName: null });
    expect(await studentForService(asRoot, async () => { throw new Error('no utmp'); }, passwd)).toEqual({ uid: null, loginName: null });
    expect(await studentForService(asRoot, async () => 'bob', passwd)).toEqual({ uid: null, loginName: 'bob' });
  });

  it('keeps a student given with --user, and an agent running as the student', async () => {
    expect(await studentForService({ uid: 0, loginName: 'root' }, async () => 'sanne', passwd)).toEqual({ uid: 0, loginName: 'root' });
    expect(await studentForService({ uid: 1001, loginName: null }, async () => 'bob', passwd)).toEqual({ uid: 1001, loginName: null });
  });
});
