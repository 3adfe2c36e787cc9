import { describe, expect, it } from 'vitest';
import { chromiumLessonPolicy, chromiumRoutePolicy } from '../../../src/agent/browser/chromium-policy.ts';
import { browserRestrictions } from '../../../src/agent/browser/restrictions.ts';
import { blocked, LESSON_BLOCKED, NEVER_BLOCK, NOTHING_BLOCKED, SCHOOL_UNDER_SOCIAL, SOCIAL_FILTERS } from './fixtures.ts';

describe('Chromium lesson policy', () => {
  it('blocks each domain as a bare host filter (host and subdomains) and switches capture off', () => {
    expect(chromiumLessonPolicy(browserRestrictions(LESSON_BLOCKED, NEVER_BLOCK))).toEqual({
      URLBlocklist: SOCIAL_FILTERS,
      URLAllowlist: [SCHOOL_UNDER_SOCIAL],
      VideoCaptureAllowed: false,
      AudioCaptureAllowed: false,
      ScreenCaptureAllowed: false,
    });
  });

  it('sets only what the decision blocks', () => {
    expect(chromiumLessonPolicy(browserRestrictions(blocked({ domains: [], capture: ['microphone'] }), []))).toEqual({ AudioCaptureAllowed: false });
    expect(chromiumLessonPolicy(browserRestrictions(blocked(), []))).toEqual({ URLBlocklist: SOCIAL_FILTERS });
  });

  it('is null when nothing is blocked: the file is removed, not relaxed', () => {
    expect(chromiumLessonPolicy(browserRestrictions(NOTHING_BLOCKED, NEVER_BLOCK))).toBeNull();
  });
});

describe('Chromium route policy', () => {
  it('points ProxySettings at the PAC script', () => {
    expect(chromiumRoutePolicy({ pacUrl: 'data:application/x-ns-proxy-autoconfig;base64,AA==' })).toEqual({
      ProxySettings: { ProxyMode: 'pac_script', ProxyPacUrl: 'data:application/x-ns-proxy-autoconfig;base64,AA==' },
    });
  });
});
