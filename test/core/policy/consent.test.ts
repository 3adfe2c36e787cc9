import { describe, expect, it } from 'vitest';
import type { GrantInput } from '../../../src/core/grants/grant.ts';
import { consentsNeeded, hasConsent, liftsAnything, parseSchoolYear, schoolYearOf } from '../../../src/core/policy/consent.ts';
import { decide } from '../../../src/core/policy/decide.ts';
import { blockNotice, explain } from '../../../src/core/policy/explain.ts';
import { PolicySchema } from '../../../src/core/policy/schema.ts';
import { ams, jansenGrant, lesson, smallCatalog, svokPolicy } from '../../helpers/policy.ts';

const catalog = smallCatalog();
const ZONE = 'Europe/Amsterdam';
const ne = lesson({ uid: 'ne-1', start: ams('2026-11-23 08:30'), end: ams('2026-11-23 09:20') });
const year = schoolYearOf(ne.start, ZONE);
const socialConsent = { register: 'social-media', from: year.from, to: year.to };

const grant = (overrides: Partial<GrantInput> = {}) => jansenGrant(ne, overrides);

const AT = ams('2026-11-23 08:45');

describe('school years', () => {
  it('run from 1 August to 1 August in the school\'s zone', () => {
    expect(schoolYearOf(ams('2026-07-31 23:59'), ZONE).label).toBe('2025-2026');
    expect(schoolYearOf(ams('2026-08-01 00:00'), ZONE)).toEqual({ label: '2026-2027', from: ams('2026-08-01 00:00'), to: ams('2027-08-01 00:00') });
    expect(new Date(ams('2026-08-01 00:00')).toISOString()).toBe('2026-07-31T22:00:00.000Z'); // summer time
  });

  it('parse from "2026-2027" and refuse anything else', () => {
    expect(parseSchoolYear('2026-2027', ZONE)?.from).toBe(ams('2026-08-01 00:00'));
    for (const bad of ['2026-2028', '2026/2027', '26-27', '']) expect(parseSchoolYear(bad, ZONE)).toBeUndefined();
  });
});

describe('which exceptions need consent (III.B.9)', () => {
  it('social media by category or by service; recordings do not', () => {
    const need = [{ register: 'social-media', article: 'III.B.9' }];
    expect(consentsNeeded({ categories: ['social'], services: [], capture: [] }, svokPolicy, catalog)).toEqual(need);
    expect(consentsNeeded({ categories: [], services: ['instagram'], capture: [] }, svokPolicy, catalog)).toEqual(need);
    expect(consentsNeeded({ categories: ['camera'], services: ['obs'], capture: ['camera'] }, svokPolicy, catalog)).toEqual([]);
    expect(consentsNeeded({ categories: ['social', 'camera'], services: [], capture: [] }, svokPolicy, catalog)).toEqual(need);
  });

  it('follow the policy: without a consent on the rule nothing needs one', () => {
    const raw = structuredClone(svokPolicy) as { rules: { exceptions?: { consent?: unknown } | null }[] };
    for (const rule of raw.rules) if (rule.exceptions) delete rule.exceptions.consent;
    expect(consentsNeeded({ categories: ['social'], services: [], capture: [] }, PolicySchema.parse(raw), catalog)).toEqual([]);
  });

  it('an exception takes effect unless everything it allows waits for a consent the student lacks', () => {
    const none = { categories: [], services: [], capture: [] };
    expect(liftsAnything({ ...none, categories: ['social'] }, svokPolicy, catalog, [], AT)).toBe(false);
    expect(liftsAnything({ ...none, services: ['instagram'] }, svokPolicy, catalog, [], AT)).toBe(false);
    expect(liftsAnything({ ...none, categories: ['social'] }, svokPolicy, catalog, [socialConsent], AT)).toBe(true);
    expect(liftsAnything({ ...none, categories: ['social'] }, svokPolicy, catalog, undefined, AT)).toBe(true);
    expect(liftsAnything({ ...none, categories: ['social'], capture: ['camera'] }, svokPolicy, catalog, [], AT)).toBe(true);
  });

  it('a consent holds from its start, until (not at) its end', () => {
    expect(hasConsent([socialConsent], 'social-media', year.from)).toBe(true);
    expect(hasConsent([socialConsent], 'social-media', year.to)).toBe(false);
    expect(hasConsent([socialConsent], 'images', AT)).toBe(false);
  });
});

