import { describe, expect, it } from 'vitest';
import { ConnectionLimits, UNKNOWN_PEER } from '../../../src/agent/control/connection-limits.ts';
import { MIN_GAP_MS, PeerIdentifier } from '../../../src/agent/control/peer-identifier.ts';
import { parseSsUnix, peerUids } from '../../../src/agent/control/peer-uid.linux.ts';
import { DescriptorBudget, openFileLimit } from '../../../src/agent/runtime/fd-budget.ts';

// What `ss -xpnH` printed for the agent's socket with one caller connected (the agent's side first, then the caller's).
const SS = [
  'u_str ESTAB 0      0      /var/run/lesmodus/agent.sock 449358 * 449357 users:(("node",pid=700,fd=24))',
  'u_str ESTAB 0      0                * 449357 * 449358 users:(("lesmodus",pid=1234,fd=23),("sh",pid=1200,fd=5))',
  'u_str ESTAB 0      0      /run/dbus/system_bus_socket 1001 * 1000 users:(("dbus-daemon",pid=300,fd=12))',
  'u_str ESTAB 0      0                * 1000 * 1001',
  'garbage that is not a socket line',
  '',
].join('\n');

describe('peer uid from ss', () => {
  it('reads each socket with its peer and the pids holding it, and skips what is not a socket line', () => {
    const listing = parseSsUnix(SS);
    expect(listing.get(449357)).toEqual({ inode: 449357, peer: 449358, pids: [1234, 1200] });
    expect(listing.get(1000)).toEqual({ inode: 1000, peer: 1001, pids: [] });
    expect(listing.size).toBe(4);
  });

  it("gives each of our connections its caller's real uid; a socket held by root and a student counts as the student's", () => {
    const uids: Record<number, number> = { 1234: 0, 1200: 1001 };
    expect(peerUids([449358], parseSsUnix(SS), (pid) => uids[pid])).toEqual(new Map([[449358, 1001]]));
    expect(peerUids([449358], parseSsUnix(SS), () => 0)).toEqual(new Map([[449358, 0]]));
  });

  it('leaves a connection unidentified when its peer or the peer\'s processes are gone', () => {
    expect(peerUids([1001, 5], parseSsUnix(SS), () => 1001)).toEqual(new Map());
    expect(peerUids([449358], parseSsUnix(SS), () => undefined)).toEqual(new Map());
  });
});

describe('connection limits', () => {
  it('gives a user its share and the rest to others, up to the total', () => {
    const limits = new ConnectionLimits({ total: 5, perUser: 2, exempt: (key) => key === 0 });
    expect([limits.tryTake(1001), limits.tryTake(1001), limits.tryTake(1001)]).toEqual([true, true, false]);
    expect([limits.tryTake(1002), limits.tryTake(0), limits.tryTake(0)]).toEqual([true, true, true]); // root: past a user's share
    expect([limits.tryTake(0), limits.tryTake(1003)]).toEqual([false, false]); // the total (5) is reached
    limits.release(1001);
    expect(limits.tryTake(1003)).toBe(true);
    expect(limits.heldBy(1001)).toBe(1);
  });

  it('bounds callers it cannot tell apart by the total only, and never goes below zero on a stray release', () => {
    const limits = new ConnectionLimits({ total: 3, perUser: 1 });
    expect([limits.tryTake(UNKNOWN_PEER), limits.tryTake(UNKNOWN_PEER), limits.tryTake(UNKNOWN_PEER), limits.tryTake(UNKNOWN_PEER)]).toEqual([true, true, true, false]);
    limits.release(42);
    expect(limits.total).toBe(3);
  });
});

describe('peer identifier', () => {
  it('answers every connection that arrives while a lookup runs with one more lookup, not one each', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const identifier = new PeerIdentifier(async (inodes) => {
      batches.push([...inodes]);
      if (batches.length === 1) await first;
      return new Map(inodes.map((inode) => [inode, inode + 1000]));
    }, () => {});
    const a = identifier.identify(1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const rest = [identifier.identify(2), identifier.identify(3), identifier.identify(3)];
    release();
    expect(await Promise.all([a, ...rest])).toEqual([1001, 1002, 1003, 1003]);
    expect(batches).toEqual([[1], [2, 3]]);
    expect(MIN_GAP_MS).toBeGreaterThan(0);
  });

  it('answers "unknown" when the lookup fails, and reports the failure', async () => {
    const failures: unknown[] = [];
    const identifier = new PeerIdentifier(() => Promise.reject(new Error('spawn ss ENOENT')), (error) => failures.push(error));
    expect(await identifier.identify(7)).toBeUndefined();
    expect(failures).toHaveLength(1);
  });
});

describe('descriptor budget', () => {
  it('reads the soft open-file limit', () => {
    const limits = 'Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 524288               files     \n';
    expect(openFileLimit(() => limits)).toBe(1024);
    expect(openFileLimit(() => 'Max open files            unlimited            unlimited            files')).toBe(Number.POSITIVE_INFINITY);
    expect(openFileLimit(() => { throw new Error('no /proc'); })).toBeUndefined();
    expect(openFileLimit()).toBeGreaterThan(0);
  });

  it('hands listeners what is left after the reserve, and each at least one', () => {
    const budget = new DescriptorBudget(1024, 100, 256);
    expect(budget.claim(64)).toBe(64);
    expect(budget.claim(1_000)).toBe(604);
    expect(budget.claim(64)).toBe(1);
    expect(new DescriptorBudget(undefined, 10).claim(64)).toBe(64);
  });
});
