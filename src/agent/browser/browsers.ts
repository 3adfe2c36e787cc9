/** The Chromium-family browsers Lesmodus writes policy for: one policy format, four vendors. */
export const CHROMIUM_BROWSERS = ['chrome', 'chromium', 'edge', 'brave'] as const;
export type ChromiumBrowser = (typeof CHROMIUM_BROWSERS)[number];

export const BROWSERS = [...CHROMIUM_BROWSERS, 'firefox'] as const;
export type BrowserId = (typeof BROWSERS)[number];

export function isChromiumBrowser(browser: BrowserId): browser is ChromiumBrowser {
  return (CHROMIUM_BROWSERS as readonly string[]).includes(browser);
}
