import { uptime } from 'node:os';
import type { ClockAnchor } from './clock-anchor.ts';

/**
 * The time the agent decides by. A student who moves the laptop's clock past
 * the end of a lesson (or back before it) must not lift the block, so the
 * agent does not follow the wall clock: it counts on from an anchor — the
 * wall clock when it started, the school server's time at every heartbeat —
 * with a clock the user cannot set. A wall clock that moves away from that
 * count is reported as tamper: leaders must be able to see a laptop whose
 * clock was moved to get around a lesson.
 *
 * The counting clock must include time the laptop was suspended, or every
 * night in a bag would look like a clock moved forward: Node's os.uptime()
 * does on Linux (CLOCK_BOOTTIME) and Windows (GetTickCount64). On macOS it
 * is derived from the wall clock, so there the monotonic clock (which stops
 * during sleep) counts, a forward jump is followed (it may be sleep) and the
 * server's time decides whether it was a moved clock.
 */

/** Deviations smaller than this are a clock being corrected (NTP), not a student. */
export const CLOCK_TOLERANCE_MS = 2 * 60_000;
/**
 * How far the school server's (unsigned) time may move a clock the server
 * already set, when the wall clock does not agree with it either. The count
 * since then drifts by seconds a day, so a bigger step is the server's clock
 * being wrong (set ahead, a restored snapshot): followed, it would end a
 * lesson early on every laptop. The agent keeps its count and logs it.
 */
export const MAX_SERVER_STEP_MS = 10 * 60_000;
/** A jump the server has not confirmed or explained within this long is reported as unverified. */
export const VERIFY_WITHIN_MS = 5 * 60_000;

export interface ClockSources {
  /** The wall clock (Date.now): what the student can set. */
  readonly wall: () => number;
  /** Milliseconds on a clock the user cannot set. */
  readonly counter: () => number;
  /** Whether `counter` keeps counting while the laptop sleeps. */
  readonly countsSuspend: boolean;
}

export function systemClockSources(platform: NodeJS.Platform = process.platform): ClockSources {
  if (platform === 'linux' || platform === 'win32') return { wall: Date.now, counter: () => uptime() * 1000, countsSuspend: true };
  return { wall: Date.now, counter: () => performance.now(), countsSuspend: false };
}

export interface ClockTamper {
  /** server-clock: the school server's time is far from the laptop's trusted time and its wall clock, and was not followed. */
  readonly kind: 'clock-jump' | 'clock-offset' | 'server-clock';
  readonly detail: string;
}

/**
 * What the trusted time rests on: the school server's time (this boot, or
 * counted on in the same boot from a saved anchor that had it), the wall
 * clock at start (unverified), or the last time the agent knew because the
 * wall clock could not be believed (the floor).
 */
export type ClockBasis = 'server' | 'wall' | 'floor';

export interface TrustedClockDeps {
  readonly sources: ClockSources;
  /** Records a moved clock (the agent appends a tamper event). */
  readonly onTamper: (tamper: ClockTamper) => void;
  readonly info: (message: string) => void;
  /** Whether a school server can confirm the time; without one a jump is reported at once. */
  readonly verifiable: boolean;
  /**
   * The latest time the agent knew before it started (its last status): time
   * does not run backwards across a restart, so a wall clock behind it was
   * set back while the agent was not running.
   */
  readonly floor?: number;
  /** The anchor the agent saved when it last ran (clock-anchor.ts), and this boot's id. */
  readonly resume?: { readonly anchor: ClockAnchor; readonly bootId: string | null };
  /**
   * When the cached schedule ends (null without one). Without the server the
   * trusted time never jumps past it: a wall clock set past it before boot
   * would otherwise leave the laptop with no lessons at all.
   */
  readonly scheduleEnd?: () => number | null;
}

