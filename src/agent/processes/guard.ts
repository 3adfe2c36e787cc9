import { performance } from 'node:perf_hooks';
import type { Category, Os } from '../../core/categories.ts';
import type { CatalogIndex, Classification } from '../../core/catalog/match.ts';
import { IDENTITY_EVIDENCE } from '../../core/catalog/process-evidence.ts';
import type { Decision } from '../../core/policy/decide.ts';
import type { ContentIdentity } from './content-identity.ts';
import { blockingSnapshot, NOTHING_BLOCKED, type BlockingSnapshot } from './block-citations.ts';
import { ownedBy, type Owner } from './ownership.ts';
import type { ProcessInfo, ProcessKiller, ProcessSource, UidRange } from './types.ts';

/**
 * How often the guard looks. Launch-to-kill takes up to one interval plus a
 * scan, so 250 ms keeps the p95 well under the 500 ms target even on a busy
 * laptop, and most apps are killed before their first window is drawn
 * (Electron apps such as Discord take a second or more). On Linux a scan
 * costs well under a millisecond of CPU (see the benchmark), so four a
 * second stays far below 1 % of a core.
 */
export const DEFAULT_INTERVAL_MS = 250;

/**
 * How long a process gets to quit after SIGTERM before SIGKILL. Long enough
 * for an app to close cleanly (an Electron app needs well under a second to
 * flush its state); short enough that a recorder which ignores SIGTERM
 * records nothing worth having.
 */
export const DEFAULT_GRACE_MS = 1_500;

/** One blocked process, as the guard reports it. No window title, URL or command line: what ran, why it was stopped. */
export interface ProcessBlockEvent {
  readonly service: string;
  readonly category: Category;
  readonly rule: string;
  readonly article: string;
  readonly lesson: { readonly uid: string; readonly start: number } | null;
  /** The policy version the decision was made under: every stored event records it. */
  readonly policyVersion: string;
  readonly pid: number;
  /** The process name as the OS reports it (comm on Linux, image name on Windows). */
  readonly name: string;
  readonly os: Os;
  /** True when nothing was killed: the guard only reports. */
  readonly dryRun: boolean;
  /** Wall-clock epoch ms. */
  readonly at: number;
}

/**
 * Something that lets a process slip past the guard, as the guard reports
 * it: a process of the student in a mount namespace of its own during a
 * block (stopped), or a program the guard cannot name (reported only).
 * The detail is the agent's own words: no command line, path or name the
 * student chose.
 */
export interface GuardTamperEvent {
  readonly kind: GuardTamperKind;
  readonly detail: string;
  readonly pid: number;
  /** True when the process was sent SIGTERM for it. */
  readonly stopped: boolean;
  readonly dryRun: boolean;
  /** Wall-clock epoch ms. */
  readonly at: number;
}

export type GuardTamperKind = 'mount-namespace' | 'unidentified-program';

export interface ProcessGuardOptions {
  readonly os: Os;
  readonly catalog: Pick<CatalogIndex, 'classifyProcess'>;
  readonly source: ProcessSource;
  readonly killer: ProcessKiller;
  /** Wall clock (epoch ms) for event times. */
  readonly now: () => number;
  /**
   * Monotonic ms for the grace period (default performance.now). Not the
   * wall clock: a student who sets the clock back must not postpone the
   * SIGKILL of an app that ignores SIGTERM.
   */
  readonly monotonic?: () => number;
  /**
   * Whose processes to stop: the student's uid, or 'any' (a daemon that is
   * meant to stop every user's apps). A process whose owner the source
   * cannot tell is left alone unless 'any'. Default: the uid this process
   * runs as, or 'any' where there are no uids (Windows).
   */
  readonly ownUid?: Owner;
  /**
   * The student's subordinate uid ranges (/etc/subuid): a process the student
   * runs in a user namespace under one of these ids is still the student's.
   */
  readonly subordinateUids?: readonly UidRange[];
  readonly intervalMs?: number;
  readonly graceMs?: number;
  /**
   * The mount namespace processes normally run in (see
   * initialMountNamespace). While anything is blocked, a student's process
   * in another one is stopped and reported: a namespace of their own lets a
   * browser run without its policy (a tmpfs over /etc/chromium/policies).
   * Undefined: not checked (the OS has no mount namespaces).
   */
  readonly initialMountNamespace?: string;
  /** Namespaces a privileged helper made (snapd's, see snapMountNamespaces): not the student's doing. Asked only about a process in another namespace. */
  readonly sanctionedMountNamespaces?: () => ReadonlySet<string>;
  /** Called once per process for a tamper (see GuardTamperEvent) while a block lasts. */
  readonly onTamper?: (event: GuardTamperEvent) => void;
  /**
   * Recognises a renamed copy of a blocked program by its content (see
   * content-identity.ts). Asked only about a student's process the catalog
   * did not name by an identity that survives renaming. Made by the guard,
   * which tells it where to say that a hash it queued is ready.
   */
  readonly contentIdentity?: (onSettled: () => void) => ContentIdentity;
  /** Report what would be stopped; stop nothing. */
  readonly dryRun?: boolean;
  /** Called once per blocked process (pid and start time) while the block that caught it lasts. The caller rate-limits into the store. */
  readonly onBlock: (event: ProcessBlockEvent) => void;
  /** A scan or an onBlock handler failed; the guard carries on. Default: a line on stderr. */
  readonly onError?: (error: unknown) => void;
}

