import type { CaptureKind, Category } from '../categories.ts';
import { CAPTURE_KINDS, CATEGORIES } from '../categories.ts';
import { grantActiveWindow, type Grant, type GrantRole } from '../grants/grant.ts';
import type { ConsentInterval } from '../protocol/signed-payloads.ts';
import { hasConsent } from './consent.ts';
import type { Lesson } from '../timetable/lesson.ts';
import { lessonIndex, lessonsAt, nextLessonAfter } from './lesson-index.ts';
import { schoolDayCalendar } from './school-day.ts';
import { blockRules, type BlockRule, type Policy, type RuleCondition } from './schema.ts';

/** The part of the catalog the engine needs (satisfied by the catalog index). */
export interface CatalogView {
  servicesIn(categories: readonly Category[]): readonly { readonly id: string; readonly category: Category }[];
  domainsOf(serviceIds: readonly string[]): readonly string[];
}

export interface DecisionContext {
  readonly catalog: CatalogView;
  /** On the school's network (premises), as the agent detected it. */
  readonly onSchoolNetwork: boolean;
  /**
   * The student's registered consents (III.B.9), from the signed schedule.
   * Undefined where no register is kept (a standalone laptop): then a rule's
   * consent is not checked.
   */
  readonly consents?: readonly ConsentInterval[];
}

export type LessonRef = Pick<Lesson, 'uid' | 'start' | 'end' | 'subject' | 'groups' | 'teachers' | 'location' | 'online'>;

export interface BlockReason {
  readonly rule: string;
  readonly article: string;
  readonly condition: RuleCondition;
  readonly categories: readonly Category[];
  readonly capture: readonly CaptureKind[];
  /** The lesson that puts the rule in force (null for school-premises). */
  readonly lesson: LessonRef | null;
  /** When this condition ends, unless something else changes first. */
  readonly until: number;
}

export interface AllowedByGrant {
  readonly grant: string;
  /** The exception articles it was granted under (III.A.1 for social media, III.A.3 for recordings). */
  readonly articles: readonly string[];
  readonly by: Grant['issuedBy'];
  readonly reason: string;
  readonly categories: readonly Category[];
  readonly services: readonly string[];
  readonly capture: readonly CaptureKind[];
  readonly until: number;
}

export type IgnoredGrantReason = 'not-this-lesson' | 'not-their-lesson' | 'role-not-allowed' | 'nothing-blocked' | 'no-consent';

export interface IgnoredGrant {
  readonly grant: string;
  readonly why: IgnoredGrantReason;
  /**
   * For 'no-consent': the article asking for the consent (III.B.9). Such a
   * grant may have lifted other rules (listed in `allowed`); what needed the
   * consent stays blocked.
   */
  readonly article?: string;
}

export interface Decision {
  readonly at: number;
  readonly policy: { readonly id: string; readonly version: string };
  /** False before the policy's effective date. */
  readonly inForce: boolean;
  readonly inLesson: boolean;
  /** The current lesson (the earliest-starting one if lessons overlap). */
  readonly lesson: LessonRef | null;
  readonly onSchoolPremises: boolean;
  readonly blocked: {
    readonly categories: readonly Category[];
    readonly services: readonly string[];
    readonly domains: readonly string[];
    readonly capture: readonly CaptureKind[];
  };
  readonly reasons: readonly BlockReason[];
  readonly allowed: readonly AllowedByGrant[];
  readonly ignoredGrants: readonly IgnoredGrant[];
  /** The next instant at which the decision can differ (null: never, as far as time goes). */
  readonly nextChange: number | null;
}

function refOf(lesson: Lesson): LessonRef {
  const { uid, start, end, subject, groups, teachers, location, online } = lesson;
  return { uid, start, end, subject, groups, teachers, location, online };
}

interface Blocked {
  readonly rule: BlockRule;
  readonly item: { readonly kind: 'category'; readonly value: Category } | { readonly kind: 'capture'; readonly value: CaptureKind };
}

/** Which lessons a teacher's grant may cover: those with their code on them. */
function teaches(code: string | undefined, lessons: readonly Lesson[]): boolean {
  if (!code) return false;
  const wanted = code.toUpperCase();
  return lessons.some((l) => l.teachers.some((t) => t.toUpperCase() === wanted));
}

