import { describe, expect, it } from 'vitest';
import { PolicySchema } from '../../../src/core/policy/schema.ts';
import { InputError, parseInput } from '../../../src/core/validation.ts';
import { svokPolicy } from '../../helpers/policy.ts';

const parse = (input: unknown) => parseInput(PolicySchema, input, 'policy.json');

describe('policy schema', () => {
  it('accepts the SVOK policy with one rule per article', () => {
    expect(svokPolicy.name).toBe('Gedragscode Social Media SVOK');
    expect(svokPolicy.effective).toBe('2025-12-14');
    expect(svokPolicy.rules.map((r) => r.article)).toEqual(['III.A.1', 'III.A.2', 'III.A.3']);
  });

  it('names the field when the zone is unknown', () => {
    expect(() => parse({ ...svokPolicy, timeZone: 'Mars/Olympus' })).toThrow(/timeZone: use an IANA zone name/);
  });

  it('rejects an impossible effective date', () => {
    expect(() => parse({ ...svokPolicy, effective: '2025-02-30' })).toThrow(/effective: use a real date/);
  });

  it('rejects a school day that ends before it starts', () => {
    expect(() => parse({ ...svokPolicy, schoolDay: { weekdays: [1], start: '17:00', end: '08:00' } })).toThrow(/schoolDay\.end/);
  });

  it('rejects an exception article that points at no block rule', () => {
    const rules = svokPolicy.rules.map((r) => (r.kind === 'exception' ? { ...r, appliesTo: ['no-such-rule'] } : r));
    expect(() => parse({ ...svokPolicy, rules })).toThrow(/"no-such-rule", which is not a block rule/);
  });

  it('rejects duplicate rule ids and unknown categories, listing each problem', () => {
    const [first] = svokPolicy.rules;
    const bad = { ...first, clauses: [{ when: 'lesson', categories: ['gaming'] }] };
    try {
      parse({ ...svokPolicy, rules: [first, first, bad] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      const paths = (error as InputError).issues.map((i) => i.path);
      expect(paths).toContain('rules[2].clauses[0].categories[0]');
    }
    expect(() => parse({ ...svokPolicy, rules: [first, first] })).toThrow(/duplicate rule id "social-media-during-lessons"/);
  });

  it('rejects a file that is not a policy at all', () => {
    expect(() => parse('hello')).toThrow(InputError);
    expect(() => parse({})).toThrow(/name/);
  });
});
