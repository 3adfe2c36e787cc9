import { uptime } from 'node:os';

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
  readonly kind: 'clock-jump' | 'clock-offset';
  readonly detail: string;
}

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
  /** How far the wall clock is known to be off (wall minus trusted) without that being news. */
  #accepted = 0;
  /** A jump seen locally, waiting for the server to say whether the wall or the count was right. */
  #pending: { deviation: number; since: number } | null = null;

  constructor(deps: TrustedClockDeps) {
    this.#deps = deps;
    const { wall, counter } = deps.sources;
    this.#anchor = { time: wall(), counter: counter() };
    const behind = deps.floor === undefined ? 0 : deps.floor - wall();
    if (behind > CLOCK_TOLERANCE_MS) {
      // The best lower bound there is until the server answers: when the agent last ran.
      this.#anchor = { time: deps.floor!, counter: counter() };
      this.#report({ kind: 'clock-jump', detail: `wall clock is at least ${spanWords(behind)} behind the last time the agent ran; the agent keeps its own time` }, -behind);
    }
  }

  readonly now = (): number => {
    const { counter } = this.#deps.sources;
    return Math.round(this.#anchor.time + (counter() - this.#anchor.counter));
  };

  /** How far the wall clock is from the trusted time now (positive: ahead). */
  deviation(): number {
    return this.#deps.sources.wall() - this.now();
  }

  /** Compares the wall clock with the count; call it at least every minute. */
  check(): void {
    const { sources, verifiable } = this.#deps;
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
   * best time there is. Re-anchors on it, and reports a wall clock that is
   * off from it by a new amount.
   */
  observeServer(serverTime: number, roundTripMs: number): void {
    const { sources } = this.#deps;
    const serverNow = serverTime + Math.max(0, roundTripMs) / 2;
    this.#anchor = { time: serverNow, counter: sources.counter() };
    const offset = sources.wall() - serverNow;
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

  #report(tamper: ClockTamper, deviation: number): void {
    this.#accepted = deviation;
    this.#pending = null;
    this.#deps.onTamper(tamper);
  }
}