function mayGrant(role: GrantRole, rule: BlockRule): boolean {
  return rule.exceptions?.by.includes(role) ?? false;
}

/**
 * The heart of Lesmodus: what is blocked at `at`, why, what grants allow, and
 * when that can next change. Pure: time, timetable, policy, grants and the
 * device's situation are all parameters.
 */
export function decide(
  at: number,
  lessons: readonly Lesson[],
  policy: Policy,
  grants: readonly Grant[],
  context: DecisionContext,
): Decision {
  const calendar = schoolDayCalendar(policy);
  const index = lessonIndex(lessons);
  const current = lessonsAt(index, at);
  const next = nextLessonAfter(index, at);
  const changes: number[] = [];
  const base = {
    at,
    policy: { id: policy.id, version: policy.version },
    inLesson: current.length > 0,
    lesson: current[0] ? refOf(current[0]) : null,
  };

  if (at < calendar.effectiveFrom) {
    return {
      ...base,
      inForce: false,
      onSchoolPremises: false,
      blocked: { categories: [], services: [], domains: [], capture: [] },
      reasons: [],
      allowed: [],
      ignoredGrants: [],
      nextChange: calendar.effectiveFrom,
    };
  }

  for (const lesson of current) changes.push(lesson.end);
  if (next) changes.push(next.start);

  const online = current.find((l) => l.online);
  const needsPremises = blockRules(policy).some((r) => r.clauses.some((c) => c.when === 'school-premises'));
  let onSchoolPremises = false;
  let premisesUntil = Number.POSITIVE_INFINITY;
  if (context.onSchoolNetwork && needsPremises) {
    const hours = calendar.schoolHoursAt(at);
    // A lesson in progress on the school network is at school whatever the configured hours say
    // (an 8th hour, an evening or Saturday lesson, a trip day): art. III.A.2 follows the lesson.
    const lessonsEnd = current.length > 0 ? Math.max(...current.map((l) => l.end)) : null;
    onSchoolPremises = hours.inHours || lessonsEnd !== null;
    premisesUntil = hours.inHours ? Math.max(hours.until, lessonsEnd ?? hours.until) : lessonsEnd ?? hours.until;
    changes.push(hours.until);
  }

  const reasons: BlockReason[] = [];
  const blocked: Blocked[] = [];
  for (const rule of blockRules(policy)) {
    for (const clause of rule.clauses) {
      let lesson: Lesson | null = null;
      let until: number;
      if (clause.when === 'lesson' && current[0]) {
        lesson = current[0];
        until = Math.max(...current.map((l) => l.end));
      } else if (clause.when === 'online-lesson' && online) {
        lesson = online;
        until = online.end;
      } else if (clause.when === 'school-premises' && onSchoolPremises) {
        until = premisesUntil;
      } else {
        continue;
      }
      reasons.push({
        rule: rule.id,
        article: rule.article,
        condition: clause.when,
        categories: clause.categories,
        capture: clause.capture,
        lesson: lesson ? refOf(lesson) : null,
        until,
      });
      for (const value of clause.categories) blocked.push({ rule, item: { kind: 'category', value } });
      for (const value of clause.capture) blocked.push({ rule, item: { kind: 'capture', value } });
    }
  }

  const granted = applyGrants(at, grants, current, blocked, context, changes);
  const isBlocked = (kind: Blocked['item']['kind'], value: string) => blocked.some((b) => b.item.kind === kind && b.item.value === value);
  const blockedCategories = CATEGORIES.filter((c) => isBlocked('category', c) && !granted.categories.has(c));
  const blockedCapture = CAPTURE_KINDS.filter((k) => isBlocked('capture', k) && !granted.capture.has(k));
  const services = context.catalog
    .servicesIn(blockedCategories)
    .map((s) => s.id)
    .filter((id) => !granted.services.has(id));

  const future = changes.filter((t) => t > at && Number.isFinite(t));
  return {
    ...base,
    inForce: true,
    onSchoolPremises,
    blocked: {
      categories: blockedCategories,
      services,
      domains: context.catalog.domainsOf(services),
      capture: blockedCapture,
    },
    reasons,
    allowed: granted.allowed,
    ignoredGrants: granted.ignored,
    nextChange: future.length > 0 ? Math.min(...future) : null,
  };
}

