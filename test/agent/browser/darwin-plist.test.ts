import { describe, expect, it } from 'vitest';
import { darwinPolicyPlan, darwinPreferences } from '../../../src/agent/browser/darwin-policy-plan.ts';
import { plistXml } from '../../../src/agent/browser/darwin-plist.ts';
import { browserRestrictions, NO_RESTRICTIONS } from '../../../src/agent/browser/restrictions.ts';
import { blocked, SOCIAL, SOCIAL_FILTERS } from './fixtures.ts';

const ROUTE = { pacUrl: 'data:application/x-ns-proxy-autoconfig;base64,AA==' };

describe('macOS managed preferences', () => {
  it('writes a Chrome plist with the route and the lesson policy', () => {
    const r = browserRestrictions(blocked({ capture: ['camera'] }), []);
    expect(plistXml(darwinPreferences('chrome', r, ROUTE)!)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
        '<plist version="1.0">',
        '<dict>',
        '\t<key>ProxySettings</key>',
        '\t<dict>',
        '\t\t<key>ProxyMode</key>',
        '\t\t<string>pac_script</string>',
        '\t\t<key>ProxyPacUrl</key>',
        `\t\t<string>${ROUTE.pacUrl}</string>`,
        '\t</dict>',
        '\t<key>URLBlocklist</key>',
        '\t<array>',
        ...SOCIAL_FILTERS.map((filter) => `\t\t<string>${filter}</string>`),
        '\t</array>',
        '\t<key>VideoCaptureAllowed</key>',
        '\t<false/>',
        '</dict>',
        '</plist>',
        '',
      ].join('\n'),
    );
  });

  it('enables enterprise policies for Firefox, which reads its domain only when told to', () => {
    expect(darwinPreferences('firefox', browserRestrictions(blocked(), []), null)).toEqual({
      EnterprisePoliciesEnabled: true,
      WebsiteFilter: { Block: [`*://*.${SOCIAL}/*`] },
    });
  });

  it('escapes XML in strings', () => {
    expect(plistXml({ a: '<&>' })).toContain('<string>&lt;&amp;&gt;</string>');
  });

  it('plans one shared plist per preference domain, removed when Lesmodus sets nothing', () => {
    const plan = darwinPolicyPlan(NO_RESTRICTIONS, null);
    expect(plan.map((f) => f.path)).toEqual([
      '/Library/Managed Preferences/com.google.Chrome.plist',
      '/Library/Managed Preferences/org.chromium.Chromium.plist',
      '/Library/Managed Preferences/com.microsoft.Edge.plist',
      '/Library/Managed Preferences/com.brave.Browser.plist',
      '/Library/Managed Preferences/org.mozilla.firefox.plist',
    ]);
    expect(plan.every((f) => f.kind === 'shared' && f.content === null)).toBe(true);
  });
});
