import { describe, expect, it } from 'vitest';
import { firefoxPolicies } from '../../../src/agent/browser/firefox-policy.ts';
import { browserRestrictions, NO_RESTRICTIONS } from '../../../src/agent/browser/restrictions.ts';
import { blocked, LESSON_BLOCKED, NEVER_BLOCK, SCHOOL_UNDER_SOCIAL, SOCIAL } from './fixtures.ts';

const ROUTE = { pacUrl: 'data:application/x-ns-proxy-autoconfig;base64,AA==' };

describe('Firefox policies.json', () => {
  it('blocks sites by match pattern, keeps never-block exceptions and locks camera, microphone and screen sharing', () => {
    expect(firefoxPolicies(browserRestrictions(LESSON_BLOCKED, NEVER_BLOCK), ROUTE)).toEqual({
      policies: {
        Proxy: { Mode: 'autoConfig', AutoConfigURL: ROUTE.pacUrl, Locked: true },
        WebsiteFilter: { Block: [`*://*.${SOCIAL}/*`], Exceptions: [`*://*.${SCHOOL_UNDER_SOCIAL}/*`] },
        Permissions: {
          Camera: { BlockNewRequests: true, Locked: true },
          Microphone: { BlockNewRequests: true, Locked: true },
          ScreenShare: { BlockNewRequests: true, Locked: true },
        },
      },
    });
  });

  it('keeps only the route outside lessons, and nothing at all without a route', () => {
    expect(firefoxPolicies(NO_RESTRICTIONS, ROUTE)).toEqual({ policies: { Proxy: { Mode: 'autoConfig', AutoConfigURL: ROUTE.pacUrl, Locked: true } } });
    expect(firefoxPolicies(NO_RESTRICTIONS, null)).toBeNull();
  });

  it('leaves out Exceptions and Permissions it does not need', () => {
    expect(firefoxPolicies(browserRestrictions(blocked(), []), null)).toEqual({ policies: { WebsiteFilter: { Block: [`*://*.${SOCIAL}/*`] } } });
  });
});
