import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/**
 * The browser modules' pure parts, loaded in Node as they are served. They
 * are plain JavaScript (a browser cannot strip types), so they are imported
 * by URL and used loosely typed.
 */

const ASSETS = new URL('../../../src/server/web/assets/', import.meta.url);
const load = async (name: string): Promise<any> => import(new URL(name, ASSETS).href);

const format = await load('format.js');
const i18n = await load('i18n.js');
const chart = await load('chart.js');
const log = await load('log-filter.js');
const health = await load('page-health.js');
const apiModule = await load('api.js');

const ZONE = 'Europe/Amsterdam';
const END = Date.UTC(2026, 10, 25, 9, 10); // 10:10 in Amsterdam

describe('format', () => {
  it('shows times in the school zone', () => {
    expect(format.clock(END, ZONE)).toBe('10:10');
    expect(format.clock(END, 'America/New_York')).toBe('04:10');
  });

  it('turns "until" into an instant on the lesson day, never after its end', () => {
    expect(format.untilInstant('10:10', END, ZONE)).toBe(END);
    expect(format.untilInstant('09:50', END, ZONE)).toBe(END - 20 * 60_000);
    expect(format.untilInstant('11:30', END, ZONE)).toBe(END);
    expect(format.untilInstant('', END, ZONE)).toBeNull();
    expect(format.untilInstant('soon', END, ZONE)).toBeNull();
  });

  it('knows where a lesson stands', () => {
    const lesson = { start: END - 50 * 60_000, end: END, cancelled: false };
    expect(format.lessonState(lesson, END - 60 * 60_000)).toBe('later');
    expect(format.lessonState(lesson, END - 1)).toBe('now');
    expect(format.lessonState(lesson, END)).toBe('past');
    expect(format.lessonState({ ...lesson, cancelled: true }, END - 1)).toBe('cancelled');
  });

  it('says what an exception allows', () => {
    const t = (key: string) => i18n.translate('nl', key);
    expect(format.allowedText({ categories: ['social'], services: ['tiktok'], capture: ['microphone'] }, t, { tiktok: 'TikTok' })).toBe('Social media, TikTok, microfoon');
    // A service the catalog no longer names keeps its id rather than vanishing from the record.
    expect(format.allowedText({ categories: [], services: ['gone'], capture: [] }, t, { tiktok: 'TikTok' })).toBe('gone');
  });
});

