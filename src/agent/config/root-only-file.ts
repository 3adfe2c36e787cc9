import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import type { ConfigLayer, ConfigSource } from './config-source.ts';
import type { ExposureCheck } from './file-exposure.ts';

/**
 * The agent's JSON config file (`/etc/lesmodus/config.json`, on Windows under
 * %ProgramData%), the only store the enrollment secret is taken from, and
 * only while nobody but root/SYSTEM can read it. Opened once and checked on
 * that open descriptor, so the file checked is the file read.
 */
export function rootOnlyFileSource(path: string, exposure: ExposureCheck): ConfigSource {
  return {
    origin: path,
    watchPaths: [path],
    async read(): Promise<ConfigLayer> {
      const none = (problem?: string): ConfigLayer => ({ origin: path, values: null, readableByOthers: null, problems: problem ? [problem] : [] });
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return code === 'ENOENT' ? none() : none(`cannot be read (${code ?? (error as Error).message}); using none of it`);
      }
      let text: string;
      let stat;
      try {
        stat = fstatSync(fd);
        if (!stat.isFile()) return none('is not a file; using none of it');
        text = readFileSync(fd, 'utf8');
      } finally {
        closeSync(fd);
      }
      const { readable, writable } = await exposure(path, stat);
      if (writable !== null) {
        return none(`is ${writable}: whoever can change it could point this laptop at another server and key, so none of it is used until only root/SYSTEM can write it (Linux/macOS: chown root and chmod 600)`);
      }
      let values: unknown;
      try {
        values = JSON.parse(text);
      } catch (error) {
        return none(`is not JSON (${(error as Error).message}); using none of it`);
      }
      if (typeof values !== 'object' || values === null || Array.isArray(values)) return none('must hold a JSON object such as {"server": {…}}; using none of it');
      return { origin: path, values: values as Record<string, unknown>, readableByOthers: readable, problems: [] };
    },
  };
}
