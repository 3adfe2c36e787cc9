import type { Os } from '../../core/categories.ts';
import { createProcSource } from './proc-source.linux.ts';
import { createSystemInformationSource } from './si-source.ts';
import type { ProcessSource } from './types.ts';

/**
 * The fastest process source for `os`: /proc on Linux, systeminformation
 * elsewhere (see si-source.ts for what would be faster). `watches` says whose
 * processes the guard acts on (see ProcSourceOptions).
 */
export function createProcessSource(os: Os, watches?: (uid: number | undefined) => boolean): ProcessSource {
  return os === 'linux' ? createProcSource(watches ? { watches } : {}) : createSystemInformationSource({ os });
}
