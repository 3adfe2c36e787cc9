import { categoryNames, type Locale } from '../core/policy/explain.ts';
import { formatLocalTime, instantToLocal } from '../core/time/zoned.ts';
import type { TrayStatus } from './link-messages.ts';

/**
 * What the tray shows for a status: icon, tooltip and menu. Pure, so every
 * state is tested in Node; main.ts only hands the result to Electron.
 * A null status means the agent cannot be reached.
 */

export type TrayState = 'lesson' | 'at-school' | 'free' | 'exception' | 'unreachable' | 'dry-run';
export type MenuAction = 'status' | 'why' | 'ask' | 'unlock' | 'language-nl' | 'language-en';

export interface TrayMenuItem {
  readonly action: MenuAction;
  readonly label: string;
  readonly enabled: boolean;
  /** For the language choice: which one is in use. */
  readonly checked?: boolean;
}

export interface TrayModel {
  readonly state: TrayState;
  /** A file name under resources/tray/. */
  readonly icon: string;
  readonly tooltip: string;
  readonly menu: readonly TrayMenuItem[];
}

/** Windows cuts a notification-area tooltip at 127 characters; cut it ourselves, visibly. */
export const MAX_TOOLTIP = 127;

const ICONS: Record<TrayState, string> = {
  lesson: 'tray-lesson.png',
  'at-school': 'tray-school.png',
  free: 'tray-free.png',
  exception: 'tray-exception.png',
  unreachable: 'tray-unreachable.png',
  'dry-run': 'tray-dry-run.png',
};

function time(iso: string, timeZone: string): string {
  return formatLocalTime(instantToLocal(Date.parse(iso), timeZone));
}

function cut(text: string): string {
  return text.length <= MAX_TOOLTIP ? text : `${text.slice(0, MAX_TOOLTIP - 1)}…`;
}

/** The state a status is in, the most important first: a student must see that nothing is enforced before anything else. */
export function trayState(status: TrayStatus | null): TrayState {
  if (status === null) return 'unreachable';
  // Not enforced either: a root service that knows no student stops nobody's apps.
  if (status.dryRun || status.apps?.state === 'no-student') return 'dry-run';
  const { decision } = status;
  if (decision.allowed.length > 0) return 'exception';
  const blocksSomething = decision.blocked.categories.length + decision.blocked.capture.length > 0;
  if (decision.inLesson && blocksSomething) return 'lesson';
  if (blocksSomething) return 'at-school';
  return 'free';
}

function blockedWhat(status: TrayStatus, locale: Locale): string {
  const names = categoryNames(status.decision.blocked.categories, locale);
  const articles = [...new Set(status.decision.reasons.map((r) => r.article))];
  const what = names.length > 0 ? names.join(', ') : (locale === 'nl' ? 'opnames' : 'recordings');
  return articles.length > 0 ? `${what} (art. ${articles.join(', ')})` : what;
}

function tooltip(state: TrayState, status: TrayStatus | null, locale: Locale, timeZone: string): string {
  const nl = locale === 'nl';
  if (state === 'unreachable' || status === null) {
    return nl ? 'Lesmodus: de agent is niet bereikbaar' : 'Lesmodus: the agent cannot be reached';
  }
  const { decision } = status;
  switch (state) {
    case 'dry-run':
      if (!status.dryRun) return nl ? 'Lesmodus niet gehandhaafd: de agent weet niet wie er is ingelogd' : 'Lesmodus not enforced: the agent does not know who is logged in';
      return nl ? `Lesmodus niet gehandhaafd (proefmodus): ${decision.message.nl}` : `Lesmodus not enforced (dry run): ${decision.message.en}`;
    case 'exception': {
      const grant = decision.allowed[0]!;
      const by = grant.by.name ?? grant.by.username;
      const what = [...categoryNames(grant.categories, locale), ...grant.services, ...grant.capture].join(', ');
      return nl ? `Uitzondering van ${by} tot ${time(grant.until, timeZone)}: ${what}` : `Exception by ${by} until ${time(grant.until, timeZone)}: ${what}`;
    }
    case 'lesson': {
      const lesson = decision.lesson;
      // A timetable entry may have no subject: then it is just "de les".
      const subject = lesson?.subject ?? (nl ? 'les' : 'lesson');
      const during = lesson === null ? '' : (nl ? ` (${subject} tot ${time(lesson.end, timeZone)})` : ` (${subject} until ${time(lesson.end, timeZone)})`);
      return nl ? `Lesmodus aan${during}: ${blockedWhat(status, locale)} geblokkeerd` : `Lesson mode on${during}: ${blockedWhat(status, locale)} blocked`;
    }
    case 'at-school':
      return nl ? `Op school: ${blockedWhat(status, locale)} geblokkeerd` : `At school: ${blockedWhat(status, locale)} blocked`;
    case 'free':
      return nl ? 'Lesmodus: vrij, niets geblokkeerd' : 'Lesmodus: free, nothing blocked';
  }
}

const LABELS: Record<Exclude<MenuAction, 'language-nl' | 'language-en'>, Record<Locale, string>> = {
  status: { nl: 'Status', en: 'Status' },
  why: { nl: 'Waarom is dit geblokkeerd?', en: 'Why is this blocked?' },
  ask: { nl: 'Vraag een uitzondering', en: 'Ask for an exception' },
  unlock: { nl: 'Docent: ontgrendel met code', en: 'Teacher: unlock with a code' },
};

export function trayModel(status: TrayStatus | null, locale: Locale, timeZone: string): TrayModel {
  const state = trayState(status);
  const reachable = state !== 'unreachable';
  const blocks = status !== null && status.decision.blocked.categories.length + status.decision.blocked.capture.length > 0;
  const item = (action: keyof typeof LABELS, enabled: boolean): TrayMenuItem => ({ action, label: LABELS[action][locale], enabled });
  return {
    state,
    icon: ICONS[state],
    tooltip: cut(tooltip(state, status, locale, timeZone)),
    menu: [
      item('status', true),
      item('why', reachable && blocks),
      item('ask', reachable && blocks),
      // An unlock goes through the agent to the server: without the agent it cannot work.
      item('unlock', reachable && blocks),
      { action: 'language-nl', label: 'Nederlands', enabled: true, checked: locale === 'nl' },
      { action: 'language-en', label: 'English', enabled: true, checked: locale === 'en' },
    ],
  };
}
