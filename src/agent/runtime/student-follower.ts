import type { Apps } from '../control/protocol.ts';
import { consoleSession } from './session-user.linux.ts';
import { studentForService, systemSubordinateUids, type StudentUser } from './student-user.ts';
import type { UidRange } from '../processes/types.ts';

/**
 * Whom the process guard acts for, kept current. An agent told its student
 * (--user) or running as the student keeps that one. A root service not told
 * acts for the user at the console and follows a user switch; with nobody
 * there it stops nothing, and its status says so (it never claims to stop
 * apps it does not: the red team's root agent without --user guarded root's
 * own processes while its status said it stopped the student's).
 */

/** How often a root service looks who is at the console: a user switch is followed within this (loginctl costs a few ms). */
export const SESSION_CHECK_MS = 5_000;

export interface FollowedStudent extends StudentUser {
  readonly subordinateUids: readonly UidRange[];
}

export interface StudentFollowerOptions {
  /** The student as started (--user, or the user the agent runs as). */
  readonly given: StudentUser;
  /** The login name at the console now (null: nobody); rejects when it cannot be told. */
  readonly consoleLogin: () => Promise<string | null>;
  readonly dryRun: boolean;
  /** The student's subordinate uids (default: this machine's /etc/subuid). */
  readonly subordinateUids?: (student: StudentUser) => UidRange[];
  /** /etc/passwd's text (tests give their own). */
  readonly passwd?: () => string;
}

/** Whether a student given this way is followed at the console: a root service on Linux or macOS not told whom it acts for. */
export function followsConsole(given: StudentUser, platform: string = process.platform): boolean {
  return platform !== 'win32' && given.uid === 0 && given.loginName === null;
}

export class StudentFollower {
  readonly #options: StudentFollowerOptions;
  readonly follows: boolean;
  #current: FollowedStudent;
  /** A look in progress: the next tick skips rather than stacking lookups when loginctl is slow. */
  #checking = false;

  private constructor(options: StudentFollowerOptions, first: FollowedStudent) {
    this.#options = options;
    this.follows = followsConsole(options.given);
    this.#current = first;
  }

  static async start(options: StudentFollowerOptions): Promise<StudentFollower> {
    const follower = new StudentFollower(options, { ...options.given, subordinateUids: [] });
    follower.#current = await follower.#resolve();
    return follower;
  }

  get current(): FollowedStudent {
    return this.#current;
  }

  /** Looks again who is at the console; returns the student when that changed, else null. */
  async check(): Promise<FollowedStudent | null> {
    if (!this.follows || this.#checking) return null;
    this.#checking = true;
    try {
      const next = await this.#resolve();
      if (next.uid === this.#current.uid && next.loginName === this.#current.loginName) return null;
      this.#current = next;
      return next;
    } finally {
      this.#checking = false;
    }
  }

  /** What the status says about stopping apps. */
  apps(): Apps {
    const { uid, loginName } = this.#current;
    const student = loginName ?? (typeof uid === 'number' ? String(uid) : null);
    const state = uid === null ? 'no-student' : this.#options.dryRun ? 'dry-run' : 'stopping';
    return { state, student: uid === null ? null : student, from: this.follows ? 'console' : 'given' };
  }

  async #resolve(): Promise<FollowedStudent> {
    const { given, consoleLogin, passwd } = this.#options;
    const student = this.follows ? await studentForService(given, consoleLogin, passwd) : given;
    const ranges = student === given && given.subordinateUids ? given.subordinateUids : (this.#options.subordinateUids ?? systemSubordinateUids)(student);
    return { ...student, subordinateUids: ranges };
  }
}

/**
 * The login at the console: logind's seat0 session where systemd runs (it
 * follows user switches), else the first user logged in (utmp, through
 * `fallback`), which is what a machine without logind offers.
 */
export function consoleLogin(fallback: () => Promise<string | null>, session = consoleSession): () => Promise<string | null> {
  return async () => {
    try {
      return (await session())?.name ?? null;
    } catch {
      return fallback();
    }
  };
}