/** "2 h 5 min", "45 s": how far, in words a leader reads in the log. */
export function spanWords(ms: number): string {
  const totalSeconds = Math.round(Math.abs(ms) / 1000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const totalMinutes = Math.round(totalSeconds / 60);
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  return [days ? `${days} d` : '', hours ? `${hours} h` : '', minutes ? `${minutes} min` : ''].filter(Boolean).join(' ') || '0 min';
}

export class TrustedClock {
  readonly #deps: TrustedClockDeps;
  #anchor: { time: number; counter: number };
  #basis: ClockBasis = 'wall';
  /** The latest time known before this start: a server time is not believed below it. */
  readonly #floor: number | null;
  /** How far the wall clock is known to be off (wall minus trusted) without that being news. */
  #accepted = 0;
  /** A jump seen locally, waiting for the server to say whether the wall or the count was right. */
  #pending: { deviation: number; since: number } | null = null;
  /** A wall clock past the cached schedule at start, held at the floor until the server says which was right. */
  #startCheck: { deviation: number; since: number } | null = null;
  /** The server time last refused (its step from the trusted time), so a server that stays wrong is reported once. */
  #refusedStep: number | null = null;

  constructor(deps: TrustedClockDeps) {
    this.#deps = deps;
    const { wall, counter } = deps.sources;
    this.#anchor = { time: wall(), counter: counter() };
    const { resume } = deps;
    if (resume !== undefined && resume.bootId !== null && resume.bootId === resume.anchor.bootId && counter() >= resume.anchor.counter) {
      this.#floor = null;
      this.#resumeSameBoot(resume.anchor);
      return;
    }
    const floors = [deps.floor, resume?.anchor.time].filter((f): f is number => f !== undefined);
    this.#floor = floors.length === 0 ? null : Math.max(...floors);
    if (this.#floor === null) return;
    const behind = this.#floor - wall();
    const scheduleEnd = deps.scheduleEnd?.() ?? null;
    if (behind > CLOCK_TOLERANCE_MS) {
      // The best lower bound there is until the server answers: when the agent last ran.
      this.#anchor = { time: this.#floor, counter: counter() };
      this.#basis = 'floor';
      this.#report({ kind: 'clock-jump', detail: `wall clock is at least ${spanWords(behind)} behind the last time the agent ran; the agent keeps its own time` }, -behind);
    } else if (scheduleEnd !== null && wall() > scheduleEnd && scheduleEnd > this.#floor) {
      this.#holdAtFloor(wall() - this.#floor, scheduleEnd);
    }
  }

  /** Restarted in the same boot: the counter ran on, so the time is known exactly whatever the wall clock says now. */
  #resumeSameBoot(anchor: ClockAnchor): void {
    const { wall, counter } = this.#deps.sources;
    this.#anchor = { time: anchor.time + (counter() - anchor.counter), counter: counter() };
    this.#basis = anchor.verified ? 'server' : 'wall';
    const moved = wall() - this.now();
    if (Math.abs(moved) > CLOCK_TOLERANCE_MS) {
      this.#report({ kind: 'clock-jump', detail: `wall clock moved ${moved > 0 ? 'forward' : 'back'} ${spanWords(moved)} while the agent was not running; the agent keeps its own time` }, moved);
    }
  }

  /**
   * The wall clock is past the end of the cached schedule after a restart:
   * the laptop may have been off that long (a holiday), or its firmware clock
   * was set ahead to end every lesson. Only the server can tell, so until it
   * does the agent counts on from the last time it knew, and reports the jump
   * if the server does not settle it in time (or at once without a server).
   */
  #holdAtFloor(deviation: number, scheduleEnd: number): void {
    const { counter } = this.#deps.sources;
    this.#anchor = { time: this.#floor!, counter: counter() };
    this.#basis = 'floor';
    this.#accepted = deviation;
    const past = `the wall clock is ${spanWords(deviation)} past the last time the agent ran, beyond the end of its cached schedule (${new Date(scheduleEnd).toISOString()})`;
    if (!this.#deps.verifiable) {
      this.#deps.onTamper({ kind: 'clock-jump', detail: `${past}; the agent keeps the last time it knew` });
      return;
    }
    this.#startCheck = { deviation, since: counter() };
    this.#deps.info(`clock: ${past}; keeping the last time the agent knew until the school server confirms the time`);
  }

  readonly now = (): number => {
    const { counter } = this.#deps.sources;
    return Math.round(this.#anchor.time + (counter() - this.#anchor.counter));
  };

  /** How far the wall clock is from the trusted time now (positive: ahead). */
  deviation(): number {
    return this.#deps.sources.wall() - this.now();
  }

  /** The anchor to save (clock-anchor.ts), so the next start carries on from it. */
  anchorToSave(bootId: string | null): ClockAnchor {
    return { time: this.now(), counter: this.#deps.sources.counter(), bootId, verified: this.#basis === 'server' };
  }

  /** Compares the wall clock with the count; call it at least every minute. */
  check(): void {
    const { sources, verifiable } = this.#deps;
    if (this.#startCheck !== null && sources.counter() - this.#startCheck.since >= VERIFY_WITHIN_MS) {
      const { deviation } = this.#startCheck;
      this.#startCheck = null;
      this.#deps.onTamper({ kind: 'clock-jump', detail: `wall clock was ${spanWords(deviation)} past the last time the agent ran when it started, beyond its cached schedule `
        + '(the school server could not confirm the time); the agent keeps its own time' });
    }
    const deviation = this.deviation();
    const news = deviation - this.#accepted;
    if (Math.abs(news) <= CLOCK_TOLERANCE_MS) {
      this.#pending = null; // moved back, or never moved
      return;
    }
    const direction = news > 0 ? 'forward' : 'back';
    if (news > 0 && !sources.countsSuspend) {
      // Sleep looks just like this here: follow the wall, and let the server's time tell.
      this.#anchor = { time: sources.wall(), counter: sources.counter() };
      this.#pending = { deviation: 0, since: sources.counter() };
      this.#deps.info(`clock: the wall clock is ${spanWords(news)} ahead of the agent's count (sleep, or a moved clock); following it until the school server confirms the time`);
      return;
    }
    if (!verifiable) {
      this.#report({ kind: 'clock-jump', detail: `wall clock moved ${direction} ${spanWords(news)}; the agent keeps its own time` }, deviation);
      return;
    }
    if (this.#pending === null || Math.abs(this.#pending.deviation - deviation) > CLOCK_TOLERANCE_MS) {
      this.#pending = { deviation, since: sources.counter() };
      this.#deps.info(`clock: the wall clock moved ${direction} ${spanWords(news)}; keeping the agent's own time and checking with the school server`);
      return;
    }
    if (sources.counter() - this.#pending.since >= VERIFY_WITHIN_MS) {
      this.#report({ kind: 'clock-jump', detail: `wall clock moved ${direction} ${spanWords(news)} (the school server could not confirm the time); the agent keeps its own time` }, deviation);
    }
  }

  /**
   * The school server's time, from an answer that took `roundTripMs`: the
   * best time there is, within bounds (see #believes). Re-anchors on it, and
   * reports a wall clock that is off from it by a new amount.
   */
  observeServer(serverTime: number, roundTripMs: number): void {
    const { sources } = this.#deps;
    const serverNow = serverTime + Math.max(0, roundTripMs) / 2;
    if (!this.#believes(serverNow)) return;
    this.#refusedStep = null;
    this.#anchor = { time: serverNow, counter: sources.counter() };
    this.#basis = 'server';
    const offset = sources.wall() - serverNow;
    if (this.#startCheck !== null) {
      this.#settleStart(offset);
      return;
    }
    const wasInDoubt = this.#pending !== null || Math.abs(this.#accepted) > CLOCK_TOLERANCE_MS;
    this.#pending = null;
    if (Math.abs(offset) <= CLOCK_TOLERANCE_MS) {
      if (wasInDoubt) this.#deps.info('clock: the wall clock agrees with the school server');
      this.#accepted = offset;
    } else if (Math.abs(offset - this.#accepted) > CLOCK_TOLERANCE_MS) {
      // Measured against what was reported, not the last reading, so a clock moved a little each minute adds up to news.
      this.#report({ kind: 'clock-offset', detail: `wall clock is ${spanWords(offset)} ${offset > 0 ? 'ahead of' : 'behind'} the school server; the agent keeps the server's time` }, offset);
    }
  }

  /**
   * Whether to follow an (unsigned) server time. Always when the wall clock
   * agrees with it: two clocks say the same. Otherwise, a clock the server
   * set moves by at most MAX_SERVER_STEP_MS; one that rests on the wall
   * clock or the floor (after a restart) moves anywhere from the floor up to
   * the end of the cached schedule, since the student may have set the wall
   * clock. A refused time is reported once (until it changes), and the agent
   * keeps its own.
   */
  #believes(serverNow: number): boolean {
    const trusted = this.now();
    const step = serverNow - trusted;
    if (Math.abs(this.#deps.sources.wall() - serverNow) <= CLOCK_TOLERANCE_MS) return true;
    if (this.#basis === 'server' ? Math.abs(step) <= MAX_SERVER_STEP_MS : this.#withinStartBounds(serverNow)) return true;
    if (this.#refusedStep === null || Math.abs(step - this.#refusedStep) > CLOCK_TOLERANCE_MS) {
      this.#refusedStep = step;
      this.#deps.onTamper({ kind: 'server-clock', detail: `the school server's time is ${spanWords(step)} ${step > 0 ? 'ahead of' : 'behind'} this laptop's, `
        + 'and its wall clock does not agree with the server either; the agent keeps its own time (check the server\'s clock)' });
    }
    return false;
  }

  #withinStartBounds(serverNow: number): boolean {
    if (this.#floor !== null && serverNow < this.#floor - CLOCK_TOLERANCE_MS) return false;
    const scheduleEnd = this.#deps.scheduleEnd?.() ?? null;
    return scheduleEnd === null || serverNow <= scheduleEnd;
  }

  /** The server has answered after a start past the cached schedule: whether the wall clock was right decides if it was tamper. */
  #settleStart(offset: number): void {
    const { deviation } = this.#startCheck!;
    this.#startCheck = null;
    this.#pending = null;
    if (Math.abs(offset) <= CLOCK_TOLERANCE_MS) {
      this.#accepted = offset;
      this.#deps.info(`clock: the school server confirms the wall clock (the agent had not run for ${spanWords(deviation)})`);
      return;
    }
    this.#report({ kind: 'clock-jump', detail: `wall clock was ${spanWords(offset)} ${offset > 0 ? 'ahead of' : 'behind'} the school server when the agent started; `
      + "the agent keeps the server's time" }, offset);
  }

  #report(tamper: ClockTamper, deviation: number): void {
    this.#accepted = deviation;
    this.#pending = null;
    this.#deps.onTamper(tamper);
  }
}