describe('decide with a consent register', () => {
  it('lets a teacher\'s social-media exception lift the block only for a student with consent this school year', () => {
    const withConsent = decide(AT, [ne], svokPolicy, [grant()], { catalog, onSchoolNetwork: false, consents: [socialConsent] });
    expect(withConsent.blocked.categories).toEqual([]);
    const without = decide(AT, [ne], svokPolicy, [grant()], { catalog, onSchoolNetwork: false, consents: [] });
    expect(without.blocked.categories).toEqual(['social']);
    expect(without.allowed).toEqual([]);
    expect(without.ignoredGrants).toEqual([{ grant: 'g1', why: 'no-consent', article: 'III.B.9' }]);
    const lastYear = decide(AT, [ne], svokPolicy, [grant()], { catalog, onSchoolNetwork: false, consents: [{ ...socialConsent, from: year.from - 365 * 86_400_000, to: year.from }] });
    expect(lastYear.blocked.categories).toEqual(['social']);
  });

  it('checks nothing where no register is kept (no consents given at all)', () => {
    expect(decide(AT, [ne], svokPolicy, [grant()], { catalog, onSchoolNetwork: false }).blocked.categories).toEqual([]);
  });

  it('still lifts what needs no consent: one exception for social media and recordings lifts only the recordings', () => {
    const both = grant({ allow: { categories: ['social', 'camera'], capture: ['camera'] } });
    const d = decide(AT, [ne], svokPolicy, [both], { catalog, onSchoolNetwork: true, consents: [] });
    expect(d.blocked.categories).toEqual(['social', 'screen-recording', 'audio-recording']);
    expect(d.blocked.capture).toEqual(['microphone', 'screen']);
    expect(d.allowed).toEqual([expect.objectContaining({ grant: 'g1', categories: ['camera'], capture: ['camera'], articles: ['III.A.3'] })]);
    expect(d.ignoredGrants).toEqual([{ grant: 'g1', why: 'no-consent', article: 'III.B.9' }]);
  });

  it('re-decides when a consent starts during the lesson', () => {
    const from = ams('2026-11-23 09:00');
    const d = decide(AT, [ne], svokPolicy, [grant()], { catalog, onSchoolNetwork: false, consents: [{ register: 'social-media', from, to: year.to }] });
    expect(d.nextChange).toBe(from);
    expect(decide(from, [ne], svokPolicy, [grant()], { catalog, onSchoolNetwork: false, consents: [{ register: 'social-media', from, to: year.to }] }).blocked.categories).toEqual([]);
  });

  it('tells the student why the exception does not reach them, citing III.B.9, instead of "ask your teacher"', () => {
    const d = decide(AT, [ne], svokPolicy, [grant()], { catalog, onSchoolNetwork: false, consents: [] });
    expect(explain(d, svokPolicy).hint).toEqual({
      nl: 'Je docent heeft een uitzondering gegeven, maar voor dit schooljaar is geen toestemming van jou of je ouders geregistreerd (art. III.B.9 Gedragscode Social Media SVOK). Vraag je mentor hoe je die geeft.',
      en: 'Your teacher granted an exception, but no consent from you or your parents is registered for this school year (art. III.B.9 Gedragscode Social Media SVOK). Ask your mentor how to give it.',
    });
    expect(blockNotice({ name: 'Instagram', category: 'social' }, d, svokPolicy)?.nl).toBe(
      'Instagram is geblokkeerd tijdens de les ne, tot 09:20 (art. III.A.1 Gedragscode Social Media SVOK). Je docent heeft een uitzondering gegeven, maar voor dit schooljaar is geen toestemming van jou of je ouders geregistreerd (art. III.B.9 Gedragscode Social Media SVOK). Vraag je mentor hoe je die geeft.',
    );
    const noGrant = decide(AT, [ne], svokPolicy, [], { catalog, onSchoolNetwork: false, consents: [] });
    expect(blockNotice({ name: 'Instagram', category: 'social' }, noGrant, svokPolicy)?.nl).toMatch(/Vraag je docent om een uitzondering\.$/);
  });
});
