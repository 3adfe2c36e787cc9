import { describe, expect, it } from 'vitest';
import { browserRestrictions, isUnrestricted, NO_RESTRICTIONS } from '../../../src/agent/browser/restrictions.ts';
import { blocked, LESSON_BLOCKED, NEVER_BLOCK, NOTHING_BLOCKED, SCHOOL, SCHOOL_UNDER_SOCIAL, SOCIAL, VIDEO } from './fixtures.ts';

describe('browser restrictions from a decision', () => {
  it('carries the blocked domains and capture kinds of a lesson', () => {
    expect(browserRestrictions(LESSON_BLOCKED, [])).toEqual({
      blockedDomains: [SOCIAL],
      allowedDomains: [],
      camera: true,
      microphone: true,
      screen: true,
    });
  });

  it('lists a never-block domain under a blocked one as an exception, and no other never-block domain', () => {
    expect(browserRestrictions(blocked({ domains: [SOCIAL, VIDEO] }), NEVER_BLOCK).allowedDomains).toEqual([SCHOOL_UNDER_SOCIAL]);
  });

  it('drops a blocked domain that is, or lies under, a never-block domain', () => {
    const r = browserRestrictions(blocked({ domains: [SCHOOL, `cdn.${SCHOOL}`, SOCIAL] }), [SCHOOL]);
    expect(r.blockedDomains).toEqual([SOCIAL]);
  });

  it('sorts and deduplicates domains, case-insensitively', () => {
    expect(browserRestrictions(blocked({ domains: [VIDEO, SOCIAL.toUpperCase(), SOCIAL] }), []).blockedDomains).toEqual([SOCIAL, VIDEO]);
  });

  it('is unrestricted when nothing is blocked, and not when only capture is', () => {
    expect(browserRestrictions(NOTHING_BLOCKED, NEVER_BLOCK)).toEqual(NO_RESTRICTIONS);
    expect(isUnrestricted(browserRestrictions(NOTHING_BLOCKED, NEVER_BLOCK))).toBe(true);
    expect(isUnrestricted(browserRestrictions({ ...NOTHING_BLOCKED, capture: ['screen'] }, []))).toBe(false);
  });
});