/** What one scan did. */
export interface ScanResult {
  readonly listed: number;
  /** Blocks found in this scan (each also went to onBlock). */
  readonly blocked: readonly ProcessBlockEvent[];
  /** Pids sent SIGTERM in this scan. */
  readonly terminated: readonly number[];
  /** Pids sent SIGKILL in this scan, after they outlived the grace period. */
  readonly forceKilled: readonly number[];
}

/** A blocked process the guard has acted on (or, in dry-run, reported). */
interface Tracked {
  readonly pid: number;
  readonly startTime: number;
  /** Monotonic ms of the SIGTERM; undefined when none was sent (dry-run, or not ours to signal). */
  readonly terminatedAt: number | undefined;
  forced: boolean;
  seenIn: number;
}

/** What the guard does about one process: stop it as a blocked service, stop it as a tamper, or only report it. */
type Target =
  | { readonly kind: 'block'; readonly service: string; readonly category: Category }
  | { readonly kind: 'tamper'; readonly tamper: GuardTamperKind; readonly detail: string; readonly stop: boolean };

/** pid 0 is the kernel's (Windows: System Idle), pid 1 init: never ours to stop, whatever they are called. */
const FIRST_USER_PID = 2;

/**
 * The process guard: watches the process list and stops the apps the current
 * decision blocks. Graceful first (SIGTERM), forced after the grace period
 * (SIGKILL), again for every relaunch. Never touches pid 0 or 1, itself, its
 * parent, another user's processes (unless told to), or anything the catalog
 * puts on the never-block list.
 */
export class ProcessGuard {
  readonly #options: ProcessGuardOptions;
  readonly #monotonic: () => number;
  #isStudents: (uid: number | undefined) => boolean;
  readonly #intervalMs: number;
  readonly #graceMs: number;
  readonly #onError: (error: unknown) => void;
  /** Classifications per process object; sources hand out the same object while a process is unchanged. */
  #classified = new WeakMap<ProcessInfo, Classification>();
  readonly #tracked = new Map<string, Tracked>();
  #blocking: BlockingSnapshot = NOTHING_BLOCKED;
  #generation = 0;
  #inFlight: Promise<ScanResult> | undefined;
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  /** The decision the latest scan enforced: a newer one means scanning again at once. */
  #lastScanned: BlockingSnapshot | undefined;
  #parentPid = process.ppid;
  #contentIdentity: ContentIdentity | undefined;

  constructor(options: ProcessGuardOptions) {
    this.#options = options;
    this.#monotonic = options.monotonic ?? (() => performance.now());
    this.#isStudents = ownedBy(options.ownUid === undefined ? process.getuid?.() ?? 'any' : options.ownUid, options.subordinateUids);
    this.#intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.#graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    this.#onError = options.onError ?? ((error) => console.error(`lesmodus process guard: ${(error as Error).message ?? error}`));
    this.#contentIdentity = options.contentIdentity?.(() => this.rescan());
  }

  /** Follows a new decision; a running guard looks again at once, so a lesson's start takes effect without waiting an interval. */
  setDecision(decision: Decision): void {
    this.#blocking = blockingSnapshot(decision);
    // A scan in progress is followed at once by another (see #tick); otherwise the waiting one moves up.
    this.rescan();
  }

  /** A running guard looks again at once (not waiting out the interval): something it learned may stop a process now. */
  rescan(): void {
    if (this.#running && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#schedule(0);
    }
  }

