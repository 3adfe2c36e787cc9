import { describe, expect, it } from 'vitest';
import { loadCatalogIndex } from '../../../src/adapters/resources.ts';
import type { GrantInput } from '../../../src/core/grants/grant.ts';
import { decide } from '../../../src/core/policy/decide.ts';
import { PolicySchema } from '../../../src/core/policy/schema.ts';
import { ams, jansenGrant, lesson, smallCatalog, svokPolicy } from '../../helpers/policy.ts';

const catalog = smallCatalog();
const offSite = { catalog, onSchoolNetwork: false };
const onSite = { catalog, onSchoolNetwork: true };

const ne = lesson({ uid: 'ne-1', start: ams('2026-11-23 08:30'), end: ams('2026-11-23 09:20') });
const wis = lesson({ uid: 'wis-1', subject: 'wisb', teachers: ['VRM'], start: ams('2026-11-23 09:20'), end: ams('2026-11-23 10:10') });
const gsCancelled = lesson({ uid: 'gs-1', subject: 'gs', cancelled: true, start: ams('2026-11-23 10:30'), end: ams('2026-11-23 11:20') });
const infOnline = lesson({ uid: 'inf-1', subject: 'inf', online: true, location: null, start: ams('2026-11-25 12:30'), end: ams('2026-11-25 13:20') });
const week = [infOnline, gsCancelled, wis, ne]; // deliberately unsorted

const grant = (overrides: Partial<GrantInput> = {}) => jansenGrant(ne, overrides);

