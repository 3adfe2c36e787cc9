import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DeviceStoreError, openDeviceStore, type ScheduleMeta } from '../../../src/agent/store/index.ts';
import { createTestStore, useTempDir } from './helpers.ts';
import { lesson, MONDAY, scheduleVersion, VERSION_SIZES } from './schedule-versions.ts';

const temp = useTempDir();
const HOUR = 3_600_000;
const META: ScheduleMeta = { source: 'zermelo', fetchedAt: MONDAY - HOUR, validUntil: MONDAY + 7 * 24 * HOUR, signature: null, keyId: null, consents: null };

/** How long the writer process keeps replacing the timetable while this one reads. */
const CONCURRENT_REPLACE_MS = 1_500;

describe('the cached timetable', () => {
  it('gives back the lessons that overlap a range, by start then uid, exactly as stored', () => {
    const { store } = createTestStore(temp);
    const first = lesson('a@x', MONDAY, { subject: null, location: null, groups: [], teachers: ['JNS', 'PRK'], online: true });
    const second = lesson('b@x', MONDAY + HOUR, { cancelled: true });
    const sameStart = lesson('a2@x', MONDAY + HOUR);
    store.replaceSchedule([second, first, sameStart], META);

    expect(store.lessonsBetween(MONDAY - 24 * HOUR, MONDAY + 24 * HOUR)).toEqual([first, sameStart, second]);
    // [from, to) overlaps a lesson when it starts before `to` and ends after `from`.
    expect(store.lessonsBetween(MONDAY + 10 * 60_000, MONDAY + 11 * 60_000)).toEqual([first]);
    expect(store.lessonsBetween(first.end, second.start)).toEqual([]);
    expect(store.lessonsBetween(MONDAY - HOUR, MONDAY)).toEqual([]);
    expect(store.scheduleMeta()).toEqual(META);
  });

  it('has no meta before the first timetable, and keeps signature and key id when given', () => {
    const { store } = createTestStore(temp);
    expect(store.scheduleMeta()).toBeNull();
    const signed = { ...META, signature: 'c2lnbmF0dXJl', keyId: 'school-2025' };
    store.replaceSchedule([], signed);
    expect(store.scheduleMeta()).toEqual(signed);
  });

  it('keeps the consents signed with the schedule (III.B.9), and tells "no register" (null) from "none" ([])', () => {
    const { store, reopen } = createTestStore(temp);
    const consents = [{ register: 'social-media', from: MONDAY - 90 * 24 * HOUR, to: MONDAY + 200 * 24 * HOUR }];
    store.replaceSchedule([], { ...META, consents });
    expect(reopen().scheduleMeta()?.consents).toEqual(consents);
    store.replaceSchedule([], { ...META, consents: [] });
    expect(store.scheduleMeta()?.consents).toEqual([]);
    store.replaceSchedule([], { ...META, consents: null });
    expect(store.scheduleMeta()?.consents).toBeNull();
    expect(() => store.replaceSchedule([], { ...META, consents: [{ register: '', from: -1, to: 0 }] })).toThrow(DeviceStoreError);
    expect(store.scheduleMeta()?.consents).toBeNull();
  });

  it('replaces the whole timetable, leaving nothing of the old one', () => {
    const { store, reopen } = createTestStore(temp);
    store.replaceSchedule(...scheduleVersion('B'));
    store.replaceSchedule(...scheduleVersion('A'));
    store.close();
    const again = reopen();
    const lessons = again.lessonsBetween(0, Number.MAX_SAFE_INTEGER);
    expect(lessons).toHaveLength(VERSION_SIZES.A);
    expect(new Set(lessons.map((l) => l.subject))).toEqual(new Set(['A']));
    expect(again.scheduleMeta()?.source).toBe('test-A');
  });

  it('keeps the old timetable whole when the new one is invalid, naming the bad lesson', () => {
    const { store } = createTestStore(temp);
    store.replaceSchedule(...scheduleVersion('A'));
    const [lessons] = scheduleVersion('B');
    const broken = [...lessons.slice(0, 30), { ...lessons[30]!, end: lessons[30]!.start }, ...lessons.slice(31)];
    let error: unknown;
    try {
      store.replaceSchedule(broken, META);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeviceStoreError);
    expect((error as DeviceStoreError).code).toBe('invalid-schedule');
    expect((error as DeviceStoreError).issues).toEqual([{ path: 'lessons[30].end', message: 'a lesson must end after it starts' }]);
    expect(store.lessonsBetween(0, Number.MAX_SAFE_INTEGER)).toHaveLength(VERSION_SIZES.A);
    expect(store.scheduleMeta()?.source).toBe('test-A');
  });

  it('refuses the same lesson occurrence twice', () => {
    const { store } = createTestStore(temp);
    const a = lesson('a@x', MONDAY);
    expect(() => store.replaceSchedule([a, lesson('b@x', MONDAY), { ...a, subject: 'other' }], META))
      .toThrow(/lessons\[2\]: the same occurrence \(uid and start\) as lessons\[0\]/);
    expect(store.scheduleMeta()).toBeNull();
  });

  it('never shows a reader in another process half of a replacement', async () => {
    const { store, path } = createTestStore(temp);
    store.replaceSchedule(...scheduleVersion('A'));
    const reader = temp.track(openDeviceStore({ path }));

    const script = fileURLToPath(new URL('./replace-schedule-loop.ts', import.meta.url));
    const writer = spawn(process.execPath, [script, path, String(CONCURRENT_REPLACE_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(writer, 'close'); // after stdout is drained, so "done" is never missed
    const lines = createInterface({ input: writer.stdout! });
    let running = true;
    let replacements = -1;
    lines.on('line', (line) => {
      if (line.startsWith('done ')) replacements = Number(line.slice(5));
    });
    void exited.then(() => { running = false; });

    const seen = { A: 0, B: 0 };
    const mixed: string[] = [];
    while (running) {
      for (let i = 0; i < 20; i++) {
        const lessons = reader.lessonsBetween(0, Number.MAX_SAFE_INTEGER);
        const subjects = new Set(lessons.map((l) => l.subject));
        const version = lessons[0]?.subject;
        if (subjects.size === 1 && (version === 'A' || version === 'B') && lessons.length === VERSION_SIZES[version]) seen[version]++;
        else mixed.push(`${lessons.length} lessons, subjects ${[...subjects].join('/')}`);
      }
      await yieldToEvents();
    }
    const [code] = await exited;
    expect(code).toBe(0);
    expect(mixed).toEqual([]);
    expect(replacements).toBeGreaterThan(10);
    // Both versions were seen, so the reads really did interleave with the writes.
    expect(seen.A).toBeGreaterThan(0);
    expect(seen.B).toBeGreaterThan(0);
  });
});
