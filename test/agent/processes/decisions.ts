// Real decisions for the guard's tests: the shipped policy and catalog, a
// timetable with one lesson, and the engine's own `decide`.
import { loadCatalogIndex, loadPolicy } from '../../../src/adapters/resources.ts';
import type { Decision } from '../../../src/core/policy/decide.ts';
import { decide } from '../../../src/core/policy/decide.ts';
import { ams, lesson } from '../../helpers/policy.ts';

export const catalog = loadCatalogIndex();
const policy = loadPolicy();

/** A Monday morning lesson at school. */
export const LESSON = lesson({ uid: 'les-ne-2', start: ams('2026-11-23 09:30'), end: ams('2026-11-23 10:20') });

/**
 * During the lesson, on the school network: social media blocked by the
 * lesson rule (III.A.1), recording apps by the school-premises rule (III.A.2).
 */
export function duringLesson(): Decision {
  return decide(ams('2026-11-23 10:00'), [LESSON], policy, [], { catalog, onSchoolNetwork: true });
}

/** The same day in the evening, at home: nothing blocked. */
export function afterLesson(): Decision {
  return decide(ams('2026-11-23 19:00'), [LESSON], policy, [], { catalog, onSchoolNetwork: false });
}
