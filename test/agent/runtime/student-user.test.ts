import { describe, expect, it } from 'vitest';
import { subordinateUidsOf } from '../../../src/agent/runtime/student-user.ts';

describe('subordinateUidsOf', () => {
  it('reads the student\'s ranges from /etc/subuid by login name or uid, and only theirs', () => {
    const subuid = 'sanne:100000:65536\nbob:165536:65536\n1001:231072:1000\n# comment\nbroken line\nsanne:x:1\n';
    expect(subordinateUidsOf({ uid: 1001, loginName: 'sanne' }, subuid)).toEqual([{ start: 100000, count: 65536 }, { start: 231072, count: 1000 }]);
    expect(subordinateUidsOf({ uid: 1002, loginName: null }, subuid)).toEqual([]);
    expect(subordinateUidsOf({ uid: 1001, loginName: 'sanne' }, '')).toEqual([]);
  });
});
