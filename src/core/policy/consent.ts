import { CATEGORIES, type CaptureKind, type Category } from '../categories.ts';
import type { ConsentInterval } from '../protocol/signed-payloads.ts';
import { localToInstant, instantToLocal } from '../time/zoned.ts';
import type { CatalogView } from './decide.ts';
import { blockRules, type Policy } from './schema.ts';

/**
 * Art. III.B.9: social media in education needs the student's (16+) or the
 * parents' explicit, demonstrable consent, asked every school year. The
 * policy names, per rule, which consent register an exception needs; the
 * server keeps the register and signs each student's consents into their
 * schedule; decide() lets an exception lift such a rule only under one.
 */

export interface ConsentNeed {
  readonly register: string;
  /** The article that asks for it (III.B.9). */
  readonly article: string;
}

export interface AllowedItems {
  readonly categories: readonly Category[];
  readonly services: readonly string[];
  readonly capture: readonly CaptureKind[];
}

/** All these functions need of the catalog: which category each service is in. */
type ServiceCategories = Pick<CatalogView, 'servicesIn'>;

/** The consents an exception allowing `allow` needs before it lifts anything that needs one. */
export function consentsNeeded(allow: AllowedItems, policy: Policy, catalog: ServiceCategories): ConsentNeed[] {
  const services = catalog.servicesIn(CATEGORIES);
  const categories = new Set<Category>(allow.categories);
  for (const id of allow.services) {
    const service = services.find((s) => s.id === id);
    if (service) categories.add(service.category);
  }
  const needs = new Map<string, ConsentNeed>();
  for (const rule of blockRules(policy)) {
    const consent = rule.exceptions?.consent;
    if (!consent) continue;
    const touched = rule.clauses.some((c) => c.categories.some((x) => categories.has(x)) || c.capture.some((x) => allow.capture.includes(x)));
    if (touched) needs.set(consent.register, { register: consent.register, article: consent.article });
  }
  return [...needs.values()];
}

/** Whether a consent in `register` holds at `at`. */
export function hasConsent(consents: readonly ConsentInterval[], register: string, at: number): boolean {
  return consents.some((c) => c.register === register && c.from <= at && at < c.to);
}

export interface SchoolYear {
  /** "2026-2027" */
  readonly label: string;
  readonly from: number;
  readonly to: number;
}

/** Dutch school years run from 1 August to 1 August, in the school's time zone. */
export const SCHOOL_YEAR_START_MONTH = 8;

export function schoolYearOf(at: number, timeZone: string): SchoolYear {
  const local = instantToLocal(at, timeZone);
  const first = local.month >= SCHOOL_YEAR_START_MONTH ? local.year : local.year - 1;
  return schoolYear(first, timeZone);
}

/** The school year starting in August of `firstYear`. */
export function schoolYear(firstYear: number, timeZone: string): SchoolYear {
  const start = (year: number) => localToInstant({ year, month: SCHOOL_YEAR_START_MONTH, day: 1 }, timeZone);
  return { label: `${firstYear}-${firstYear + 1}`, from: start(firstYear), to: start(firstYear + 1) };
}

/** "2026-2027" → the school year, or undefined when it is not one. */
export function parseSchoolYear(label: string, timeZone: string): SchoolYear | undefined {
  const match = /^(\d{4})-(\d{4})$/.exec(label);
  if (!match || Number(match[2]) !== Number(match[1]) + 1) return undefined;
  return schoolYear(Number(match[1]), timeZone);
}

/**
 * Whether an exception lifts anything for this student now: false when every
 * item it allows needs a consent the student lacks (the server then refuses
 * an unlock that would lift nothing; the device's decision does not apply it).
 * `consents` undefined: no register is kept, nothing is withheld.
 */
export function liftsAnything(allow: AllowedItems, policy: Policy, catalog: ServiceCategories, consents: readonly ConsentInterval[] | undefined, at: number): boolean {
  if (consents === undefined) return true;
  const withheld = (items: AllowedItems) => consentsNeeded(items, policy, catalog).some((need) => !hasConsent(consents, need.register, at));
  const none = { categories: [], services: [], capture: [] };
  return allow.categories.some((c) => !withheld({ ...none, categories: [c] }))
    || allow.services.some((s) => !withheld({ ...none, services: [s] }))
    || allow.capture.some((k) => !withheld({ ...none, capture: [k] }));
}
