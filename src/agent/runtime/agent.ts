import { setTimeout as sleep } from 'node:timers/promises';
import type { CatalogIndex } from '../../core/catalog/match.ts';
import type { Category, Os } from '../../core/categories.ts';
import { GrantSchema, type Grant } from '../../core/grants/grant.ts';
import { decide, type Decision } from '../../core/policy/decide.ts';
import { decisionJson } from '../../core/policy/decision-json.ts';
import { blockNotice, explain, type Localized } from '../../core/policy/explain.ts';
import type { Policy } from '../../core/policy/schema.ts';
import { MAX_TAMPER_DETAIL_LENGTH } from '../../core/events/limits.ts';
import type { AppendEventInput, DeviceStore } from '../store/index.ts';
import type { Enforcer } from './enforcer.ts';
import { blockingSnapshot, type BlockCitation } from '../processes/block-citations.ts';
import type { Logger } from './logger.ts';
import { writeStatus } from './status-file.ts';
import { BufferedWrites } from '../store/buffered-writes.ts';
import type { AgentStatus, Apps, SyncStatus } from '../control/protocol.ts';
import { enforcementChange, exceptionChanges, type AppliedGrant } from './transitions.ts';

/**
 * The agent wakes at the decision's `nextChange`, but never sleeps longer
 * than this: a laptop that was asleep (or whose clock was changed) must
 * re-decide soon after it wakes, and timers do not count suspended time.
 */
export const MAX_SLEEP_MS = 60_000;
/** How far back and ahead the agent reads its cached lessons for one decision. */
const LESSON_WINDOW_BEFORE_MS = 24 * 3_600_000;
const LESSON_WINDOW_AFTER_MS = 15 * 24 * 3_600_000;
/** One tamper event per kind this often at most: the same trick repeated is counted, not logged again and again. */
export const TAMPER_REPEAT_MS = 5 * 60_000;

/** Something an enforcer stopped, as the agent logs and explains it. */
export interface Block {
  readonly kind: 'app' | 'site';
  readonly service: string;
  readonly category: Category;
  readonly os: Os;
  readonly dryRun: boolean;
  /** Why, as the enforcer that stopped it saw the decision (the guard's); worked out from the current decision when absent. */
  readonly citation?: BlockCitation;
}

export interface Notice {
  readonly at: number;
  readonly service: string;
  readonly message: Localized;
}

export interface AgentDeps {
  readonly store: DeviceStore;
  readonly policy: Policy;
  readonly catalog: CatalogIndex;
  readonly now: () => number;
  /** Whether the laptop is on the school's premises now (configured, or detected). */
  readonly onSchoolNetwork: () => Promise<boolean>;
  readonly enforcers: readonly Enforcer[];
  readonly log: Logger;
  readonly statusFile: string;
  readonly dryRun: boolean;
  /** How syncing with the school server goes, for the status file; absent when standalone. */
  readonly syncStatus?: () => SyncStatus | null;
  /** Whose apps are stopped, if anyone's (see AppsSchema); absent: not reported. */
  readonly apps?: () => Apps;
  /** Which catalog is in use (LiveCatalog.inUse); absent: not reported. */
  readonly catalogInUse?: () => { readonly version: string; readonly source: 'bundled' | 'server' };
}

/**
 * Follows the policy over time on this device: decide, hand the decision to
 * the enforcers, log what changed, sleep until the decision can change.
 */
export class Agent {
  readonly #deps: AgentDeps;
  readonly #startedAt: number;
  readonly #noticeListeners = new Set<(notice: Notice) => void>();
  readonly #statusListeners = new Set<(status: AgentStatus) => void>();
  /** Events and blocks, held in memory while the disk is full (see BufferedWrites). */
  readonly #writes: BufferedWrites;
  /** The last status, kept in memory: the control socket answers from it, never from the file. */
  #status: AgentStatus | undefined;
  /** (lesson, service) pairs the student has been told about; emptied when enforcement stops. */
  readonly #noticed = new Set<string>();
  readonly #tamperSeen = new Map<string, { at: number; since: number }>();
  #decision: Decision | undefined;
  /** Grants that have lifted something and have not yet expired or been revoked. */
  #applied: Map<string, AppliedGrant>;
  #onSchoolNetwork = false;
  #lastNotice: Notice | null = null;
  #wake = new AbortController();
  /** A wake() that came while deciding (no sleep to cut short yet): decide again at once. */
  #wakePending = false;

