import type { Locale } from '../core/policy/explain.ts';
import type { Notice, TrayStatus } from './link-messages.ts';
import { trayModel } from './tray-model.ts';

/**
 * A notification when the tray's state changes in a way the student must know
 * without looking at the tray (which Windows and GNOME may hide): an exception
 * starts or ends, the agent goes away or comes back. Lesson starts and ends are
 * not announced: the blocks themselves are, by the agent's notices.
 */
export function stateNotice(previous: TrayStatus | null | undefined, next: TrayStatus | null, at: string, timeZone: string): Notice | null {
  if (previous === undefined) return null; // the first status at start-up is no change
  const text = (locale: Locale) => trayModel(next, locale, timeZone).tooltip;
  const before = trayModel(previous, 'nl', timeZone).state;
  const after = trayModel(next, 'nl', timeZone).state;
  const grants = (s: TrayStatus | null) => (s === null ? [] : s.decision.allowed.map((a) => a.grant)).sort().join(',');
  if (after === 'unreachable' && before !== 'unreachable') return { at, nl: text('nl'), en: text('en') };
  if (before === 'unreachable' && after !== 'unreachable') return { at, nl: text('nl'), en: text('en') };
  if (grants(previous) !== grants(next)) {
    if (after === 'exception') return { at, nl: text('nl'), en: text('en') };
    if (before === 'exception') return { at, nl: `Uitzondering afgelopen. ${text('nl')}`, en: `Exception ended. ${text('en')}` };
  }
  return null;
}