describe('decide', () => {
  it('blocks social media during a lesson and says why', () => {
    const d = decide(ams('2026-11-23 08:45'), week, svokPolicy, [], offSite);
    expect(d.inLesson).toBe(true);
    expect(d.lesson?.uid).toBe('ne-1');
    expect(d.blocked.categories).toEqual(['social']);
    expect(d.blocked.services).toEqual(['instagram', 'tiktok']);
    expect(d.blocked.domains).toEqual(['cdninstagram.com', 'instagram.com', 'tiktok.com']);
    expect(d.blocked.capture).toEqual([]);
    expect(d.reasons).toEqual([
      expect.objectContaining({ rule: 'social-media-during-lessons', article: 'III.A.1', condition: 'lesson', until: ne.end }),
    ]);
  });

  it('changes next when the lesson ends, even when the next lesson follows at once', () => {
    expect(decide(ams('2026-11-23 08:45'), week, svokPolicy, [], offSite).nextChange).toBe(ne.end);
    expect(decide(ams('2026-11-23 09:20'), week, svokPolicy, [], offSite).lesson?.uid).toBe('wis-1');
  });

  it('treats the end of a lesson as exclusive and its start as inclusive', () => {
    expect(decide(ne.start, week, svokPolicy, [], offSite).inLesson).toBe(true);
    expect(decide(ne.start - 1, week, svokPolicy, [], offSite).inLesson).toBe(false);
    expect(decide(wis.end, week, svokPolicy, [], offSite).inLesson).toBe(false);
  });

  it('does not treat a cancelled lesson as a lesson', () => {
    const d = decide(ams('2026-11-23 10:45'), week, svokPolicy, [], offSite);
    expect(d.inLesson).toBe(false);
    expect(d.blocked.categories).toEqual([]);
    expect(d.nextChange).toBe(infOnline.start);
  });

  it('blocks recording apps and all browser capture on school premises during school hours', () => {
    const d = decide(ams('2026-11-23 10:45'), week, svokPolicy, [], onSite);
    expect(d.onSchoolPremises).toBe(true);
    expect(d.blocked.categories).toEqual(['camera', 'screen-recording', 'audio-recording']);
    expect(d.blocked.services).toEqual(['obs', 'cheese']);
    expect(d.blocked.capture).toEqual(['camera', 'microphone', 'screen']);
    expect(d.reasons[0]).toMatchObject({ article: 'III.A.2', condition: 'school-premises', lesson: null, until: ams('2026-11-23 17:30') });
  });

  it('does not block recordings on the school network outside school hours', () => {
    const d = decide(ams('2026-11-23 18:00'), week, svokPolicy, [], onSite);
    expect(d.onSchoolPremises).toBe(false);
    expect(d.blocked.categories).toEqual([]);
    expect(d.nextChange).toBe(ams('2026-11-24 08:00'));
  });

  it('blocks recordings in a lesson on the school network outside school hours (an evening, a Saturday), until the lesson ends', () => {
    const evening = lesson({ uid: 'avond-1', subject: 'ckv', start: ams('2026-11-23 19:00'), end: ams('2026-11-23 20:30') });
    const saturday = lesson({ uid: 'open-dag', subject: 'ckv', start: ams('2026-11-28 10:00'), end: ams('2026-11-28 12:00') });
    const d = decide(ams('2026-11-23 19:15'), [evening], svokPolicy, [], onSite);
    expect(d.onSchoolPremises).toBe(true);
    expect(d.blocked.categories).toEqual(expect.arrayContaining(['camera', 'screen-recording', 'audio-recording']));
    expect(d.reasons.find((r) => r.article === 'III.A.2')).toMatchObject({ condition: 'school-premises', until: ams('2026-11-23 20:30') });
    expect(d.nextChange).toBe(ams('2026-11-23 20:30'));
    expect(decide(ams('2026-11-28 11:00'), [saturday], svokPolicy, [], onSite).onSchoolPremises).toBe(true);
    // The same lesson at home: III.A.1 only, no recording rule.
    expect(decide(ams('2026-11-23 19:15'), [evening], svokPolicy, [], offSite).blocked.categories).toEqual(['social']);
    // A lesson running past the end of school hours keeps the rule until it ends.
    const late = lesson({ uid: 'laat', start: ams('2026-11-23 17:00'), end: ams('2026-11-23 18:00') });
    expect(decide(ams('2026-11-23 17:10'), [late], svokPolicy, [], onSite).reasons.find((r) => r.article === 'III.A.2')?.until).toBe(ams('2026-11-23 18:00'));
  });

  it('skips the weekend when looking for the next school day', () => {
    const d = decide(ams('2026-11-27 18:00'), [], svokPolicy, [], onSite);
    expect(d.nextChange).toBe(ams('2026-11-30 08:00'));
  });

  it('blocks screen capture but not the camera and microphone in an online lesson at home', () => {
    const d = decide(ams('2026-11-25 12:45'), week, svokPolicy, [], offSite);
    expect(d.lesson?.online).toBe(true);
    expect(d.blocked.categories).toEqual(['social', 'camera', 'screen-recording', 'audio-recording']);
    expect(d.blocked.capture).toEqual(['screen']);
    expect(d.reasons.map((r) => r.article)).toEqual(['III.A.1', 'III.A.2']);
  });

  it('lets the teacher of the lesson allow social media, for that lesson only', () => {
    const g = grant({});
    const during = decide(ams('2026-11-23 08:45'), week, svokPolicy, [g], offSite);
    expect(during.blocked.categories).toEqual([]);
    expect(during.blocked.domains).toEqual([]);
    expect(during.allowed).toEqual([
      expect.objectContaining({ grant: 'g1', articles: ['III.A.1'], categories: ['social'], until: ne.end }),
    ]);
    const nextLesson = decide(ams('2026-11-23 09:30'), week, svokPolicy, [g], offSite);
    expect(nextLesson.blocked.categories).toEqual(['social']);
  });

  it('ignores a grant by a teacher who does not teach the current lesson', () => {
    const g = grant({
      issuedBy: { username: 'vrm', role: 'teacher', teacherCode: 'VRM' },
      scope: { kind: 'window', start: ams('2026-11-23 08:00'), end: ams('2026-11-23 12:00') },
      expiresAt: ams('2026-11-23 12:00'),
    });
    const inNe = decide(ams('2026-11-23 08:45'), week, svokPolicy, [g], offSite);
    expect(inNe.blocked.categories).toEqual(['social']);
    expect(inNe.ignoredGrants).toEqual([{ grant: 'g1', why: 'not-their-lesson' }]);
    const inWis = decide(ams('2026-11-23 09:30'), week, svokPolicy, [g], offSite);
    expect(inWis.blocked.categories).toEqual([]);
  });

  it('matches teacher codes case-insensitively', () => {
    const g = grant({ issuedBy: { username: 'jjansen', role: 'teacher', teacherCode: 'jns' } });
    expect(decide(ams('2026-11-23 08:45'), week, svokPolicy, [g], offSite).blocked.categories).toEqual([]);
  });

  it('lets a leader allow recordings anywhere in a time window (art. III.A.3)', () => {
    const g = grant({
      id: 'g2',
      issuedBy: { username: 'rector', role: 'leader' },
      reason: 'Filmopdracht CKV in de aula',
      scope: { kind: 'window', start: ams('2026-11-23 10:00'), end: ams('2026-11-23 12:00') },
      allow: { categories: ['camera'], capture: ['camera', 'microphone'] },
      issuedAt: ams('2026-11-20 12:00'),
      expiresAt: ams('2026-11-23 12:00'),
    });
    const before = decide(ams('2026-11-23 09:30'), week, svokPolicy, [g], onSite);
    expect(before.blocked.capture).toEqual(['camera', 'microphone', 'screen']);
    expect(before.nextChange).toBe(ams('2026-11-23 10:00'));
    const during = decide(ams('2026-11-23 10:45'), week, svokPolicy, [g], onSite);
    expect(during.blocked.categories).toEqual(['screen-recording', 'audio-recording']);
    expect(during.blocked.capture).toEqual(['screen']);
    expect(during.allowed[0]).toMatchObject({ articles: ['III.A.3'], until: ams('2026-11-23 12:00') });
    expect(during.nextChange).toBe(ams('2026-11-23 12:00'));
  });

  it('lifts a single service without lifting its category', () => {
    const g = grant({ allow: { services: ['instagram'] } });
    const d = decide(ams('2026-11-23 08:45'), week, svokPolicy, [g], offSite);
    expect(d.blocked.categories).toEqual(['social']);
    expect(d.blocked.services).toEqual(['tiktok']);
    expect(d.blocked.domains).toEqual(['tiktok.com']);
  });

  it('stops honouring a grant once it is revoked or expired', () => {
    const revoked = grant({ revokedAt: ams('2026-11-23 08:50') });
    expect(decide(ams('2026-11-23 08:45'), week, svokPolicy, [revoked], offSite).blocked.categories).toEqual([]);
    expect(decide(ams('2026-11-23 08:45'), week, svokPolicy, [revoked], offSite).nextChange).toBe(ams('2026-11-23 08:50'));
    expect(decide(ams('2026-11-23 08:55'), week, svokPolicy, [revoked], offSite).blocked.categories).toEqual(['social']);
  });

  it('does not let a grant lift a rule that allows no exceptions', () => {
    const strict = PolicySchema.parse({
      ...svokPolicy,
      rules: svokPolicy.rules.map((r) => (r.kind === 'block' && r.article === 'III.A.1' ? { ...r, exceptions: null } : r)),
    });
    const d = decide(ams('2026-11-23 08:45'), week, strict, [grant({})], offSite);
    expect(d.blocked.categories).toEqual(['social']);
    expect(d.ignoredGrants).toEqual([{ grant: 'g1', why: 'role-not-allowed' }]);
  });

  it('enforces nothing before the policy takes effect on 14 December 2025', () => {
    const early = lesson({ start: ams('2025-12-12 08:30'), end: ams('2025-12-12 09:20') });
    const d = decide(ams('2025-12-12 08:45'), [early], svokPolicy, [], offSite);
    expect(d.inForce).toBe(false);
    expect(d.blocked.categories).toEqual([]);
    expect(d.nextChange).toBe(ams('2025-12-14 00:00'));
  });

  it('covers every overlapping lesson and lasts until the last of them ends', () => {
    const a = lesson({ uid: 'a', start: ams('2026-11-23 08:30'), end: ams('2026-11-23 10:10') });
    const b = lesson({ uid: 'b', start: ams('2026-11-23 09:00'), end: ams('2026-11-23 09:50') });
    const d = decide(ams('2026-11-23 09:10'), [a, b], svokPolicy, [], offSite);
    expect(d.lesson?.uid).toBe('a');
    expect(d.reasons[0]?.until).toBe(a.end);
    expect(d.nextChange).toBe(b.end);
  });

  it('uses wall-clock school hours across the October clock change', () => {
    const d = decide(ams('2026-10-26 07:00'), [], svokPolicy, [], onSite);
    expect(d.nextChange).toBe(Date.UTC(2026, 9, 26, 7, 0)); // 08:00 CET
    const summer = decide(ams('2026-10-23 07:00'), [], svokPolicy, [], onSite);
    expect(summer.nextChange).toBe(Date.UTC(2026, 9, 23, 6, 0)); // 08:00 CEST
  });

  it('returns no next change when nothing lies ahead off the school network', () => {
    expect(decide(ams('2026-11-30 12:00'), week, svokPolicy, [], offSite).nextChange).toBeNull();
  });
});

