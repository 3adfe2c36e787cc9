import { describe, expect, it } from 'vitest';
import { grantActiveWindow, GrantSchema } from '../../../src/core/grants/grant.ts';
import { parseInput } from '../../../src/core/validation.ts';

const valid = {
  id: 'g1',
  issuedBy: { username: 'jjansen', role: 'teacher', teacherCode: 'JNS' },
  reason: 'Filmpje maken voor biologie',
  scope: { kind: 'window', start: 1_000_000, end: 2_000_000 },
  allow: { categories: ['camera'] },
  issuedAt: 900_000,
  expiresAt: 1_500_000,
};
const parse = (input: unknown) => parseInput(GrantSchema, input, 'grant.json');

describe('grant schema', () => {
  it('fills in empty allow lists', () => {
    expect(parse(valid).allow).toEqual({ categories: ['camera'], services: [], capture: [] });
  });

  it('requires a reason, the educational purpose', () => {
    expect(() => parse({ ...valid, reason: '  ' })).toThrow(/reason: a reason \(the educational purpose\) is required/);
    const { reason: _, ...withoutReason } = valid;
    expect(() => parse(withoutReason)).toThrow(/reason/);
  });

  it('requires a teacher code on a teacher grant, not on a leader grant', () => {
    expect(() => parse({ ...valid, issuedBy: { username: 'x', role: 'teacher' } })).toThrow(/issuedBy\.teacherCode/);
    expect(parse({ ...valid, issuedBy: { username: 'x', role: 'leader' } }).issuedBy.role).toBe('leader');
  });

  it('rejects a grant that allows nothing, an unknown role, or a backwards window', () => {
    expect(() => parse({ ...valid, allow: {} })).toThrow(/at least one category/);
    expect(() => parse({ ...valid, issuedBy: { username: 'x', role: 'student' } })).toThrow(/issuedBy\.role/);
    expect(() => parse({ ...valid, scope: { kind: 'window', start: 5, end: 5 } })).toThrow(/scope\.end/);
    expect(() => parse({ ...valid, expiresAt: 800_000 })).toThrow(/expiresAt/);
  });

  it('applies only within its own window, its validity and before revocation', () => {
    const grant = parse(valid);
    expect(grantActiveWindow(grant)).toEqual({ from: 1_000_000, until: 1_500_000 });
    expect(grantActiveWindow({ ...grant, revokedAt: 1_200_000 })).toEqual({ from: 1_000_000, until: 1_200_000 });
  });
});
