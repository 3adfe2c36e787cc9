import { DEFAULT_RETENTION, PRUNE_KINDS } from '../../server/app/retention.ts';
import {
  MAX_RETENTION_DAYS, MIN_EVENT_RETENTION_DAYS, MIN_EXCEPTION_RETENTION_DAYS, type PruneCounts, type RetentionPolicy,
} from '../../server/store/index.ts';
import { UsageError, type Command, type OptionSpec } from '../command.ts';
import { table } from '../format.ts';
import { describeStore, noPositionals, STORE_OPTIONS, withStore, type StoreValues } from './server-options.ts';

/** How long the server keeps what it logs: the options of `lesmodus server` and `lesmodus server prune`. */

export interface RetentionValues {
  'retention-event-days'?: string;
  'retention-exception-days'?: string;
}

export const RETENTION_OPTIONS: Readonly<Record<keyof RetentionValues, OptionSpec>> = {
  'retention-event-days': {
    type: 'string', valueName: '<days>',
    help: `Keep device events (blocks, tamper, exception events) and contact times this many days (default ${DEFAULT_RETENTION.eventDays}, at least ${MIN_EVENT_RETENTION_DAYS}).`,
  },
  'retention-exception-days': {
    type: 'string', valueName: '<days>',
    help: `Keep exceptions (from when they ended), consents (from the end of their school year) and the audit log this many days (default ${DEFAULT_RETENTION.exceptionDays}, at least ${MIN_EXCEPTION_RETENTION_DAYS}).`,
  },
};

const WHY: Record<keyof RetentionValues, string> = {
  'retention-event-days': `the server keeps device events at least as long as the laptops do (${MIN_EVENT_RETENTION_DAYS} days), `
    + 'so an incident can still be looked into after the laptop has deleted its copy',
  'retention-exception-days': `leaders must be able to account for a whole school year: every exception and who looked at what `
    + `is kept at least ${MIN_EXCEPTION_RETENTION_DAYS} days`,
};

function daysOf(values: RetentionValues, name: keyof RetentionValues, fallback: number, min: number): number {
  const value = values[name];
  if (value === undefined) return fallback;
  const days = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(days)) throw new UsageError(`--${name} must be a whole number of days, not '${value}'`);
  if (days < min) throw new UsageError(`--${name} must be at least ${min}, not ${days}: ${WHY[name]}`);
  if (days > MAX_RETENTION_DAYS) throw new UsageError(`--${name} must be at most ${MAX_RETENTION_DAYS} (a century), not ${days}`);
  return days;
}

/** The policy the options ask for, defaults for what they leave out; a UsageError explains a refused value. */
export function retentionPolicyOf(values: RetentionValues): RetentionPolicy {
  return {
    eventDays: daysOf(values, 'retention-event-days', DEFAULT_RETENTION.eventDays, MIN_EVENT_RETENTION_DAYS),
    exceptionDays: daysOf(values, 'retention-exception-days', DEFAULT_RETENTION.exceptionDays, MIN_EXCEPTION_RETENTION_DAYS),
  };
}

function countsTable(counts: PruneCounts): string {
  return table(['Kind', 'Rows'], PRUNE_KINDS.map(({ key, label }) => [label, String(counts[key])]));
}

interface Values extends StoreValues, RetentionValues {
  'dry-run'?: boolean;
}

export const serverPrune: Command<Values> = {
  path: ['server', 'prune'],
  summary: 'Delete what is past retention now (the running server also does this at start and every night); --dry-run only counts.',
  options: {
    ...STORE_OPTIONS,
    ...RETENTION_OPTIONS,
    'dry-run': { type: 'boolean', help: 'Only count what would be deleted; delete nothing.' },
  },
  details: 'Lessons, users, students and devices are never deleted. Example:\n  lesmodus server prune --data-dir /var/lib/lesmodus --dry-run',
  async run(values, positionals, io) {
    noPositionals(positionals);
    const policy = retentionPolicyOf(values);
    const dryRun = values['dry-run'] ?? false;
    const counts = await withStore(values, (store) => dryRun ? store.countExpired(policy, Date.now()) : store.pruneExpired(policy, Date.now()));
    io.out(`${dryRun ? 'Would delete' : 'Deleted'} (events older than ${policy.eventDays} days, exceptions and audit entries older than `
      + `${policy.exceptionDays} days; ${describeStore(values)}):`);
    io.out(countsTable(counts));
    io.out("An exception's groups, articles, allowances and acknowledgements go with it. Lessons, users, students and devices are kept.");
    if (dryRun) io.out('Dry run: nothing was deleted.');
    return 0;
  },
};
