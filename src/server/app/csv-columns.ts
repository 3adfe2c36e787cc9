import type { Localized } from '../../core/policy/explain.ts';

/**
 * Finding the columns of a school's CSV export by their header, whatever
 * system wrote it: Magister writes "Stamnr", Somtoday "Leerlingnummer",
 * Intune "Primary user UPN", a spreadsheet "Lesgroep(en)" or "E-mailadres".
 * Headers are compared without case, accents, spaces or punctuation.
 */

/** "Lesgroep(en)" → "lesgroepen", "E-mail adres" → "emailadres", "Leerling­nummer" → "leerlingnummer". */
export function headerKey(header: string): string {
  return header.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * The index of each column: for each, its names in order of preference
 * (the first name the header has wins, so "Roepnaam" beats "Voornamen").
 */
export function findColumns<C extends string>(header: readonly string[], names: Readonly<Record<C, readonly string[]>>): Partial<Record<C, number>> {
  const keys = header.map(headerKey);
  const found: Partial<Record<C, number>> = {};
  for (const column of Object.keys(names) as C[]) {
    for (const name of names[column]) {
      const at = keys.indexOf(headerKey(name));
      if (at >= 0) {
        found[column] = at;
        break;
      }
    }
  }
  return found;
}

/** One bad line of an import, in Dutch and English; line 0 is the file as a whole. */
export interface LineError {
  readonly line: number;
  readonly message: Localized;
}
