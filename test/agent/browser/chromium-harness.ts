// Starts Debian's Chromium for the browser tests and benchmark, reading its
// managed policy from a test directory instead of /etc/chromium. Chromium's
// policy path is compiled in (/etc/chromium/policies) and no switch moves it,
// so the browser runs in a private mount namespace where the test's
// directory is bind-mounted over /etc/chromium (and, if asked, a test file
// over /etc/hosts). Nothing is written to the real /etc, so a failed test
// cannot leave a blocking policy behind for anyone else on the machine.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM } from '../../helpers/chromium-path.ts';

export { CHROMIUM } from '../../helpers/chromium-path.ts';

/** A cold Chromium start on a busy 2-core machine can take many seconds. */
export const BROWSER_LAUNCH_TIMEOUT_MS = 90_000;
/** One navigation to a local server; generous for the same reason. */
export const NAVIGATION_TIMEOUT_MS = 30_000;

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Why the real-browser tests cannot run here, or null when they can. */
export function chromiumUnavailable(): string | null {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (to bind-mount a test policy directory over /etc/chromium)';
  if (!existsSync(CHROMIUM)) return `needs Chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (!existsSync('/etc/chromium')) return 'needs /etc/chromium (the Debian chromium package creates it)';
  try {
    execFileSync('unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' });
  } catch {
    return 'needs unshare(1) and mount namespaces';
  }
  return null;
}

export interface ChromiumSession {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Seen by Chromium as /etc/chromium (so policies go in <dir>/policies/managed). */
  readonly etcChromium: string;
  /** Seen by Chromium as /etc/hosts. */
  readonly hostsFile?: string;
  /** --host-resolver-rules, e.g. "MAP *.example 127.0.0.1:8080". */
  readonly hostResolverRules?: string;
  readonly extraArgs?: readonly string[];
  /** An X display (e.g. Xvfb's ":99") to run headed on; headless when absent. */
  readonly display?: string;
}

const WRAPPER = `#!/bin/sh
exec unshare --mount --propagation private /bin/sh -c '
  mount --bind "$LESMODUS_TEST_ETC_CHROMIUM" /etc/chromium || exit 97
  if [ -n "$LESMODUS_TEST_HOSTS" ]; then mount --bind "$LESMODUS_TEST_HOSTS" /etc/hosts || exit 97; fi
  exec ${CHROMIUM} "$@"' lesmodus-test-chromium "$@"
`;

export async function launchChromium(options: LaunchOptions): Promise<ChromiumSession> {
  mkdirSync(options.etcChromium, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'lesmodus-chromium-'));
  const wrapper = join(scratch, 'chromium');
  writeFileSync(wrapper, WRAPPER);
  chmodSync(wrapper, 0o755);
  const args = [...ARGS, ...(options.extraArgs ?? [])];
  if (options.hostResolverRules) args.push(`--host-resolver-rules=${options.hostResolverRules}`);
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(join(scratch, 'profile'), {
      executablePath: wrapper,
      headless: options.display === undefined,
      args,
      timeout: BROWSER_LAUNCH_TIMEOUT_MS,
      env: {
        ...process.env,
        ...(options.display === undefined ? {} : { DISPLAY: options.display }),
        LESMODUS_TEST_ETC_CHROMIUM: options.etcChromium,
        LESMODUS_TEST_HOSTS: options.hostsFile ?? '',
      },
    });
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export interface Visit {
  /** HTTP status, or null when the navigation failed. */
  readonly status: number | null;
  /** Chromium's net error ("net::ERR_BLOCKED_BY_ADMINISTRATOR"), or null when a response came. */
  readonly error: string | null;
  /** Set by the decision proxy on its refusals. */
  readonly refusedByLesmodus: boolean;
}

/**
 * Opens `url` in a new tab of the running browser and reports what happened,
 * without throwing on refusals. A tab per visit: after a failed navigation
 * Chromium commits its error page a moment later, and a next goto in the
 * same tab can be cut short by it ("is interrupted by another navigation").
 */
export async function visit(session: ChromiumSession, url: string): Promise<Visit> {
  const page = await session.context.newPage();
  try {
    const response = await page.goto(url);
    return { status: response?.status() ?? null, error: null, refusedByLesmodus: (await response?.headerValue('x-lesmodus')) === 'blocked' };
  } catch (error) {
    const match = /net::ERR_[A-Z_]+/.exec(String(error));
    if (!match) throw error;
    return { status: null, error: match[0], refusedByLesmodus: false };
  } finally {
    await page.close();
  }
}
