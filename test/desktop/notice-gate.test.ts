import { describe, expect, it } from 'vitest';
import { createNoticeGate, RATE_LIMIT, RATE_WINDOW_MS, REPEAT_WINDOW_MS } from '../../src/desktop/notice-gate.ts';

const notice = (nl: string) => ({ at: '2026-11-23T08:10:00.000Z', nl, en: nl });
const T0 = Date.UTC(2026, 10, 23, 8, 10);

describe('the notice gate', () => {
  it('shows a notice once, and not again while the student has just read it', () => {
    const gate = createNoticeGate();
    expect(gate.admit(notice('Instagram is geblokkeerd (art. III.A.1).'), T0)).toBe(true);
    expect(gate.admit(notice('Instagram is geblokkeerd (art. III.A.1).'), T0 + 10_000)).toBe(false);
    expect(gate.admit(notice('Instagram is geblokkeerd (art. III.A.1).'), T0 + REPEAT_WINDOW_MS - 1)).toBe(false);
  });

  it('shows the same notice again once its window has passed', () => {
    const gate = createNoticeGate();
    gate.admit(notice('OBS is geblokkeerd (art. III.A.2).'), T0);
    expect(gate.admit(notice('OBS is geblokkeerd (art. III.A.2).'), T0 + REPEAT_WINDOW_MS)).toBe(true);
  });

  it('shows at most a few different notices a minute, however many apps a student starts', () => {
    const gate = createNoticeGate();
    const shown = Array.from({ length: 20 }, (_, i) => gate.admit(notice(`App ${i} is geblokkeerd.`), T0 + i * 100)).filter(Boolean);
    expect(shown).toHaveLength(RATE_LIMIT);
    expect(gate.admit(notice('Nog een app is geblokkeerd.'), T0 + RATE_WINDOW_MS)).toBe(true);
  });

  it('tells notices apart by their text, not by when they came', () => {
    const gate = createNoticeGate();
    expect(gate.admit(notice('TikTok is geblokkeerd.'), T0)).toBe(true);
    expect(gate.admit(notice('Snapchat is geblokkeerd.'), T0)).toBe(true);
  });
});
