import { describe, expect, it } from 'vitest';
import type { Harness } from '../harness.ts';

export function rateLimitContract(h: Harness): void {
  describe('rate limit hits', () => {
    it('keeps hits per limiter and key, answers the latest ones after a moment oldest first, clears a key and prunes old hits', async () => {
      const store = await h.fresh();
      for (const at of [10, 20, 30, 40]) await store.recordRateLimitHit('login-account', 'jansen', at);
      await store.recordRateLimitHit('login-client', 'jansen', 35);
      await store.recordRateLimitHit('login-account', 'pieters', 25);
      expect(await store.rateLimitHits('login-account', 'jansen', 15, 2)).toEqual([30, 40]);
      expect(await store.rateLimitHits('login-account', 'jansen', 15, 10)).toEqual([20, 30, 40]);
      expect(await store.rateLimitHits('login-client', 'jansen', 0, 10)).toEqual([35]);
      await store.clearRateLimitHits('login-account', 'jansen');
      expect(await store.rateLimitHits('login-account', 'jansen', 0, 10)).toEqual([]);
      expect(await store.pruneRateLimitHits(30)).toBe(1);
      expect(await store.rateLimitHits('login-account', 'pieters', 0, 10)).toEqual([]);
      expect(await store.rateLimitHits('login-client', 'jansen', 0, 10)).toEqual([35]);
      await expect(store.recordRateLimitHit('login-account', 'a\u0000b', 1)).rejects.toMatchObject({ code: 'invalid-input' });
    });
  });
}
