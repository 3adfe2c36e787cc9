import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.ts';
import { useCli } from './cli-harness.ts';

// The real server process refreshing a feed served on 127.0.0.1, and `lesmodus server timetable status` reading its last run.
const cli = useCli('feed-cli');
const dir = ['--data-dir', join(cli.tmp, 'data')];
const ics = readFileSync(new URL('../../fixtures/timetables/zermelo-student-v4.ics', import.meta.url));
let feed: Server;
let url: string;

beforeAll(async () => {
  feed = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/calendar' }).end(ics));
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/ical?token=geheim`;
});
afterAll(async () => new Promise<void>((resolve) => feed.close(() => resolve())));

describe('lesmodus server --timetable-feed (spawned)', () => {
  it('refreshes the feed at start; timetable status says when, ok and how many lessons, never the token', async () => {
    expect((await cli.run(['server', 'timetable', 'status', ...dir])).stdout).toContain('No timetable feed has been refreshed here yet');
    expect((await cli.run(['server', 'init', ...dir, '--school', 'kl', '--school-name', 'Kennemer Lyceum'])).code).toBe(0);
    const bad = await cli.run(['server', ...dir, '--port', '0', '--timetable-feed', url, '--timetable-feed-cron', 'nightly']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a cron expression');

    const server = await cli.start(['server', ...dir, '--port', '0', '--timetable-feed', url, '--timetable-feed-cron', '15 6 * * 1-5']);
    try {
      const status = await waitFor(async () => {
        const ran = await cli.run(['server', 'timetable', 'status', ...dir]);
        return ran.stdout.includes('Last refresh') ? ran : undefined;
      }, 'the first refresh');
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain(`kl: http://127.0.0.1:${(feed.address() as AddressInfo).port}/ical (schedule '15 6 * * 1-5')`);
      expect(status.stdout).toMatch(/Last refresh .*: ok, \d+ lessons imported, 0 replaced/);
      expect(status.stdout).not.toContain('geheim');
    } finally {
      server.child.kill('SIGTERM');
    }
  });
});
