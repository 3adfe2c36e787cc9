import type { TrayDecision, TrayStatus } from '../../src/desktop/link-messages.ts';

/** A status as the agent sends it: a Monday lesson (Engels, 09:00-09:50 Amsterdam) with social media blocked. */
export function lessonStatus(overrides: Partial<TrayDecision> = {}, dryRun = false): TrayStatus {
  return {
    dryRun,
    onSchoolNetwork: true,
    decision: {
      inForce: true,
      inLesson: true,
      lesson: { subject: 'Engels', end: '2026-11-23T08:50:00.000Z', teachers: ['JNS'], online: false },
      onSchoolPremises: true,
      blocked: { categories: ['social', 'camera', 'screen-recording', 'audio-recording'], services: ['instagram', 'tiktok'], capture: ['camera', 'microphone', 'screen'] },
      reasons: [
        { rule: 'social-media-during-lessons', article: 'III.A.1', until: '2026-11-23T08:50:00.000Z' },
        { rule: 'no-recordings-at-school', article: 'III.A.2', until: '2026-11-23T16:30:00.000Z' },
      ],
      allowed: [],
      nextChange: '2026-11-23T08:50:00.000Z',
      message: { nl: 'Social media zijn geblokkeerd tijdens Engels tot 09:50 (art. III.A.1).', en: 'Social media are blocked during Engels until 09:50 (art. III.A.1).' },
      hint: { nl: 'Vraag je docent om een uitzondering.', en: 'Ask your teacher for an exception.' },
      ...overrides,
    },
  };
}

export const AT_SCHOOL_BREAK: Partial<TrayDecision> = {
  inLesson: false,
  lesson: null,
  blocked: { categories: ['camera', 'screen-recording', 'audio-recording'], services: [], capture: ['camera', 'microphone', 'screen'] },
  reasons: [{ rule: 'no-recordings-at-school', article: 'III.A.2', until: '2026-11-23T16:30:00.000Z' }],
  message: { nl: 'Opnames zijn op school geblokkeerd (art. III.A.2).', en: 'Recordings are blocked at school (art. III.A.2).' },
};

export const FREE: Partial<TrayDecision> = {
  inLesson: false, lesson: null, onSchoolPremises: false,
  blocked: { categories: [], services: [], capture: [] }, reasons: [], nextChange: null,
  message: { nl: 'Er is nu niets geblokkeerd.', en: 'Nothing is blocked now.' }, hint: null,
};

export const JANSEN_ALLOWS_SOCIAL: Partial<TrayDecision> = {
  blocked: { categories: ['camera', 'screen-recording', 'audio-recording'], services: [], capture: ['camera', 'microphone', 'screen'] },
  allowed: [{
    grant: 'g-1', articles: ['III.A.1'], by: { username: 'jansen', name: 'M. Jansen', role: 'teacher' }, reason: 'Onderzoek naar reclame op Instagram',
    categories: ['social'], services: [], capture: [], until: '2026-11-23T08:50:00.000Z',
  }],
};
