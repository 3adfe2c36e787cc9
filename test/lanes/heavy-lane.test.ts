import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { takeHeavyLane, tryHeavyLane } from './heavy-lane.ts';

const dir = mkdtempSync(join(tmpdir(), 'lesmodus-lane-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the heavy test lane', () => {
  it('lets one file at a time through: the next one gets it when the first lets go', async () => {
    const lock = join(dir, 'turns.lock');
    const first = await takeHeavyLane(lock);
    expect(tryHeavyLane(lock)).toBeNull();
    expect(tryHeavyLane(lock)).toBeNull();
    first();
    const second = tryHeavyLane(lock);
    expect(second).not.toBeNull();
    expect(tryHeavyLane(lock)).toBeNull();
    second!();
    (await takeHeavyLane(lock))();
  });

  it('takes over a lane whose holder died, or whose maker died before saying who it is', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadLock = join(dir, 'dead.lock');
    mkdirSync(deadLock);
    writeFileSync(join(deadLock, 'owner'), JSON.stringify({ pid: Number(dead.stdout), since: Date.now() }));
    (await takeHeavyLane(deadLock))();

    const orphan = join(dir, 'orphan.lock');
    mkdirSync(orphan);
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(orphan, longAgo, longAgo);
    (await takeHeavyLane(orphan))();
  });
});
