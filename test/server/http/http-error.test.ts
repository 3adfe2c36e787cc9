import { describe, expect, it } from 'vitest';
import { HTTP_ERROR_CODES, HttpError, forbidden, invalidRequest, messageFor, wantsDutch } from '../../../src/server/http/http-error.ts';

describe('error messages in the client\'s language', () => {
  it('reads Dutch as the first choice of Accept-Language only', () => {
    expect(wantsDutch('nl')).toBe(true);
    expect(wantsDutch('nl-NL,nl;q=0.9,en;q=0.8')).toBe(true);
    expect(wantsDutch('en-US,nl;q=0.5')).toBe(false);
    expect(wantsDutch('*')).toBe(false);
    expect(wantsDutch(undefined)).toBe(false);
  });

  it('gives the Dutch text where there is one, and the code\'s Dutch summary otherwise', () => {
    const own = invalidRequest([{ path: 'body.expiresAt', message: 'must be in the future' }], 'De eindtijd is al voorbij.');
    expect(messageFor(own, true)).toBe('De eindtijd is al voorbij.');
    expect(messageFor(own, false)).toBe('The request is not valid: body.expiresAt: must be in the future.');
    expect(messageFor(forbidden('No.'), true)).toBe('Dat mag u niet met uw account.');
  });

  it('has a Dutch summary for every error code', () => {
    for (const code of HTTP_ERROR_CODES) {
      const dutch = messageFor(new HttpError(400, code, 'English'), true);
      expect(dutch, code).not.toBe('English');
      expect(dutch.length, code).toBeGreaterThan(5);
    }
  });
});
