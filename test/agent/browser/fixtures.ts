import { translateProxyHostsOf } from '../../../src/core/catalog/translate-proxy.ts';
import type { Decision } from '../../../src/core/policy/decide.ts';

/** Made-up domains: real social domains are HSTS-preloaded and would not load over plain http in a real browser. */
export const SOCIAL = 'lesmodus-test-social.example';
export const VIDEO = 'lesmodus-test-video.example';
/** A never-block domain that lies under a blocked one (think teams.live.com under live.com). */
/** What Chromium's URLBlocklist lists for SOCIAL: the domain and its Google Translate proxy hosts. */
export const SOCIAL_FILTERS = [SOCIAL, ...translateProxyHostsOf(SOCIAL)];
export const SCHOOL_UNDER_SOCIAL = `school.${SOCIAL}`;
export const SCHOOL = 'lesmodus-test-school.example';

export const NEVER_BLOCK = [SCHOOL, SCHOOL_UNDER_SOCIAL];
export const CATALOG_DOMAINS = [SOCIAL, VIDEO];

type Blocked = Decision['blocked'];

export function blocked(overrides: Partial<Blocked> = {}): Blocked {
  return { categories: ['social'], services: ['test-social'], domains: [SOCIAL], capture: [], ...overrides };
}

export const NOTHING_BLOCKED: Blocked = { categories: [], services: [], domains: [], capture: [] };

/** A lesson under III.A.1 and III.A.2: social media and every kind of capture. */
export const LESSON_BLOCKED: Blocked = blocked({ capture: ['camera', 'microphone', 'screen'] });
