import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { PolicyFileSystem } from './policy-file-system.ts';

/**
 * Policy files must be readable by every user's browser and writable only by
 * the agent (root): a student who could edit them could lift a block.
 */
const POLICY_FILE_MODE = 0o644;
const POLICY_DIR_MODE = 0o755;

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * The real file system, with every path placed under `root` ("/" in
 * production, a temp dir in tests, --browser-policy-root for the agent).
 */
export function nodePolicyFileSystem(root = '/'): PolicyFileSystem {
  const real = (path: string) => join(resolve(root), path);

  async function fsyncDir(dir: string): Promise<void> {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /**
   * The temporary file goes next to the target's directory, not in it:
   * Chromium parses every file in managed/, whatever its name, and would
   * otherwise read our half-written one. Same file system, so the rename is
   * still atomic; if that directory is on another one (EXDEV), the temporary
   * file goes in the target's own directory after all.
   */
  async function writeAtomic(path: string, content: string): Promise<void> {
    const target = real(path);
    const dir = dirname(target);
    await mkdir(dir, { recursive: true, mode: POLICY_DIR_MODE });
    const tempName = `.${basename(target)}.lesmodus-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeVia(join(dirname(dir), tempName), target, content);
    } catch (error) {
      if (errorCode(error) !== 'EXDEV') throw error;
      await writeVia(join(dir, tempName), target, content);
    }
    await fsyncDir(dir);
  }

  async function writeVia(temp: string, target: string, content: string): Promise<void> {
    const handle = await open(temp, 'w', POLICY_FILE_MODE);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.chmod(POLICY_FILE_MODE);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  return {
    async readText(path) {
      try {
        return await readFile(real(path), 'utf8');
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return null;
        throw error;
      }
    },
    async listFiles(dir) {
      try {
        const entries = await readdir(real(dir), { withFileTypes: true });
        return entries.filter((e) => e.isFile()).map((e) => e.name).sort();
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return [];
        throw error;
      }
    },
    writeAtomic,
    async remove(path) {
      try {
        await rm(real(path));
        await fsyncDir(dirname(real(path)));
        return true;
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return false;
        throw error;
      }
    },
    describe: real,
  };
}