  /**
   * Acts for another student from the next scan on (a root service follows
   * the user at the console; null: nobody's processes). Processes already
   * stopped stay stopped; the new student's blocked apps are stopped at once.
   */
  setOwner(ownUid: number | 'any' | null, subordinateUids: readonly UidRange[]): void {
    this.#isStudents = ownedBy(ownUid, subordinateUids);
    this.rescan();
  }

  /**
   * Another catalog is in use: the verdicts of the old one are dropped, and
   * every process is classified again at the next scan (the content check
   * starts over too: it reads the catalog's names and hashes when made).
   */
  forgetVerdicts(): void {
    this.#classified = new WeakMap();
    if (this.#contentIdentity !== undefined) {
      this.#contentIdentity.close();
      this.#contentIdentity = this.#options.contentIdentity?.(() => this.rescan());
    }
  }

  /** One pass over the process list. Concurrent calls share the pass in progress. */
  scan(): Promise<ScanResult> {
    this.#inFlight ??= this.#scanOnce().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** Scans every interval until stop(); the next scan is timed from the end of the last, so scans never overlap. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stops the loop and waits for a scan in progress. What was killed stays killed. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight?.catch(() => undefined);
    this.#options.source.close?.();
    this.#contentIdentity?.close();
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => void this.#tick(), delayMs);
  }

  async #tick(): Promise<void> {
    this.#timer = undefined;
    try {
      await this.scan();
    } catch (error) {
      this.#onError(error);
    }
    if (!this.#running) return;
    this.#schedule(this.#lastScanned === this.#blocking ? this.#intervalMs : 0);
  }

  async #scanOnce(): Promise<ScanResult> {
    const blocking = this.#blocking;
    this.#lastScanned = blocking;
    const processes = await this.#options.source.list();
    const generation = ++this.#generation;
    const result = { listed: processes.length, blocked: [] as ProcessBlockEvent[], terminated: [] as number[], forceKilled: [] as number[] };
    // Once per scan: process.ppid is a system call each time it is read.
    this.#parentPid = process.ppid;
    for (const info of processes) {
      if (blocking.services.size === 0 || !this.#mayTouch(info)) continue;
      const verdict = this.#classified.get(info) ?? await this.#classify(info);
      const target = this.#target(info, verdict, blocking);
      if (!target) continue;
      const key = `${info.pid}:${info.startTime}`;
      const tracked = this.#tracked.get(key);
      if (tracked) {
        tracked.seenIn = generation;
        this.#forceKillIfDue(tracked, result);
      } else {
        this.#block(info, key, target, blocking, generation, result);
      }
    }
    // Forget processes that exited or are no longer blocked (the lesson
    // ended): a later block of the same process is a new one.
    for (const [key, tracked] of this.#tracked) if (tracked.seenIn !== generation) this.#tracked.delete(key);
    return result;
  }

  /** What to do about `info` under `blocking`: undefined when it stays and there is nothing to report. */
  #target(info: ProcessInfo, verdict: Classification, blocking: BlockingSnapshot): Target | undefined {
    const { service, category, neverBlock } = verdict;
    if (!neverBlock && service !== null && category !== null && blocking.services.has(service)) return { kind: 'block', service, category };
    if (this.#inForeignMountNamespace(info)) {
      const what = neverBlock ? 'a browser or other never-block app' : service !== null ? `an app of ${service}` : 'a process';
      return { kind: 'tamper', tamper: 'mount-namespace', stop: true, detail: `${what} of the student ran in a mount namespace of its own during a block, where it can hide files such as browser policies; it was stopped` };
    }
    return undefined;
  }

  #inForeignMountNamespace(info: ProcessInfo): boolean {
    const initial = this.#options.initialMountNamespace;
    const ns = info.mountNamespace;
    if (initial === undefined || ns === undefined || ns === initial) return false;
    return !(this.#options.sanctionedMountNamespaces?.().has(ns) ?? false);
  }

  #mayTouch(info: ProcessInfo): boolean {
    if (info.pid < FIRST_USER_PID || info.pid === process.pid || info.pid === this.#parentPid) return false;
    return this.#isStudents(info.uid);
  }

