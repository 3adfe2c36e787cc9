/** A made-up social app a school's IT adds in catalog-additions.json: a Linux binary and a site of its own. */
export const CHIRPR = {
  id: 'chirpr',
  name: 'Chirpr',
  category: 'social',
  match: { linux: { binaries: ['chirpr'] }, win32: { exe: ['Chirpr.exe'] } },
  domains: ['chirpr.example'],
  notes: 'Made up for the tests: a social app a school adds itself.',
} as const;

export const ADDITIONS = { services: [CHIRPR], neverBlock: [] };
