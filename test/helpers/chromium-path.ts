/** Debian's Chromium, which every browser test and benchmark drives (playwright-core brings no browser). */
export const CHROMIUM = '/usr/bin/chromium';
