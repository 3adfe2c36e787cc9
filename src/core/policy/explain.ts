import type { CaptureKind, Category } from '../categories.ts';
import { formatLocalTime, instantToLocal, isoWeekday } from '../time/zoned.ts';
import type { Decision } from './decide.ts';
import type { Policy } from './schema.ts';

export type Locale = 'nl' | 'en';
export type Localized = Record<Locale, string>;

export interface Explanation {
  /** One sentence for the student: what is blocked, under which article, until when. */
  readonly message: Localized;
  /** How to get an exception, or null when nothing is blocked. */
  readonly hint: Localized | null;
}

const CATEGORY_NAMES: Record<Category, Localized> = {
  social: { nl: 'social media', en: 'social media' },
  video: { nl: 'videosites zoals YouTube', en: 'video sites such as YouTube' },
  camera: { nl: 'camera-apps', en: 'camera apps' },
  'screen-recording': { nl: 'schermopname-apps', en: 'screen recording apps' },
  'audio-recording': { nl: 'geluidsopname-apps', en: 'audio recording apps' },
};

const RECORDING: readonly Category[] = ['camera', 'screen-recording', 'audio-recording'];
const RECORDING_NAME: Localized = { nl: 'opname-apps', en: 'recording apps' };

/** Category names for a sentence; the three recording categories read as one ("opname-apps"). */
export function categoryNames(categories: readonly Category[], locale: Locale): string[] {
  const allRecording = RECORDING.every((c) => categories.includes(c));
  const names = categories
    .filter((c) => !(allRecording && RECORDING.includes(c)))
    .map((c) => CATEGORY_NAMES[c][locale]);
  return allRecording ? [...names, RECORDING_NAME[locale]] : names;
}

const CAPTURE_NAMES: Record<CaptureKind, Localized> = {
  camera: { nl: 'de camera', en: 'the camera' },
  microphone: { nl: 'de microfoon', en: 'the microphone' },
  screen: { nl: 'schermopname', en: 'screen capture' },
};

const WEEKDAYS: Record<Locale, readonly string[]> = {
  nl: ['maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag', 'zondag'],
  en: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
};

function list(items: readonly string[], locale: Locale): string {
  if (items.length <= 1) return items.join('');
  const and = locale === 'nl' ? ' en ' : ' and ';
  return `${items.slice(0, -1).join(', ')}${and}${items[items.length - 1]}`;
}

/** "09:20" on the same local day as `at`, else "maandag 09:20". */
function when(instant: number, at: number, zone: string, locale: Locale): string {
  const local = instantToLocal(instant, zone);
  const today = instantToLocal(at, zone);
  const time = formatLocalTime(local);
  if (local.year === today.year && local.month === today.month && local.day === today.day) return time;
  return `${WEEKDAYS[locale][isoWeekday(local) - 1]} ${time}`;
}

/**
 * What to tell a student whose teacher granted an exception that their
 * missing consent (III.B.9) holds back: asking the teacher again won't help.
 */
function consentHint(decision: Decision, policy: Policy): Localized | null {
  const withheld = decision.ignoredGrants.find((g) => g.why === 'no-consent');
  if (!withheld) return null;
  const ref = (locale: Locale) => articleRef([withheld.article ?? 'III.B.9'], policy, locale);
  return {
    nl: `Je docent heeft een uitzondering gegeven, maar voor dit schooljaar is geen toestemming van jou of je ouders geregistreerd (${ref('nl')}). Vraag je mentor hoe je die geeft.`,
    en: `Your teacher granted an exception, but no consent from you or your parents is registered for this school year (${ref('en')}). Ask your mentor how to give it.`,
  };
}

/**
 * Whom to ask, and for what. In a lesson, its teacher, for that lesson. At
 * school outside a lesson (art. III.A.2) there is no "this lesson" and no one
 * teacher: a teacher or the school leadership may allow a recording for an
 * educational purpose (III.A.3).
 */
const ASK_IN_LESSON: Localized = {
  nl: 'Heb je het nodig voor de les? Vraag je docent om een uitzondering; die kan het voor deze les toestaan.',
  en: 'Need it for the lesson? Ask your teacher for an exception; they can allow it for this lesson.',
};
const ASK_AT_SCHOOL: Localized = {
  nl: 'Op school maak je geen opnames. Heb je het nodig voor een schoolopdracht? Vraag een docent of de schoolleiding om een uitzondering (art. III.A.3).',
  en: 'No recordings at school. Need it for a school assignment? Ask a teacher or the school leadership for an exception (art. III.A.3).',
};

function askHint(inLesson: boolean): Localized {
  return inLesson ? ASK_IN_LESSON : ASK_AT_SCHOOL;
}

/** "art. III.A.1 Gedragscode Social Media SVOK", the way the code asks to be cited. */
function articleRef(articles: readonly string[], policy: Policy, locale: Locale): string {
  return `art. ${list(articles, locale)} ${policy.name}`;
}