  constructor(deps: AgentDeps) {
    this.#deps = deps;
    this.#startedAt = deps.now();
    this.#writes = new BufferedWrites(deps.store, { now: deps.now, policyVersion: deps.policy.version, onHold: (message) => deps.log.error(message) });
    // What an earlier run (killed, crashed, rebooted) already logged as applied is not logged again.
    this.#applied = new Map(deps.store.openExceptions().map((e) => [e.grantId, {
      grant: e.grantId, articles: e.articles, categories: e.allowed.categories, services: e.allowed.services, capture: e.allowed.capture, until: e.until,
    }]));
  }

  get decision(): Decision | undefined {
    return this.#decision;
  }

  /** What the agent enforces now and why; undefined before its first decision. */
  get status(): AgentStatus | undefined {
    return this.#status;
  }

  /** Listen for every new status (a decision change, a block notice, the sync's state); returns the unsubscribe function. */
  onStatus(listener: (status: AgentStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  /** Listen for student notices (the tray shows them); returns the unsubscribe function. */
  onNotice(listener: (notice: Notice) => void): () => void {
    this.#noticeListeners.add(listener);
    return () => this.#noticeListeners.delete(listener);
  }

  /** Re-decide now instead of at the next change (a new timetable, a grant, a network change). */
  wake(): void {
    this.#wakePending = true;
    this.#wake.abort();
  }

  /** Decides for now, applies it, records what changed. */
  async evaluate(): Promise<Decision> {
    const { store, policy, catalog, now, enforcers, log } = this.#deps;
    const at = now();
    this.#writes.flush();
    this.#onSchoolNetwork = await this.#deps.onSchoolNetwork();
    const lessons = store.lessonsBetween(at - LESSON_WINDOW_BEFORE_MS, at + LESSON_WINDOW_AFTER_MS);
    const grants = this.#grantsAt(at);
    const consents = store.scheduleMeta()?.consents ?? undefined;
    const decision = decide(at, lessons, policy, grants, { catalog, onSchoolNetwork: this.#onSchoolNetwork, ...(consents ? { consents } : {}) });
    const previous = this.#decision;
    this.#decision = decision;

    this.#recordTransitions(previous, decision, new Set(grants.map((g) => g.id)));
    for (const enforcer of enforcers) {
      try {
        await enforcer.apply(decision);
      } catch (error) {
        log.error(`${enforcer.name}: could not apply the decision: ${(error as Error).message}`);
      }
    }
    this.#writeStatus();
    return decision;
  }

  /** Runs until `signal` aborts: evaluate, sleep until the next change, repeat. */
  async run(signal: AbortSignal): Promise<void> {
    const { store, policy, now, log } = this.#deps;
    log.info(`agent started${this.#deps.dryRun ? ' in dry-run (nothing is killed or written)' : ''}: ${policy.name} ${policy.version}`);
    while (!signal.aborted) {
      this.#wakePending = false;
      const decision = await this.evaluate();
      if (this.#wakePending) continue;
      const wakeAt = Math.min(decision.nextChange ?? Number.POSITIVE_INFINITY, now() + MAX_SLEEP_MS);
      this.#wake = new AbortController();
      const woken = AbortSignal.any([signal, this.#wake.signal]);
      // Timers run on the monotonic clock and may fire a little before the
      // wall clock reaches wakeAt: sleep the rest rather than decide too early.
      while (!woken.aborted && now() < wakeAt) {
        try {
          await sleep(wakeAt - now(), undefined, { signal: woken });
        } catch {
          // Woken early: by a stop request (the loop ends) or by wake() (decide again).
        }
      }
    }
    for (const enforcer of this.#deps.enforcers) await enforcer.stop();
    store.flushBlocks({ all: true });
    if (this.#decision && this.#decision.blocked.categories.length + this.#decision.blocked.capture.length > 0) {
      this.#writes.appendEvent({ type: 'enforcement.stopped', policyVersion: policy.version, payload: { reason: 'agent-stopping', lesson: this.#lessonRef(this.#decision) } });
    }
    log.info('agent stopped; browser policies stay as they are until the next start');
  }

  /**
   * Something undermined enforcement (a failing guard, a flood of the control
   * socket) or an enforcer saw tampering (a process in a mount namespace of its own, a
   * program it cannot identify): one tamper event per kind per
   * TAMPER_REPEAT_MS, the ones in between counted into the next, so a loop
   * that repeats the trick cannot flood the log.
   */
  reportTamper(kind: string, detail: string): void {
    const at = this.#deps.now();
    const last = this.#tamperSeen.get(kind);
    if (last && at - last.at < TAMPER_REPEAT_MS) {
      last.since++;
      return;
    }
    const repeats = last && last.since > 0 ? ` (${last.since} more since the last report)` : '';
    this.#tamperSeen.set(kind, { at, since: 0 });
    this.#writes.appendEvent({ type: 'tamper', policyVersion: this.#deps.policy.version, payload: { kind, detail: `${detail}${repeats}`.slice(0, MAX_TAMPER_DETAIL_LENGTH) } });
    this.#deps.log.warn(`tamper: ${detail}`);
  }

  /** An enforcer stopped something: count it in the store and tell the student once. */
  reportBlock(block: Block): void {
    const decision = this.#decision;
    if (!decision) return;
    const citation = block.citation ?? blockingSnapshot(decision).citations.get(block.category);
    if (!citation) return;
    const { policy, catalog, log, now } = this.#deps;
    const base = { rule: citation.rule, article: citation.article, lesson: citation.lesson };
    if (!block.dryRun) {
      if (block.kind === 'app') {
        this.#writes.recordBlock({ type: 'app.blocked', policyVersion: policy.version, payload: { ...base, service: block.service, category: block.category, os: block.os } });
      } else {
        this.#writes.recordBlock({ type: 'site.blocked', policyVersion: policy.version, payload: { ...base, service: block.service, category: block.category } });
      }
    }
    const name = catalog.service(block.service)?.name ?? block.service;
    log.info(`${block.dryRun ? 'would block' : 'blocked'} ${block.kind} ${name} (${block.category}, art. ${citation.article})`);
    // One notice per app per lesson (or per school day on the premises), not one per relaunch.
    const noticeKey = `${citation.lesson ? `${citation.lesson.uid}@${citation.lesson.start}` : 'premises'}|${block.service}`;
    if (this.#noticed.has(noticeKey)) return;
    this.#noticed.add(noticeKey);
    const message = blockNotice({ name, category: block.category }, decision, policy);
    if (!message) return;
    const notice: Notice = { at: now(), service: block.service, message };
    this.#lastNotice = notice;
    log.info(`notice: ${message.nl}`);
    for (const listener of this.#noticeListeners) listener(notice);
    this.#writeStatus();
  }

  #grantsAt(at: number): Grant[] {
    const grants: Grant[] = [];
    for (const stored of this.#deps.store.activeGrants(at)) {
      const parsed = GrantSchema.safeParse(JSON.parse(stored.raw));
      if (parsed.success) grants.push(stored.revokedAt === null ? parsed.data : { ...parsed.data, revokedAt: stored.revokedAt });
      else this.#deps.log.warn(`grant ${stored.id} in the store is not valid and is ignored`);
    }
    return grants;
  }

  #lessonRef(decision: Decision): { uid: string; start: number } | null {
    return decision.lesson ? { uid: decision.lesson.uid, start: decision.lesson.start } : null;
  }

  #recordTransitions(previous: Decision | undefined, next: Decision, activeGrantIds: ReadonlySet<string>): void {
    const { policy, log } = this.#deps;
    // The exception first, then what it caused: the log reads as cause and effect.
    const exceptions = exceptionChanges(this.#applied, next, activeGrantIds);
    this.#applied = exceptions.applied;
    for (const event of exceptions.events) {
      this.#writes.appendEvent({ ...event, policyVersion: policy.version } as AppendEventInput);
      log.info(`${event.type} ${event.payload.grantId} (art. ${event.payload.articles.join(', ')})`);
    }
    const change = enforcementChange(previous, next);
    if (change) {
      this.#writes.appendEvent({ type: change.type, policyVersion: policy.version, payload: { reason: change.reason, lesson: this.#lessonRef(change.type === 'enforcement.started' ? next : previous ?? next) } });
      if (change.type === 'enforcement.stopped') this.#noticed.clear();
    }
    const explanation = explain(next, policy);
    if (!previous || explanation.message.nl !== explain(previous, policy).message.nl) log.info(`decision: ${explanation.message.nl}`);
  }

  #writeStatus(): void {
    const decision = this.#decision;
    if (!decision) return;
    const { policy, now, enforcers, dryRun, statusFile } = this.#deps;
    const status: AgentStatus = {
      pid: process.pid,
      startedAt: new Date(this.#startedAt).toISOString(),
      updatedAt: new Date(now()).toISOString(),
      dryRun,
      onSchoolNetwork: this.#onSchoolNetwork,
      decision: decisionJson(decision, explain(decision, policy)),
      enforcers: enforcers.map((e) => ({ name: e.name, state: e.describe() })),
      lastNotice: this.#lastNotice ? { at: new Date(this.#lastNotice.at).toISOString(), ...this.#lastNotice.message } : null,
      sync: this.#deps.syncStatus?.() ?? null,
      ...(this.#deps.apps ? { apps: this.#deps.apps() } : {}),
      ...(this.#deps.catalogInUse ? { catalog: (({ version, source }) => ({ version, source }))(this.#deps.catalogInUse()) } : {}),
    };
    this.#status = status;
    for (const listener of this.#statusListeners) listener(status);
    try {
      writeStatus(statusFile, status);
    } catch (error) {
      this.#deps.log.warn(`could not write ${statusFile}: ${(error as Error).message}`);
    }
  }
}
