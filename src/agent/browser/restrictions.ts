import { isSameOrSubdomain } from '../../core/catalog/hostnames.ts';
import type { Decision } from '../../core/policy/decide.ts';

/**
 * What every browser must enforce right now, reduced from a decision: the
 * one input all policy builders (Chromium, Firefox, registry, plist) and the
 * decision proxy share, so they cannot disagree about what is blocked.
 */
export interface BrowserRestrictions {
  /** Registrable domains to refuse, each covering its subdomains; sorted, unique. */
  readonly blockedDomains: readonly string[];
  /**
   * Never-block domains that lie under a blocked domain (a school's
   * "teams.example.com" under a blocked "example.com"): browsers need them as
   * explicit exceptions, or the broader block would swallow them.
   */
  readonly allowedDomains: readonly string[];
  readonly camera: boolean;
  readonly microphone: boolean;
  readonly screen: boolean;
}

export const NO_RESTRICTIONS: BrowserRestrictions = Object.freeze({
  blockedDomains: [],
  allowedDomains: [],
  camera: false,
  microphone: false,
  screen: false,
});

/**
 * The restrictions a decision asks of browsers. A never-block domain always
 * wins: a blocked domain that is one, or lies under one, is dropped (the
 * catalog forbids such overlaps, but a school's own catalog might not be
 * checked by the same code, and wrongly blocking Teams in an online lesson is
 * the failure that hurts most).
 */
export function browserRestrictions(blocked: Decision['blocked'], neverBlockDomains: readonly string[]): BrowserRestrictions {
  const neverBlock = unique(neverBlockDomains);
  const blockedDomains = unique(blocked.domains).filter((d) => !neverBlock.some((n) => isSameOrSubdomain(d, n)));
  const allowedDomains = neverBlock.filter((n) => blockedDomains.some((d) => n !== d && isSameOrSubdomain(n, d)));
  return {
    blockedDomains,
    allowedDomains,
    camera: blocked.capture.includes('camera'),
    microphone: blocked.capture.includes('microphone'),
    screen: blocked.capture.includes('screen'),
  };
}

/** True when nothing is restricted: our lesson policies should be removed. */
export function isUnrestricted(r: BrowserRestrictions): boolean {
  return r.blockedDomains.length === 0 && !r.camera && !r.microphone && !r.screen;
}

function unique(domains: readonly string[]): string[] {
  return [...new Set(domains.map((d) => d.toLowerCase()))].sort();
}
