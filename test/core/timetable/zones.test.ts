import { describe, expect, it } from 'vitest';
import { resolveZoneName, yearOffsets } from '../../../src/core/time/zones.ts';

const resolve = (name: string, preferredZone?: string) => resolveZoneName(name, { referenceYear: 2026, preferredZone });

describe('resolving TZID names', () => {
  it('accepts IANA names in any case', () => {
    expect(resolve('europe/amsterdam')).toBe('Europe/Amsterdam');
    expect(resolve('EUROPE/BRUSSELS')).toBe('Europe/Brussels');
  });

  it('strips vendor prefixes in front of an IANA name', () => {
    expect(resolve('/mozilla.org/20050126_1/Europe/Amsterdam')).toBe('Europe/Amsterdam');
    expect(resolve('/citadel.org/20190914_1/Europe/Amsterdam')).toBe('Europe/Amsterdam');
    expect(resolve('/freeassociation.sourceforge.net/Tzfile/America/Argentina/Buenos_Aires')).toBe('America/Buenos_Aires');
    expect(resolve('tzone://Microsoft/Utc')).toBe('UTC');
  });

  it('does not trust a bare abbreviation behind an unknown prefix', () => {
    expect(resolve('/vendor.example/Custom/EST')).toBeUndefined();
  });

  it('maps Windows zone ids, preferring the school zone among equivalent IANA zones', () => {
    expect(resolve('W. Europe Standard Time', 'Europe/Amsterdam')).toBe('Europe/Amsterdam');
    expect(resolve('W. Europe Standard Time')).toBe('Europe/Berlin');
    expect(resolve('romance standard time', 'Europe/Amsterdam')).toBe('Europe/Paris');
    expect(resolve('Eastern Standard Time')).toBe('America/New_York');
  });

  it('maps Outlook display names in Dutch, English and German', () => {
    expect(resolve('(UTC+01:00) Amsterdam, Berlijn, Bern, Rome, Stockholm, Wenen')).toBe('Europe/Amsterdam');
    expect(resolve('(UTC+01:00) Brussel, Kopenhagen, Madrid, Parijs')).toBe('Europe/Brussels');
    expect(resolve('(UTC+01:00) Brüssel, Kopenhagen, Madrid, Paris')).toBe('Europe/Brussels');
    expect(resolve('(UTC+00:00) Dublin, Edinburgh, Lisbon, London')).toBe('Europe/Dublin');
    expect(resolve('(GMT-05:00) Eastern Time (US & Canada)')).toBeUndefined();
  });

  it('skips a city whose zone disagrees with the display name offset', () => {
    // "Rome" is fine at +01:00; claimed at +05:00 no city fits, so there is no answer rather than a wrong one.
    expect(resolve('(UTC+05:00) Rome, Amsterdam')).toBeUndefined();
    expect(resolve('(UTC+05:00) Amsterdam, Tashkent')).toBe('Asia/Tashkent');
  });

  it('gives no answer for names it does not know', () => {
    expect(resolve('Customized Time Zone')).toBeUndefined();
    expect(resolve('Mars/Olympus_Mons')).toBeUndefined();
    expect(resolve('')).toBeUndefined();
  });
});

describe('yearly offsets', () => {
  it('finds winter and summer offsets in both hemispheres', () => {
    expect(yearOffsets('Europe/Amsterdam', 2026)).toEqual({ standard: 3_600_000, daylight: 7_200_000 });
    expect(yearOffsets('Australia/Sydney', 2026)).toEqual({ standard: 36_000_000, daylight: 39_600_000 });
    expect(yearOffsets('Asia/Tokyo', 2026)).toEqual({ standard: 32_400_000, daylight: 32_400_000 });
  });
});