/**
 * Turns a decision into a sentence for the student, naming what is blocked,
 * the article and until when, e.g. "Tijdens de les ne is social media
 * geblokkeerd tot 09:20 (art. III.A.1 Gedragscode Social Media SVOK)."
 */
export function explain(decision: Decision, policy: Policy): Explanation {
  const zone = policy.timeZone;
  const reasons = decision.reasons.filter((r) =>
    r.categories.some((c) => decision.blocked.categories.includes(c)) ||
    r.capture.some((k) => decision.blocked.capture.includes(k)));

  if (reasons.length === 0) {
    const grant = decision.allowed[0];
    if (grant) {
      const until = { nl: when(grant.until, decision.at, zone, 'nl'), en: when(grant.until, decision.at, zone, 'en') };
      // Students know their teacher by name ("Mw. Jansen"), not by the timetable's code (JNS).
      const who = grant.by.name ?? grant.by.teacherCode ?? grant.by.username;
      return {
        message: {
          nl: `Er is nu niets geblokkeerd: ${who} heeft een uitzondering gegeven tot ${until.nl} (${articleRef(grant.articles, policy, 'nl')}).`,
          en: `Nothing is blocked now: ${who} granted an exception until ${until.en} (${articleRef(grant.articles, policy, 'en')}).`,
        },
        hint: null,
      };
    }
    return {
      message: decision.inForce
        ? { nl: 'Er is nu niets geblokkeerd.', en: 'Nothing is blocked now.' }
        : { nl: `De ${policy.name} geldt nog niet; er is niets geblokkeerd.`, en: `The ${policy.name} is not in force yet; nothing is blocked.` },
      hint: null,
    };
  }

  const sentence = (locale: Locale): string => {
    const things = [
      ...categoryNames(decision.blocked.categories, locale),
      ...(decision.blocked.capture.length > 0
        ? [
            locale === 'nl'
              ? `${list(decision.blocked.capture.map((k) => CAPTURE_NAMES[k].nl), 'nl')} in de browser`
              : `${list(decision.blocked.capture.map((k) => CAPTURE_NAMES[k].en), 'en')} in the browser`,
          ]
        : []),
    ];
    const until = when(Math.min(...reasons.map((r) => r.until)), decision.at, zone, locale);
    const articles = [...new Set(reasons.map((r) => r.article))];
    const lesson = decision.lesson;
    const subject = lesson?.subject ? (locale === 'nl' ? `de les ${lesson.subject}` : `the ${lesson.subject} lesson`) : locale === 'nl' ? 'de les' : 'the lesson';
    const setting = reasons.some((r) => r.condition === 'school-premises') && !lesson
      ? locale === 'nl' ? 'Op school' : 'At school'
      : locale === 'nl' ? `Tijdens ${subject}` : `During ${subject}`;
    const verb = locale === 'nl' ? (things.length > 1 ? 'zijn' : 'is') : things.length > 1 ? 'are' : 'is';
    return locale === 'nl'
      ? `${setting} ${verb} ${list(things, 'nl')} geblokkeerd tot ${until} (${articleRef(articles, policy, 'nl')}).`
      : `${setting}, ${list(things, 'en')} ${verb} blocked until ${until} (${articleRef(articles, policy, 'en')}).`;
  };

  return {
    message: { nl: sentence('nl'), en: sentence('en') },
    hint: consentHint(decision, policy) ?? askHint(decision.lesson !== null),
  };
}

export interface BlockedThing {
  /** The service's display name, e.g. "Discord". */
  readonly name: string;
  readonly category: Category;
}

/**
 * The notice a student sees when an app or site is stopped: what, under
 * which article, until when, and how to ask for an exception. Null when the
 * decision does not block that category (nothing to explain).
 */
export function blockNotice(thing: BlockedThing, decision: Decision, policy: Policy): Localized | null {
  const reason = decision.reasons.find((r) => r.categories.includes(thing.category));
  if (!reason) return null;
  const zone = policy.timeZone;
  const lesson = reason.lesson;
  const article = (locale: Locale) => articleRef([reason.article], policy, locale);
  const until = (locale: Locale) => when(reason.until, decision.at, zone, locale);
  const setting = {
    nl: lesson ? `tijdens de les${lesson.subject ? ` ${lesson.subject}` : ''}` : 'op school',
    en: lesson ? `during the${lesson.subject ? ` ${lesson.subject}` : ''} lesson` : 'at school',
  };
  const consent = policy.rules.some((r) => r.id === reason.rule && r.kind === 'block' && r.exceptions?.consent) ? consentHint(decision, policy) : null;
  const ask = lesson ? { nl: 'Heb je het nodig voor de les? Vraag je docent om een uitzondering.', en: 'Need it for the lesson? Ask your teacher for an exception.' } : ASK_AT_SCHOOL;
  return {
    nl: `${thing.name} is geblokkeerd ${setting.nl}, tot ${until('nl')} (${article('nl')}). ${consent?.nl ?? ask.nl}`,
    en: `${thing.name} is blocked ${setting.en}, until ${until('en')} (${article('en')}). ${consent?.en ?? ask.en}`,
  };
}
