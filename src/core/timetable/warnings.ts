import type { ImportWarning } from './lesson.ts';

/** More than this many warnings says "this feed is broken", and more lines would only bury that. */
const MAX_WARNINGS = 500;

/** Feed text quoted in a message, cut short: a hostile feed must not turn a warning into megabytes. */
export function clip(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** Collects import warnings, capped so a hostile feed cannot make the list itself the problem. */
export class WarningLog {
  private readonly items: ImportWarning[] = [];
  private dropped = 0;

  add(event: string | null, message: string): void {
    if (this.items.length < MAX_WARNINGS) this.items.push({ event, message });
    else this.dropped++;
  }

  list(): ImportWarning[] {
    if (this.dropped === 0) return [...this.items];
    return [...this.items, { event: null, message: `${this.dropped} more warnings not shown` }];
  }
}