  /**
   * The catalog's verdict on a process not classified before. A student's
   * process the catalog did not name as a blocked app may be a renamed copy
   * of one: its content is asked about. While a hash is being taken the
   * verdict is not kept, so the next scan asks again.
   */
  async #classify(info: ProcessInfo): Promise<Classification> {
    const { os, catalog } = this.#options;
    const contentIdentity = this.#contentIdentity;
    let verdict = catalog.classifyProcess(os, info);
    if (contentIdentity && verdict.service === null && !(verdict.evidence !== null && IDENTITY_EVIDENCE.has(verdict.evidence))) {
      const content = await contentIdentity.examine(info, this.#isStudents);
      if (content === 'pending') return verdict;
      if (content !== 'none') verdict = catalog.classifyProcess(os, content);
    } else if (contentIdentity && verdict.service !== null && verdict.evidence === 'exe-path') {
      contentIdentity.noteInstalled(info);
    }
    this.#classified.set(info, verdict);
    return verdict;
  }

  #block(
    info: ProcessInfo,
    key: string,
    target: Target,
    blocking: BlockingSnapshot,
    generation: number,
    result: { blocked: ProcessBlockEvent[]; terminated: number[] },
  ): void {
    if (target.kind === 'tamper') {
      this.#tamper(info, key, target, generation, result);
      return;
    }
    const { service, category } = target;
    const citation = blocking.citations.get(category);
    // Every blocked service comes from a reason's category; without one there is no article to cite, and no block.
    if (!citation) return;
    const dryRun = this.#options.dryRun ?? false;
    const stopped = this.#stop(info, key, !dryRun, generation, result);
    if (stopped === 'gone') return;
    const terminatedAt = stopped;
    // Not ours to signal after all (EPERM): remembered so it is not retried every scan, but it was not blocked.
    if (!dryRun && terminatedAt === undefined) return;
    const event: ProcessBlockEvent = {
      service,
      category,
      ...citation,
      policyVersion: blocking.policyVersion,
      pid: info.pid,
      name: info.name,
      os: this.#options.os,
      dryRun,
      at: this.#options.now(),
    };
    result.blocked.push(event);
    try {
      this.#options.onBlock(event);
    } catch (error) {
      this.#onError(error);
    }
  }

  /** Stops (unless only to report, or in dry-run) and reports a tamper, once per process. */
  #tamper(
    info: ProcessInfo,
    key: string,
    target: Extract<Target, { kind: 'tamper' }>,
    generation: number,
    result: { terminated: number[] },
  ): void {
    const dryRun = this.#options.dryRun ?? false;
    const terminatedAt = this.#stop(info, key, target.stop && !dryRun, generation, result);
    if (terminatedAt === 'gone') return;
    const event: GuardTamperEvent = {
      kind: target.tamper,
      detail: target.detail,
      pid: info.pid,
      stopped: terminatedAt !== undefined,
      dryRun,
      at: this.#options.now(),
    };
    try {
      this.#options.onTamper?.(event);
    } catch (error) {
      this.#onError(error);
    }
  }

  /**
   * Sends SIGTERM when `signal` (the identity re-checked first: pids are reused) and tracks the
   * process once, signalled or not, so the next scans neither repeat it nor report it again.
   * Returns when it was signalled (undefined when not), or 'gone' when it is not there any more.
   */
  #stop(info: ProcessInfo, key: string, signal: boolean, generation: number, result: { terminated: number[] }): number | undefined | 'gone' {
    let terminatedAt: number | undefined;
    if (signal) {
      if (!this.#isStill(info)) return 'gone';
      const outcome = this.#options.killer.terminate(info.pid);
      if (outcome === 'gone') return 'gone';
      if (outcome === 'sent') {
        terminatedAt = this.#monotonic();
        result.terminated.push(info.pid);
      }
    }
    this.#tracked.set(key, { pid: info.pid, startTime: info.startTime, terminatedAt, forced: false, seenIn: generation });
    return terminatedAt;
  }

  #forceKillIfDue(tracked: Tracked, result: { forceKilled: number[] }): void {
    if (tracked.forced || tracked.terminatedAt === undefined) return;
    if (this.#monotonic() - tracked.terminatedAt < this.#graceMs) return;
    tracked.forced = true;
    if (!this.#isStill(tracked) || !this.#options.killer.isAlive(tracked.pid)) return;
    if (this.#options.killer.forceKill(tracked.pid) === 'sent') result.forceKilled.push(tracked.pid);
  }

  /**
   * Whether the pid still is that process, read now where the source can
   * (the list may be older than this scan for a cached source, and a pid
   * can be reused). A source that cannot tell is trusted: its list is fresh.
   */
  #isStill(target: { readonly pid: number; readonly startTime: number }): boolean {
    return this.#options.source.isSameProcess?.(target.pid, target.startTime) ?? true;
  }
}
