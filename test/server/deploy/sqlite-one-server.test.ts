import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCli } from '../api/cli-harness.ts';

/**
 * SQLite serves one server process: a second `lesmodus server` on the same
 * data folder would take requests whose live grants never reach the laptops
 * streaming from the first. It refuses, saying why and what to do, while the
 * admin CLI still works beside the running server.
 */

const cli = useCli('sqlite-one');

describe('a second server process on the same SQLite data folder', () => {
  const data = join(cli.tmp, 'data');
  const serverArgs = ['server', '--data-dir', data, '--host', '127.0.0.1', '--port', '0'];

  it('refuses clearly, leaves the first serving and the admin CLI working, and a killed server leaves no stale lock', async () => {
    expect((await cli.run(['server', 'init', '--data-dir', data, '--school', 'kl', '--school-name', 'Kennemer Lyceum'])).code).toBe(0);
    const first = await cli.start(serverArgs);

    const second = await cli.run(serverArgs);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/Another Lesmodus server is already running on the SQLite database in .*stop the other one, or run several processes on PostgreSQL \(--database-url\)/s);

    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    const list = await cli.run(['server', 'school', 'list', '--data-dir', data]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('Kennemer Lyceum');

    // A crash (no clean stop) must not leave a lock behind: the operating system releases it with the process.
    first.child.kill('SIGKILL');
    await once(first.child, 'close');
    const again = await cli.start(serverArgs);
    expect((await fetch(`${again.url}/healthz`)).status).toBe(200);
    again.child.kill('SIGTERM');
    await once(again.child, 'close');
  });
});
