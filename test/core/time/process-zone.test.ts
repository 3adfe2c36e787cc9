import { describe, expect, it } from 'vitest';

// Proves each project really runs in the zone it claims, so the zone-independence
// of every other test is actually exercised.
describe('the test run', () => {
  it('runs in the process zone named by TZ', () => {
    const expected = process.env.TZ;
    expect(expected === 'UTC' || expected === 'America/New_York').toBe(true);
    expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe(expected);
    const winterOffset = new Date(Date.UTC(2026, 0, 15)).getTimezoneOffset();
    expect(winterOffset).toBe(expected === 'UTC' ? 0 : 300);
  });
});
