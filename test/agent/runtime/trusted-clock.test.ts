import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from '../../../src/agent/runtime/agent.ts';
import { CLOCK_TOLERANCE_MS, MAX_SERVER_STEP_MS, spanWords, systemClockSources, TrustedClock, VERIFY_WITHIN_MS, type ClockTamper, type TrustedClockDeps } from '../../../src/agent/runtime/trusted-clock.ts';
import { currentBootId, type ClockAnchor } from '../../../src/agent/runtime/clock-anchor.ts';
import { openDeviceStore } from '../../../src/agent/store/index.ts';
import { loadCatalogIndex } from '../../../src/adapters/resources.ts';
import { ams, lesson, svokPolicy } from '../../helpers/policy.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * A laptop's two clocks: the wall clock the student can set, and the counter
 * the OS keeps. `pass` is real time going by; `suspend` is the lid closed;
 * `setWall` is the student in the date-and-time settings.
 */
function laptopClocks(options: { countsSuspend?: boolean; start?: number } = {}) {
  const state = { wall: options.start ?? ams('2026-11-23 10:05'), counter: 5_000_000 };
  return {
    state,
    sources: { wall: () => state.wall, counter: () => state.counter, countsSuspend: options.countsSuspend ?? true },
    pass(ms: number) {
      state.wall += ms;
      state.counter += ms;
    },
    suspend(ms: number) {
      state.wall += ms;
      if (options.countsSuspend ?? true) state.counter += ms;
    },
    setWall(ms: number) {
      state.wall += ms;
    },
  };
}

function trustedClock(clocks: ReturnType<typeof laptopClocks>, verifiable: boolean) {
  const tampers: ClockTamper[] = [];
  const info: string[] = [];
  const clock = new TrustedClock({ sources: clocks.sources, verifiable, onTamper: (t) => tampers.push(t), info: (m) => info.push(m) });
  return { clock, tampers, info };
}

