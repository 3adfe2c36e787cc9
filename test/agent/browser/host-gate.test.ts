import { describe, expect, it } from 'vitest';
import { hostGate } from '../../../src/agent/browser/host-gate.ts';
import { browserRestrictions, NO_RESTRICTIONS } from '../../../src/agent/browser/restrictions.ts';
import { blocked, NEVER_BLOCK, SCHOOL, SCHOOL_UNDER_SOCIAL, SOCIAL, VIDEO } from './fixtures.ts';

const gate = hostGate(browserRestrictions(blocked(), NEVER_BLOCK));

describe('the decision proxy gate', () => {
  it.each([
    [SOCIAL, SOCIAL],
    [`m.${SOCIAL}`, SOCIAL],
    [`M.${SOCIAL.toUpperCase()}.`, SOCIAL],
    // Through Google Translate's proxy, once and twice over.
    ['m-lesmodus--test--social-example.translate.goog', SOCIAL],
    ['m--lesmodus----test----social--example-translate-goog.translate.goog', SOCIAL],
  ])('blocks %j as %s', (host, domain) => {
    expect(gate(host)).toEqual({ blocked: true, domain });
  });

  it.each([SCHOOL_UNDER_SOCIAL, `x.${SCHOOL_UNDER_SOCIAL}`, SCHOOL, VIDEO, `not${SOCIAL}`, `${SOCIAL}.evil.example`, '127.0.0.1', '::1', 'bad host', ''])(
    'lets %j through',
    (host) => {
      expect(gate(host)).toEqual({ blocked: false });
    },
  );

  it('blocks nothing outside lessons', () => {
    expect(hostGate(NO_RESTRICTIONS)(SOCIAL)).toEqual({ blocked: false });
  });
});
