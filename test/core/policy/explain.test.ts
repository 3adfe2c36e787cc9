import { describe, expect, it } from 'vitest';
import { parseGrant } from '../../../src/core/grants/grant.ts';
import { decide } from '../../../src/core/policy/decide.ts';
import { blockNotice, explain } from '../../../src/core/policy/explain.ts';
import { ams, lesson, smallCatalog, svokPolicy } from '../../helpers/policy.ts';

const catalog = smallCatalog();
const ne = lesson({ uid: 'ne-1', subject: 'ne', start: ams('2026-11-23 08:30'), end: ams('2026-11-23 09:20') });
const inf = lesson({ uid: 'inf-1', subject: 'inf', online: true, start: ams('2026-11-25 12:30'), end: ams('2026-11-25 13:20') });

function explainAt(at: number, onSchoolNetwork = false, grants = [] as ReturnType<typeof parseGrant>[]) {
  return explain(decide(at, [ne, inf], svokPolicy, grants, { catalog, onSchoolNetwork }), svokPolicy);
}

describe('explain', () => {
  it('tells the student in Dutch what is blocked, the article and until when', () => {
    const e = explainAt(ams('2026-11-23 08:45'));
    expect(e.message.nl).toBe('Tijdens de les ne is social media geblokkeerd tot 09:20 (art. III.A.1 Gedragscode Social Media SVOK).');
    expect(e.message.en).toBe('During the ne lesson, social media is blocked until 09:20 (art. III.A.1 Gedragscode Social Media SVOK).');
    expect(e.hint?.nl).toMatch(/Vraag je docent/);
  });

  it('names every article that applies in an online lesson', () => {
    const e = explainAt(ams('2026-11-25 12:45'));
    expect(e.message.nl).toBe(
      'Tijdens de les inf zijn social media, opname-apps en schermopname in de browser geblokkeerd tot 13:20 (art. III.A.1 en III.A.2 Gedragscode Social Media SVOK).',
    );
  });

  it('speaks of school rather than a lesson during a break on the premises', () => {
    const e = explainAt(ams('2026-11-23 10:45'), true);
    expect(e.message.nl).toMatch(/^Op school zijn opname-apps en de camera, de microfoon en schermopname in de browser geblokkeerd tot 17:30 \(art\. III\.A\.2 /);
    expect(e.message.en).toMatch(/^At school, recording apps and the camera, the microphone and screen capture in the browser are blocked until 17:30 \(art\. III\.A\.2 /);
    // No lesson, so no "your teacher, for this lesson": a teacher or the leadership, for a school assignment (III.A.3).
    expect(e.hint?.nl).toBe('Op school maak je geen opnames. Heb je het nodig voor een schoolopdracht? Vraag een docent of de schoolleiding om een uitzondering (art. III.A.3).');
    expect(e.hint?.en).not.toContain('this lesson');
  });

  it('says which day when the block lasts past today', () => {
    const overnight = lesson({ uid: 'late', subject: 'excursie', start: ams('2026-11-23 20:00'), end: ams('2026-11-24 10:00') });
    const d = decide(ams('2026-11-23 21:00'), [overnight], svokPolicy, [], { catalog, onSchoolNetwork: false });
    expect(explain(d, svokPolicy).message.nl).toContain('tot dinsdag 10:00');
  });

  it('says who granted an exception when nothing is blocked because of it: by name, the code only when there is none', () => {
    const g = parseGrant({
      id: 'g1',
      issuedBy: { username: 'jjansen', role: 'teacher', teacherCode: 'JNS', name: 'Mw. Jansen' },
      reason: 'Bronnenonderzoek op Instagram',
      scope: { kind: 'lesson', lessonUid: 'ne-1', lessonStart: ne.start },
      allow: { categories: ['social'] },
      issuedAt: ams('2026-11-23 08:31'),
      expiresAt: ne.end,
    });
    const e = explainAt(ams('2026-11-23 08:45'), false, [g]);
    expect(e.message.nl).toBe('Er is nu niets geblokkeerd: Mw. Jansen heeft een uitzondering gegeven tot 09:20 (art. III.A.1 Gedragscode Social Media SVOK).');
    expect(e.hint).toBeNull();
    const unnamed = parseGrant({ ...g, issuedBy: { username: 'jjansen', role: 'teacher', teacherCode: 'JNS' } });
    expect(explainAt(ams('2026-11-23 08:45'), false, [unnamed]).message.nl).toMatch(/^Er is nu niets geblokkeerd: JNS heeft/);
  });

  it('says plainly that nothing is blocked outside lessons', () => {
    expect(explainAt(ams('2026-11-23 12:00')).message).toEqual({ nl: 'Er is nu niets geblokkeerd.', en: 'Nothing is blocked now.' });
  });
});

describe('blockNotice', () => {
  it('tells the student which app was stopped, why and until when, and how to ask', () => {
    const d = decide(ams('2026-11-23 08:45'), [ne, inf], svokPolicy, [], { catalog, onSchoolNetwork: false });
    expect(blockNotice({ name: 'Discord', category: 'social' }, d, svokPolicy)).toEqual({
      nl: 'Discord is geblokkeerd tijdens de les ne, tot 09:20 (art. III.A.1 Gedragscode Social Media SVOK). Heb je het nodig voor de les? Vraag je docent om een uitzondering.',
      en: 'Discord is blocked during the ne lesson, until 09:20 (art. III.A.1 Gedragscode Social Media SVOK). Need it for the lesson? Ask your teacher for an exception.',
    });
  });

  it('cites III.A.2 for a recorder at school outside lessons', () => {
    const d = decide(ams('2026-11-23 12:00'), [ne, inf], svokPolicy, [], { catalog, onSchoolNetwork: true });
    expect(blockNotice({ name: 'OBS Studio', category: 'screen-recording' }, d, svokPolicy)?.nl).toBe(
      'OBS Studio is geblokkeerd op school, tot 17:30 (art. III.A.2 Gedragscode Social Media SVOK). Op school maak je geen opnames. Heb je het nodig voor een schoolopdracht? Vraag een docent of de schoolleiding om een uitzondering (art. III.A.3).',
    );
  });

  it('has nothing to say about a category that is not blocked', () => {
    const d = decide(ams('2026-11-23 08:45'), [ne, inf], svokPolicy, [], { catalog, onSchoolNetwork: false });
    expect(blockNotice({ name: 'OBS Studio', category: 'screen-recording' }, d, svokPolicy)).toBeNull();
  });
});