describe('the trusted clock', () => {
  it('follows real time, and a night in the bag (suspend counted by the OS) is no tamper', () => {
    const clocks = laptopClocks();
    const { clock, tampers } = trustedClock(clocks, false);
    const start = clocks.state.wall;
    clocks.pass(90_000);
    clock.check();
    expect(clock.now()).toBe(start + 90_000);
    clocks.suspend(14 * HOUR);
    clock.check();
    expect(clock.now()).toBe(clocks.state.wall);
    expect(tampers).toEqual([]);
  });

  it('keeps its own time when the clock is moved forward past the lesson, and reports it once (no server)', () => {
    const clocks = laptopClocks();
    const { clock, tampers } = trustedClock(clocks, false);
    const realNow = clocks.state.wall;
    clocks.setWall(55 * MINUTE);
    clock.check();
    clock.check();
    expect(clock.now()).toBe(realNow);
    expect(tampers).toEqual([{ kind: 'clock-jump', detail: 'wall clock moved forward 55 min; the agent keeps its own time' }]);
  });

  it('tolerates the small steps NTP makes', () => {
    const clocks = laptopClocks();
    const { clock, tampers } = trustedClock(clocks, false);
    clocks.setWall(CLOCK_TOLERANCE_MS - 1_000);
    clock.check();
    clocks.setWall(-(CLOCK_TOLERANCE_MS - 1_000) * 2);
    clock.check();
    expect(tampers).toEqual([]);
  });

  it('with a server: holds a clock moved back until the server confirms, then reports how far it is off', () => {
    const clocks = laptopClocks();
    const { clock, tampers, info } = trustedClock(clocks, true);
    const realNow = clocks.state.wall;
    clocks.setWall(-65 * MINUTE);
    clock.check();
    expect(tampers).toEqual([]);
    expect(info.at(-1)).toMatch(/moved back 1 h 5 min; keeping the agent's own time and checking with the school server/);
    expect(clock.now()).toBe(realNow);
    clocks.pass(30_000);
    clock.observeServer(realNow + 30_000 - 40, 80);
    expect(clock.now()).toBe(realNow + 30_000);
    expect(tampers).toEqual([{ kind: 'clock-offset', detail: "wall clock is 1 h 5 min behind the school server; the agent keeps the server's time" }]);
    clocks.pass(MINUTE);
    clock.check();
    clock.observeServer(realNow + 90_000, 0);
    expect(tampers).toHaveLength(1);
  });

  it(`with a server that stays unreachable, reports the jump as unverified after ${VERIFY_WITHIN_MS / MINUTE} minutes`, () => {
    const clocks = laptopClocks();
    const { clock, tampers } = trustedClock(clocks, true);
    clocks.setWall(3 * HOUR);
    for (let i = 0; i < 5; i++) {
      clock.check();
      clocks.pass(MINUTE);
    }
    expect(tampers).toEqual([]);
    clock.check();
    expect(tampers).toEqual([{ kind: 'clock-jump', detail: 'wall clock moved forward 3 h (the school server could not confirm the time); the agent keeps its own time' }]);
  });

  it('a clock moved back to where it was before the server answers is no tamper', () => {
    const clocks = laptopClocks();
    const { clock, tampers } = trustedClock(clocks, true);
    clocks.setWall(HOUR);
    clock.check();
    clocks.setWall(-HOUR);
    clock.check();
    clocks.pass(10 * MINUTE);
    clock.check();
    expect(tampers).toEqual([]);
  });

  it('a clock moved a little every minute adds up to a report', () => {
    const clocks = laptopClocks();
    const { clock, tampers } = trustedClock(clocks, true);
    let realNow = clocks.state.wall;
    for (let i = 0; i < 4; i++) {
      clocks.pass(MINUTE);
      realNow += MINUTE;
      clocks.setWall(90_000);
      clock.check();
      clock.observeServer(realNow, 0);
    }
    expect(clock.now()).toBe(realNow);
    expect(tampers).toEqual([{ kind: 'clock-offset', detail: "wall clock is 5 min ahead of the school server; the agent keeps the server's time" }]);
  });

  it('a wrong clock that NTP sets right is reported once when the server sees it, and not again when it is corrected', () => {
    const realStart = ams('2026-11-23 07:55');
    const clocks = laptopClocks({ start: realStart - HOUR });
    const { clock, tampers, info } = trustedClock(clocks, true);
    clock.observeServer(realStart, 0);
    expect(tampers).toEqual([{ kind: 'clock-offset', detail: "wall clock is 1 h behind the school server; the agent keeps the server's time" }]);
    clocks.pass(MINUTE);
    clocks.setWall(HOUR); // NTP
    clock.check();
    clock.observeServer(realStart + MINUTE, 0);
    expect(tampers).toHaveLength(1);
    expect(info.at(-1)).toBe('clock: the wall clock agrees with the school server');
  });

  describe('where the counter stops during sleep (macOS)', () => {
    it('follows the wall clock after sleep, and the server confirms it', () => {
      const clocks = laptopClocks({ countsSuspend: false });
      const { clock, tampers } = trustedClock(clocks, true);
      clocks.suspend(10 * HOUR);
      clock.check();
      expect(clock.now()).toBe(clocks.state.wall);
      clock.observeServer(clocks.state.wall, 0);
      expect(tampers).toEqual([]);
    });

    it('reports a clock moved forward once the server tells, and takes the server time', () => {
      const clocks = laptopClocks({ countsSuspend: false });
      const { clock, tampers } = trustedClock(clocks, true);
      const realNow = clocks.state.wall;
      clocks.setWall(2 * HOUR);
      clock.check();
      clock.observeServer(realNow, 0);
      expect(clock.now()).toBe(realNow);
      expect(tampers).toEqual([{ kind: 'clock-offset', detail: "wall clock is 2 h ahead of the school server; the agent keeps the server's time" }]);
    });
  });

  it('does not let time run backwards across a restart: a clock set back while the agent was off is caught at start', () => {
    const clocks = laptopClocks({ start: ams('2026-11-23 08:00') });
    const lastRan = ams('2026-11-23 10:04');
    const tampers: ClockTamper[] = [];
    const clock = new TrustedClock({ sources: clocks.sources, verifiable: true, floor: lastRan, onTamper: (t) => tampers.push(t), info: () => {} });
    expect(clock.now()).toBe(lastRan);
    expect(tampers).toEqual([{ kind: 'clock-jump', detail: 'wall clock is at least 2 h 4 min behind the last time the agent ran; the agent keeps its own time' }]);
    clocks.pass(MINUTE);
    clock.check();
    expect(tampers).toHaveLength(1);
  });

  it('a normal restart (the last run earlier, or a few seconds of drift) is no tamper', () => {
    for (const floor of [ams('2026-11-23 07:00'), ams('2026-11-23 08:00') + 30_000]) {
      const clocks = laptopClocks({ start: ams('2026-11-23 08:00') });
      const tampers: ClockTamper[] = [];
      const clock = new TrustedClock({ sources: clocks.sources, verifiable: true, floor, onTamper: (t) => tampers.push(t), info: () => {} });
      expect(clock.now()).toBe(ams('2026-11-23 08:00'));
      expect(tampers).toEqual([]);
    }
  });

  describe('across a restart, from the anchor it saved', () => {
    const BOOT = '2f1c7a9e-0b4d-4c6e-9f1a-3b5d7e9f1a2c';
    function restarted(clocks: ReturnType<typeof laptopClocks>, anchor: ClockAnchor, extra: Partial<TrustedClockDeps> = {}) {
      const tampers: ClockTamper[] = [];
      const info: string[] = [];
      const clock = new TrustedClock({ sources: clocks.sources, verifiable: true, resume: { anchor, bootId: BOOT }, onTamper: (t) => tampers.push(t), info: (m) => info.push(m), ...extra });
      return { clock, tampers, info };
    }

    it('in the same boot, counts on exactly from the anchor whatever the wall clock says, and reports a moved one', () => {
      const clocks = laptopClocks();
      const realNow = clocks.state.wall;
      const anchor = { time: realNow - 10 * MINUTE, counter: clocks.state.counter - 10 * MINUTE, bootId: BOOT, verified: true };
      clocks.setWall(2 * HOUR);
      const { clock, tampers } = restarted(clocks, anchor);
      expect(clock.now()).toBe(realNow);
      expect(tampers).toEqual([{ kind: 'clock-jump', detail: 'wall clock moved forward 2 h while the agent was not running; the agent keeps its own time' }]);
      expect(clock.anchorToSave(BOOT)).toEqual({ time: realNow, counter: clocks.state.counter, bootId: BOOT, verified: true });
    });

    it('after a reboot, a wall clock within the cached schedule is followed (the server checks it later); one past it is held at the last time known', () => {
      const lastRan = ams('2026-11-23 10:05');
      const anchor = { time: lastRan, counter: 99 * HOUR, bootId: 'an-earlier-boot-0000', verified: true };
      const within = laptopClocks({ start: ams('2026-11-23 13:00') });
      expect(restarted(within, anchor, { scheduleEnd: () => lastRan + 14 * 24 * HOUR }).clock.now()).toBe(ams('2026-11-23 13:00'));

      const past = laptopClocks({ start: lastRan + 15 * 24 * HOUR });
      const { clock, tampers, info } = restarted(past, anchor, { scheduleEnd: () => lastRan + 14 * 24 * HOUR });
      expect(clock.now()).toBe(lastRan);
      expect(tampers).toEqual([]);
      expect(info.at(-1)).toMatch(/15 d past the last time the agent ran, beyond the end of its cached schedule .* until the school server confirms/);
      // Nobody answers for five minutes: it is reported, once.
      for (let i = 0; i <= 5; i++) {
        clock.check();
        past.pass(MINUTE);
      }
      expect(tampers).toEqual([{ kind: 'clock-jump', detail: expect.stringMatching(/^wall clock was 15 d past the last time the agent ran when it started, beyond its cached schedule \(the school server could not confirm/) }]);
      expect(clock.now()).toBe(lastRan + 6 * MINUTE);
    });

    it('after a holiday, the server confirming the wall clock settles it without tamper; a server saying it was ahead is tamper', () => {
      const lastRan = ams('2026-07-10 15:00');
      const anchor = { time: lastRan, counter: 0, bootId: 'an-earlier-boot-0000', verified: true };
      const scheduleEnd = () => lastRan + 14 * 24 * HOUR;
      const holiday = laptopClocks({ start: ams('2026-08-24 08:00') });
      const back = restarted(holiday, anchor, { scheduleEnd });
      back.clock.observeServer(ams('2026-08-24 08:00'), 0);
      expect(back.clock.now()).toBe(ams('2026-08-24 08:00'));
      expect(back.tampers).toEqual([]);
      expect(back.info.at(-1)).toMatch(/the school server confirms the wall clock/);

      const moved = laptopClocks({ start: ams('2026-08-24 08:00') });
      const caught = restarted(moved, anchor, { scheduleEnd });
      caught.clock.observeServer(lastRan + 20 * MINUTE, 0);
      expect(caught.clock.now()).toBe(lastRan + 20 * MINUTE);
      expect(caught.tampers).toEqual([{ kind: 'clock-jump', detail: expect.stringMatching(/^wall clock was 44 d .* ahead of the school server when the agent started/) }]);
    });

    it('reads a boot id only where it is one', () => {
      expect(currentBootId(() => `${BOOT}\n`)).toBe(BOOT);
      expect(currentBootId(() => 'nonsense')).toBeNull();
      expect(currentBootId(() => { throw new Error('ENOENT'); })).toBeNull();
    });
  });

  describe('a school server whose clock is wrong', () => {
    it('does not move a clock it set by more than the bound (nor end the lesson); reports it once, and follows again when it is right', () => {
      const clocks = laptopClocks();
      const { clock, tampers } = trustedClock(clocks, true);
      const realNow = clocks.state.wall;
      clock.observeServer(realNow, 0);
      clocks.pass(MINUTE);
      clock.observeServer(realNow + MINUTE + 400 * 24 * HOUR, 0); // a year and more ahead: it would prune and end every lesson
      clock.observeServer(realNow + MINUTE + 400 * 24 * HOUR, 0);
      expect(clock.now()).toBe(realNow + MINUTE);
      expect(tampers).toEqual([{ kind: 'server-clock', detail: expect.stringMatching(/^the school server's time is 400 d ahead of this laptop's, and its wall clock does not agree .*check the server's clock/) }]);
      clocks.pass(MINUTE);
      clock.observeServer(realNow + 2 * MINUTE + MAX_SERVER_STEP_MS - 1_000, 0); // within the bound: NTP on the server
      expect(clock.now()).toBe(realNow + 2 * MINUTE + MAX_SERVER_STEP_MS - 1_000);
      // Followed; the laptop's wall clock is now the one that is off from the server, and that is said.
      expect(tampers.map((t) => t.kind)).toEqual(['server-clock', 'clock-offset']);
    });

    it('after a restart, follows the server back from a wall clock the student set ahead, but not below the last time it knew', () => {
      const lastRan = ams('2026-11-23 10:05');
      const anchor = { time: lastRan, counter: 0, bootId: 'an-earlier-boot-0000', verified: true };
      const clocks = laptopClocks({ start: ams('2026-11-23 13:00') }); // set ahead in the firmware
      const tampers: ClockTamper[] = [];
      const clock = new TrustedClock({ sources: clocks.sources, verifiable: true, resume: { anchor, bootId: 'this-boot-00000000' }, scheduleEnd: () => lastRan + 14 * 24 * HOUR, onTamper: (t) => tampers.push(t), info: () => {} });
      clock.observeServer(lastRan - 3 * HOUR, 0); // a server set back before the last run is not believed
      expect(clock.now()).toBe(ams('2026-11-23 13:00'));
      clock.observeServer(ams('2026-11-23 10:09'), 0);
      expect(clock.now()).toBe(ams('2026-11-23 10:09'));
      expect(tampers.map((t) => t.kind)).toEqual(['server-clock', 'clock-offset']);
    });
  });

  it('spells spans as a leader reads them', () => {
    expect([45_000, 55 * MINUTE, 65 * MINUTE, 3 * HOUR, 26 * HOUR + 30_000].map(spanWords)).toEqual(['45 s', '55 min', '1 h 5 min', '3 h', '1 d 2 h 1 min']);
  });

  it('counts with os.uptime (suspend included) on Linux and Windows, and knows macOS does not', () => {
    expect(systemClockSources('linux').countsSuspend).toBe(true);
    expect(systemClockSources('win32').countsSuspend).toBe(true);
    expect(systemClockSources('darwin').countsSuspend).toBe(false);
    const linux = systemClockSources('linux');
    expect(Math.abs(linux.wall() - Date.now())).toBeLessThan(1_000);
    expect(linux.counter()).toBeGreaterThan(0);
  });
});

describe('a student who moves the clock to skip a lesson', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('is still blocked, and the agent logs a tamper event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesmodus-clock-'));
    dirs.push(dir);
    const clocks = laptopClocks({ start: ams('2026-11-23 08:35') });
    const store = openDeviceStore({ path: join(dir, 'device.db'), now: () => clock.now() });
    const clock: TrustedClock = new TrustedClock({
      sources: clocks.sources, verifiable: false, info: () => {},
      onTamper: ({ kind, detail }) => store.appendEvent({ type: 'tamper', policyVersion: svokPolicy.version, payload: { kind, detail } }),
    });
    try {
      const ne = lesson({ uid: 'ne-1', subject: 'ne', teachers: ['JNS'], start: ams('2026-11-23 08:30'), end: ams('2026-11-23 09:20') });
      store.replaceSchedule([ne], { source: 'test', fetchedAt: clock.now(), validUntil: clock.now() + 86_400_000, signature: null, keyId: null });
      const agent = new Agent({
        store, policy: svokPolicy, catalog: loadCatalogIndex(), now: clock.now, onSchoolNetwork: async () => false,
        enforcers: [], log: { info: () => {}, warn: () => {}, error: () => {} }, statusFile: join(dir, 'status.json'), dryRun: false,
      });
      expect((await agent.evaluate()).blocked.categories).toEqual(['social']);
      clocks.setWall(HOUR); // 09:35 on the wall: the lesson would be over
      clock.check();
      expect((await agent.evaluate()).blocked.categories).toEqual(['social']);
      const tamper = store.outboxBatch(100).filter((e) => e.type === 'tamper');
      expect(tamper).toEqual([expect.objectContaining({ occurredAt: ams('2026-11-23 08:35'), payload: { kind: 'clock-jump', detail: 'wall clock moved forward 1 h; the agent keeps its own time' } })]);
      clocks.pass(45 * MINUTE); // the real end of the lesson
      expect((await agent.evaluate()).blocked.categories).toEqual([]);
    } finally {
      store.close();
    }
  });
});
