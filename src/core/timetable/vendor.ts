// Which rooster system wrote a feed. It only breaks ties in summary parsing
// ("b104 - h4a - VRM" starts with a room in Somtoday, "wis - h4a - JNS" with a
// subject in Outlook); every parser also works when the vendor is unknown.

export type Vendor = 'zermelo' | 'somtoday' | 'outlook' | 'untis' | 'magister' | 'google' | 'unknown';

const PRODID_VENDORS: readonly [RegExp, Vendor][] = [
  [/zermelo/i, 'zermelo'],
  [/somtoday|topicus/i, 'somtoday'],
  [/untis/i, 'untis'],
  [/magister|schoolmaster/i, 'magister'],
  [/microsoft|exchange|outlook/i, 'outlook'],
  [/google/i, 'google'],
];

/** From the calendar's PRODID ("-//Topicus//SOM //NL", "Microsoft Exchange Server 2010", "Zermelo Roostermakers Portal API"). */
export function vendorFromProdId(prodId: string | undefined): Vendor {
  if (!prodId) return 'unknown';
  for (const [pattern, vendor] of PRODID_VENDORS) if (pattern.test(prodId)) return vendor;
  return 'unknown';
}

// Exchange's global object ids all start with this class id, hex-encoded.
const EXCHANGE_UID_PREFIX = '040000008200E00074C5B7101A82E008';

/** A fallback for feeds without a useful PRODID: some vendors leave their mark in every UID. */
export function vendorFromUid(uid: string): Vendor {
  if (uid.toUpperCase().startsWith(EXCHANGE_UID_PREFIX)) return 'outlook';
  if (/@somtoday\.nl$/i.test(uid)) return 'somtoday';
  return 'unknown';
}
