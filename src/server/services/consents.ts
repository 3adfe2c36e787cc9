import { schoolYearOf } from '../../core/policy/consent.ts';
import { DEFAULT_CONSENT_REGISTER, readConsentCsv, type ConsentImportOptions, type ConsentImportResult } from '../app/consent-import.ts';
import type { ConsentInput, RecordConsentsResult, School } from '../store/index.ts';
import { audit, type Actor, type Services } from './service.ts';

/**
 * The consent register (art. III.B.9): who consented is personal data, so
 * every change is audited, and the laptops concerned pull their newly signed
 * consents at once. By hand in the portal, over the API, or a Magister CSV
 * from the command line: all come here.
 */

export interface ReplaceRegister {
  readonly register: string;
  readonly schoolYear: string;
}

/** Records consents, all or nothing; with `replace`, the list is the whole register of that register and school year. */
export async function recordConsents(services: Services, actor: Actor, school: School, consents: readonly ConsentInput[],
  replace: ReplaceRegister | undefined, at: number): Promise<RecordConsentsResult> {
  const result = await services.store.recordConsents(school.id, consents, replace ? { replace } : {});
  await audit(services, actor, at, {
    action: 'record-consents', subject: { kind: 'consents', id: school.id }, schoolId: school.id,
    detail: `${result.added} added, ${result.updated} updated, ${result.unchanged} unchanged, ${result.withdrawn} withdrawn`,
  });
  // A replace may withdraw anyone's consent: then the whole school's laptops pull.
  if (result.added + result.updated + result.withdrawn > 0) {
    services.laptops.refresh(replace ? { schoolId: school.id } : { schoolId: school.id, studentIds: new Set(consents.map((c) => c.studentId)) }, 'consents');
  }
  return result;
}

/** Withdraws one consent (AVG: consent can always be withdrawn); false when there was none to withdraw (nothing audited). */
export async function withdrawConsent(services: Services, actor: Actor, school: School,
  which: { studentId: string; register: string; schoolYear: string }, at: number): Promise<boolean> {
  const withdrawn = await services.store.withdrawConsent(school.id, which);
  if (!withdrawn) return false;
  await audit(services, actor, at, {
    action: 'withdraw-consent', subject: { kind: 'student', id: which.studentId }, schoolId: school.id, detail: `${which.register} ${which.schoolYear}`,
  });
  services.laptops.refresh({ schoolId: school.id, studentIds: new Set([which.studentId]) }, 'consents');
  return true;
}

/** Reads, checks and (unless a dry run, or any line is bad) records a CSV export of the register. */
export async function importConsents(services: Services, actor: Actor, school: School, text: string, options: ConsentImportOptions): Promise<ConsentImportResult> {
  const { lines, consents, errors } = await readConsentCsv(services.store, school, text, options);
  if (errors.length > 0) return { ok: false, lines, errors };
  if (options.dryRun) return { ok: true, lines, consents, recorded: null };
  const first = consents[0];
  const replace = options.replace
    ? { register: first?.register ?? DEFAULT_CONSENT_REGISTER, schoolYear: first?.schoolYear ?? options.schoolYear ?? schoolYearOf(options.now, school.timeZone).label }
    : undefined;
  const recorded = await recordConsents(services, actor, school, consents, replace, options.now);
  return { ok: true, lines, consents, recorded };
}
