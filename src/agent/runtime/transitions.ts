import type { AllowedByGrant, Decision } from '../../core/policy/decide.ts';

type EnforcementType = 'enforcement.started' | 'enforcement.stopped';

function enforcing(decision: Decision): boolean {
  return decision.blocked.categories.length + decision.blocked.capture.length > 0;
}

/** Whether enforcement switched on or off between two decisions, and why (the event's reason). */
export function enforcementChange(previous: Decision | undefined, next: Decision): { type: EnforcementType; reason: string } | null {
  if (!previous) return enforcing(next) ? { type: 'enforcement.started', reason: 'agent-started' } : null;
  if (enforcing(previous) === enforcing(next)) return null;
  if (enforcing(next)) {
    if (previous.reasons.length > 0) return { type: 'enforcement.started', reason: 'exception-ended' };
    const conditions = new Set(next.reasons.map((r) => r.condition));
    if (conditions.has('lesson')) return { type: 'enforcement.started', reason: 'lesson-started' };
    if (conditions.has('online-lesson')) return { type: 'enforcement.started', reason: 'online-lesson-started' };
    return { type: 'enforcement.started', reason: 'school-premises-entered' };
  }
  if (next.reasons.length > 0) return { type: 'enforcement.stopped', reason: 'exception-applied' };
  if (!next.inForce) return { type: 'enforcement.stopped', reason: 'policy-not-in-force' };
  if (previous.lesson) return { type: 'enforcement.stopped', reason: 'lesson-ended' };
  return { type: 'enforcement.stopped', reason: 'school-premises-left' };
}

export type ExceptionEvent = {
  readonly type: 'exception.applied' | 'exception.expired' | 'exception.revoked';
  readonly payload: {
    grantId: string;
    articles: string[];
    allowed: { categories: AllowedByGrant['categories'][number][]; services: string[]; capture: AllowedByGrant['capture'][number][] };
    lesson: { uid: string; start: number } | null;
    until?: number;
  };
};

/**
 * Exception lifecycle for the log: a grant is "applied" the first time it
 * lifts something, "expired" once its end has passed, "revoked" when the
 * store no longer holds it as active before its end. A grant that merely
 * has nothing to lift for a while (a leader's window across a break) stays
 * applied, so the log does not fill with applied/expired pairs.
 */
/** What the lifecycle needs of an applied grant: what the decision says, or what its applied event recorded. */
export type AppliedGrant = Pick<AllowedByGrant, 'grant' | 'articles' | 'categories' | 'services' | 'capture' | 'until'>;

export function exceptionChanges(
  applied: ReadonlyMap<string, AppliedGrant>,
  next: Decision,
  activeGrantIds: ReadonlySet<string>,
): { events: ExceptionEvent[]; applied: Map<string, AppliedGrant> } {
  const events: ExceptionEvent[] = [];
  const still = new Map(applied);
  const lesson = next.lesson ? { uid: next.lesson.uid, start: next.lesson.start } : null;
  const payloadOf = (a: AppliedGrant) => ({
    grantId: a.grant,
    articles: [...a.articles],
    allowed: { categories: [...a.categories], services: [...a.services], capture: [...a.capture] },
    lesson,
  });
  for (const a of next.allowed) {
    if (still.has(a.grant)) continue;
    still.set(a.grant, a);
    events.push({ type: 'exception.applied', payload: { ...payloadOf(a), until: a.until } });
  }
  for (const [id, a] of applied) {
    if (next.allowed.some((n) => n.grant === id)) continue;
    if (next.at >= a.until) events.push({ type: 'exception.expired', payload: payloadOf(a) });
    else if (!activeGrantIds.has(id)) events.push({ type: 'exception.revoked', payload: payloadOf(a) });
    else continue;
    still.delete(id);
  }
  return { events, applied: still };
}