describe('i18n', () => {
  it('has the same keys in Dutch and English', () => {
    expect(Object.keys(i18n.DICTIONARIES.en).sort()).toEqual(Object.keys(i18n.DICTIONARIES.nl).sort());
  });

  it('fills placeholders and falls back to the key', () => {
    expect(i18n.translate('nl', 'grant.applied', { applied: 3, expected: 5 })).toBe('3 van 5 apparaten hebben het toegepast');
    expect(i18n.translate('en', 'grant.applied', { applied: 3, expected: 5 })).toBe('3 of 5 devices applied it');
    expect(i18n.translate('nl', 'no.such.key')).toBe('no.such.key');
  });

  it('uses every key the pages ask for', async () => {
    const used = new Set<string>();
    for (const file of ['app.js', 'page-login.js', 'page-lessons.js', 'page-log.js', 'log-filter.js', 'page-health.js', 'page-detail.js']) {
      const source = await readFile(new URL(file, ASSETS), 'utf8');
      for (const match of source.matchAll(/\bt\('([a-z]+\.[A-Za-z.]+|logout)'/g)) used.add(match[1]!);
    }
    expect([...used].filter((key) => !(key in i18n.DICTIONARIES.nl))).toEqual([]);
  });
});

describe('chart layout', () => {
  const rows = [
    { weekStart: '2026-11-16', article: 'III.A.1', count: 2 },
    { weekStart: '2026-11-23', article: 'III.A.1', count: 4 },
    { weekStart: '2026-11-23', article: 'III.A.3', count: 1 },
  ];

  it('scales bars to the largest count and groups them per week', () => {
    const layout = chart.chartLayout(rows);
    expect(layout.weeks).toEqual(['2026-11-16', '2026-11-23']);
    expect(layout.articles).toEqual(['III.A.1', 'III.A.3']);
    expect(layout.max).toBe(4);
    const [first, tallest, small] = layout.bars;
    expect(tallest.height).toBeCloseTo(chart.CHART.height - chart.CHART.top - chart.CHART.bottom);
    expect(first.height).toBeCloseTo(tallest.height / 2);
    expect(small.x).toBeGreaterThan(tallest.x);
    for (const bar of layout.bars) expect(bar.y + bar.height).toBeCloseTo(chart.CHART.height - chart.CHART.bottom);
  });

  it('draws nothing for no data', () => {
    expect(chart.chartLayout([]).bars).toEqual([]);
  });
});

describe('log filter', () => {
  it('sends only what was filled in, "up to" a date including that day', () => {
    expect(log.filterQuery({ from: '2026-11-23', to: '2026-11-30', group: ' H4A ', teacher: 'jns', article: 'III.A.1', category: '', service: '', status: 'active' }))
      .toEqual({ from: '2026-11-23', to: '2026-12-01', school: undefined, group: 'h4a', teacher: 'JNS', article: 'III.A.1', category: undefined, service: undefined, status: 'active' });
    expect(log.filterQuery({ school: 'kl' }).school).toBe('kl');
    expect(log.filterQuery({ from: 'nonsense' }).from).toBeUndefined();
    // Dates as a Dutch leader types them.
    expect(log.filterQuery({ from: '23-11-2026', to: '30-11-2026' })).toMatchObject({ from: '2026-11-23', to: '2026-12-01' });
  });

  it('reads dd-mm-jjjj (and jjjj-mm-dd) as a date on the calendar, and shows dates as dd-mm-jjjj', () => {
    for (const typed of ['02-12-2026', '2-12-2026', '02/12/2026', '2.12.2026', ' 2026-12-02 ', '2026-12-2']) expect(format.isoDate(typed), typed).toBe('2026-12-02');
    for (const wrong of ['31-02-2026', '12/31/2026', '2026-13-01', '02-12-26', 'morgen', '0-0-0000']) expect(format.isoDate(wrong), wrong).toBeNull();
    expect(format.isoDate('')).toBeUndefined();
    expect(format.isoDate('29-02-2028')).toBe('2028-02-29');
    expect(format.dutchDate('2026-12-02')).toBe('02-12-2026');
    expect(format.dutchDate('31-02-2026')).toBe('31-02-2026');
  });

  it('names every date problem with its field: no date, or an end before the start (the same day is fine)', () => {
    const t = (key: string, values?: object) => i18n.translate('nl', key, values);
    expect(log.dateProblems({ from: '31-02-2026', to: 'morgen' }, t)).toEqual([
      { field: 'from', text: 'Vanaf: "31-02-2026" is geen datum; schrijf dd-mm-jjjj, bijvoorbeeld 02-12-2026.' },
      { field: 'to', text: 'Tot en met: "morgen" is geen datum; schrijf dd-mm-jjjj, bijvoorbeeld 02-12-2026.' },
    ]);
    expect(log.dateProblems({ from: '04-12-2026', to: '2026-12-01' }, t)).toEqual([
      { field: 'to', text: 'Tot en met (01-12-2026) ligt vóór Vanaf (04-12-2026); kies een latere einddatum of draai ze om.' },
    ]);
    expect(log.dateProblems({ from: '04-12-2026', to: '04-12-2026' }, t)).toEqual([]);
    expect(log.dateProblems({ from: '', to: '' }, t)).toEqual([]);
  });

  it('goes to an address with only the fields filled in, dates as jjjj-mm-dd', () => {
    expect(log.filterAddress({ from: '01-12-2026', to: '', school: '', group: ' ', teacher: '', article: '', category: 'social', service: ' TikTok ', status: '' }))
      .toBe('/leiding?from=2026-12-01&category=social&service=TikTok');
    expect(log.filterAddress({})).toBe('/leiding');
  });
});

describe('device health', () => {
  const t = (key: string, values?: object) => i18n.translate('nl', key, values);
  const row = (deviceId: string, start: number, extra: object = {}) => ({
    deviceId, hostname: deviceId.toUpperCase(), studentId: 's1', studentName: 'Sanne de Vries', silent: true, silentMs: 50 * 60_000, tamperEvents: 0,
    lesson: { start, end: start + 50 * 60_000, subject: 'ne', groups: ['h4a'] }, ...extra,
  });
  const DEC_2 = Date.UTC(2026, 11, 2, 7, 30); // Wednesday 2 December, 08:30 in Amsterdam

  it('groups the lessons per laptop, the laptop that missed most first', () => {
    const groups = health.perLaptop([row('lt-1', DEC_2), row('lt-2', DEC_2), row('lt-2', DEC_2 + 3_600_000)]);
    expect(groups.map((g: { deviceId: string; lessons: unknown[] }) => [g.deviceId, g.lessons.length])).toEqual([['lt-2', 2], ['lt-1', 1]]);
  });

  it('says per laptop in one line how many lessons it was silent since when, with Dutch plurals, and how often it was tampered with', () => {
    const [many] = health.perLaptop([row('lkk-lt-0142', DEC_2), row('lkk-lt-0142', DEC_2 + 86_400_000, { tamperEvents: 1 }), row('lkk-lt-0142', DEC_2 + 2 * 86_400_000)]);
    expect(health.laptopLine(many, t, ZONE, 'nl')).toBe('LKK-LT-0142 (Sanne de Vries) — 3 lessen stil sinds 2 dec 08:30, 1 keer manipulatie');
    const en = (key: string, values?: object) => i18n.translate('en', key, values);
    expect(health.laptopLine(many, en, ZONE, 'en')).toBe('LKK-LT-0142 (Sanne de Vries) — 3 lessons silent since 2 Dec 08:30, 1 tamper event');
    const [one] = health.perLaptop([row('lkk-lt-0142', DEC_2)]);
    expect(health.laptopLine(one, t, ZONE, 'nl')).toBe('LKK-LT-0142 (Sanne de Vries) — 1 les stil, op 2 dec 08:30');
    const [tamperOnly] = health.perLaptop([row('lkk-lt-0142', DEC_2, { silent: false, silentMs: 0, tamperEvents: 2 })]);
    expect(health.laptopLine(tamperOnly, t, ZONE, 'nl')).toBe('LKK-LT-0142 (Sanne de Vries) — 2 keer manipulatie');
  });
});

describe('api', () => {
  it('makes Idempotency-Keys the server accepts, a new one each time, also without crypto.randomUUID (plain http)', () => {
    const keys = [apiModule.newIdempotencyKey(), apiModule.newIdempotencyKey()];
    const randomUUID = crypto.randomUUID;
    try {
      Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true });
      keys.push(apiModule.newIdempotencyKey());
    } finally {
      Object.defineProperty(crypto, 'randomUUID', { value: randomUUID, configurable: true });
    }
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    expect(new Set(keys).size).toBe(3);
  });
});

describe('the admin page\'s texts', async () => {
  const admin = await load('page-admin.js');
  it('has the same keys in Dutch and English, and names the laptop in its buttons', () => {
    expect(Object.keys(admin.ADMIN_TEXT.en).sort()).toEqual(Object.keys(admin.ADMIN_TEXT.nl).sort());
    expect(admin.adminText('nl', 'revokeLabel', { name: 'laptop-3B-07' })).toBe('Intrekken: laptop-3B-07');
    expect(admin.adminText('en', 'restoreLabel', { name: 'laptop-3B-07' })).toBe('Restore: laptop-3B-07');
  });
});