describe('decide with the shipped catalog', () => {
  it('blocks the social services and their domains, but not opt-in YouTube or never-block domains', () => {
    const shipped = loadCatalogIndex();
    const d = decide(ams('2026-11-23 08:45'), week, svokPolicy, [], { catalog: shipped, onSchoolNetwork: false });
    for (const service of ['facebook', 'instagram', 'tiktok', 'whatsapp', 'snapchat', 'discord']) expect(d.blocked.services).toContain(service);
    expect(d.blocked.services).not.toContain('youtube');
    expect(d.blocked.domains).toContain('instagram.com');
    expect(d.blocked.domains).not.toContain('youtube.com');
    for (const domain of d.blocked.domains) expect(shipped.classifyDomain(domain).neverBlock).toBe(false);
  });

  it('blocks YouTube when a school opts in to the video category', () => {
    const withVideo = PolicySchema.parse({
      ...svokPolicy,
      rules: svokPolicy.rules.map((r) =>
        r.kind === 'block' && r.article === 'III.A.1' ? { ...r, clauses: [{ when: 'lesson', categories: ['social', 'video'] }] } : r),
    });
    const d = decide(ams('2026-11-23 08:45'), week, withVideo, [], { catalog: loadCatalogIndex(), onSchoolNetwork: false });
    expect(d.blocked.categories).toEqual(['social', 'video']);
    expect(d.blocked.domains).toContain('youtube.com');
  });
});
