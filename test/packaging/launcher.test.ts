import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The `lesmodus` launcher (src/cli/lesmodus.mjs) as a school's IT runs it:
 * with the machine's own older Node (Debian's 20), which must hand over to
 * the Node 24 that `npm install` bootstrapped, or say what to do; and with
 * Node 24, which keeps V8's compile cache only in a folder that is the
 * user's alone.
 */

const LAUNCHER = fileURLToPath(new URL('../../src/cli/lesmodus.mjs', import.meta.url));
const VERSION_LINE = /^lesmodus \d+\.\d+\.\d+ \(Node (\d+)\.\d+\.\d+\)\n$/;
const run = promisify(execFile);
const home = mkdtempSync(join(tmpdir(), 'lesmodus-launcher-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** The machine's Node when it is older than the project's (Debian's /usr/bin/node here), else null. */
function olderNode(): string | null {
  for (const candidate of ['/usr/bin/node', '/usr/bin/nodejs']) {
    if (!existsSync(candidate)) continue;
    const major = Number(execFileSync(candidate, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim());
    if (major < 22) return candidate;
  }
  return null;
}
const OLD_NODE = olderNode();

async function launch(node: string, args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(node, [LAUNCHER, ...args], { env: { PATH: process.env.PATH ?? '', HOME: home, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.skipIf(OLD_NODE === null)(`an older Node (${OLD_NODE})`, () => {
  // This test's own Node is the bootstrapped one: <home>/bin/node.
  const node24Home = dirname(dirname(process.execPath));

  it('hands over to the bootstrapped Node: the command runs there, with no warning or error', async () => {
    const result = await launch(OLD_NODE!, ['--version'], { LESMODUS_NODE_HOME: node24Home });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(Number(VERSION_LINE.exec(result.stdout)?.[1])).toBeGreaterThanOrEqual(22);
  });

  it('says what to do when there is no newer Node to hand over to', async () => {
    const result = await launch(OLD_NODE!, ['--version'], { LESMODUS_NODE_HOME: join(home, 'no-node-here') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^lesmodus needs Node\.js 22\.18 or newer \(this is v\d+\.[\d.]+\)\. Install Node 24 LTS, or run 'npm install'/);
  });
});

describe('the compile cache', () => {
  const cache = join(home, '.cache', 'lesmodus', 'compile-cache');

  it('is made owner-only in the home folder and filled', async () => {
    const result = await launch(process.execPath, ['--version'], {});
    expect(result.stdout).toMatch(VERSION_LINE);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    expect(readdirSync(cache).length).toBeGreaterThan(0);
  });

  it('is not used when others can write to it (code from it would run as this user)', async () => {
    rmSync(cache, { recursive: true });
    mkdirSync(cache, { recursive: true });
    chmodSync(cache, 0o777);
    const result = await launch(process.execPath, ['--version'], {});
    expect(result.stdout).toMatch(VERSION_LINE);
    expect(readdirSync(cache)).toEqual([]);
  });
});
