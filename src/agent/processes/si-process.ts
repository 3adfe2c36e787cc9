import type { Systeminformation } from 'systeminformation';

/** The fields of systeminformation's process entry the process source reads. */
export type SiProcess = Pick<Systeminformation.ProcessesProcessData, 'pid' | 'parentPid' | 'name' | 'started' | 'state' | 'user' | 'command' | 'params' | 'path'>;
