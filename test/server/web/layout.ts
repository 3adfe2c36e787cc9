import type { Page } from 'playwright-core';

/**
 * Layout facts of a page in Chromium: how far it scrolls sideways, which of
 * the given elements stick out of the viewport, and which cut their own text
 * off. Elements of no width (hidden) or one pixel wide (kept for screen
 * readers only) are not counted.
 */
export async function layout(page: Page, selector: string): Promise<{ overflow: number; outside: string[]; cut: string[] }> {
  return page.locator('html').evaluate((root, sel) => {
    const width = root.clientWidth;
    const elements = [...root.querySelectorAll(sel)].filter((el) => el.getBoundingClientRect().width > 1);
    const name = (el: { textContent: string | null }) => ('value' in el && typeof el.value === 'string' ? el.value : el.textContent ?? '').trim().slice(0, 40);
    return {
      overflow: root.scrollWidth - width,
      outside: elements.filter((el) => { const box = el.getBoundingClientRect(); return box.left < 0 || box.right > width + 0.5; }).map(name),
      cut: elements.filter((el) => el.scrollWidth > el.clientWidth + 1).map(name),
    };
  }, selector);
}