interface Granted {
  readonly allowed: AllowedByGrant[];
  readonly ignored: IgnoredGrant[];
  readonly categories: Set<Category>;
  readonly capture: Set<CaptureKind>;
  readonly services: Set<string>;
}

/**
 * Which of the blocked items each grant lifts. A grant lifts an item only when
 * every rule that blocks it lets the grant's issuer make an exception, and a
 * teacher's grant only while a lesson with their code on it is in progress.
 */
function applyGrants(
  at: number,
  grants: readonly Grant[],
  current: readonly Lesson[],
  blocked: readonly Blocked[],
  context: DecisionContext,
  changes: number[],
): Granted {
  const { catalog, consents } = context;
  // A consent that starts or ends (a new school year, a withdrawal) can change what a grant lifts.
  for (const c of consents ?? []) changes.push(c.from, c.to);
  /** The consent a rule's exceptions need and the student lacks now, if any. */
  const missingConsent = (rule: BlockRule) => {
    const needed = rule.exceptions?.consent;
    return needed !== undefined && consents !== undefined && !hasConsent(consents, needed.register, at) ? needed : undefined;
  };
  const result: Granted = { allowed: [], ignored: [], categories: new Set(), capture: new Set(), services: new Set() };
  const rulesBlocking = (kind: Blocked['item']['kind'], value: string) =>
    blocked.filter((b) => b.item.kind === kind && b.item.value === value).map((b) => b.rule);

  for (const grant of grants) {
    const window = grantActiveWindow(grant);
    if (window.from > at) changes.push(window.from);
    if (at < window.from || at >= window.until) continue;
    changes.push(window.until);

    if (grant.scope.kind === 'lesson') {
      const { lessonUid, lessonStart } = grant.scope;
      if (!current.some((l) => l.uid === lessonUid && l.start === lessonStart)) {
        result.ignored.push({ grant: grant.id, why: 'not-this-lesson' });
        continue;
      }
    }
    if (grant.issuedBy.role === 'teacher' && !teaches(grant.issuedBy.teacherCode, current)) {
      result.ignored.push({ grant: grant.id, why: 'not-their-lesson' });
      continue;
    }

    const lifted = new Set<BlockRule>();
    let refused = false;
    let withheldBy: string | undefined;
    const lifts = (rules: readonly BlockRule[]) => {
      if (rules.length === 0) return false;
      if (!rules.every((r) => mayGrant(grant.issuedBy.role, r))) {
        refused = true;
        return false;
      }
      const missing = rules.map(missingConsent).find((m) => m !== undefined);
      if (missing !== undefined) {
        withheldBy = missing.article;
        return false;
      }
      rules.forEach((r) => lifted.add(r));
      return true;
    };
    const categories = grant.allow.categories.filter((c) => lifts(rulesBlocking('category', c)));
    const capture = grant.allow.capture.filter((k) => lifts(rulesBlocking('capture', k)));
    const services = grant.allow.services.filter((id) => {
      const service = catalog.servicesIn(CATEGORIES).find((s) => s.id === id);
      return service !== undefined && lifts(rulesBlocking('category', service.category));
    });
    if (withheldBy !== undefined) result.ignored.push({ grant: grant.id, why: 'no-consent', article: withheldBy });
    if (lifted.size === 0) {
      if (withheldBy === undefined) result.ignored.push({ grant: grant.id, why: refused ? 'role-not-allowed' : 'nothing-blocked' });
      continue;
    }
    categories.forEach((c) => result.categories.add(c));
    capture.forEach((k) => result.capture.add(k));
    services.forEach((id) => result.services.add(id));
    result.allowed.push({
      grant: grant.id,
      articles: [...new Set([...lifted].map((r) => r.exceptions!.article))],
      by: grant.issuedBy,
      reason: grant.reason,
      categories,
      capture,
      services,
      until: window.until,
    });
  }
  return result;
}
