import { closeSync, openSync, readSync } from 'node:fs';

/**
 * The paths inside an asar archive, from its header: two Chromium pickles,
 * the second holding the JSON index of files (its string length at byte 12,
 * the JSON from byte 16).
 */
interface AsarNode {
  readonly files?: Readonly<Record<string, AsarNode>>;
}

export function asarPaths(archive: string): string[] {
  const fd = openSync(archive, 'r');
  try {
    const sizes = Buffer.alloc(16);
    readSync(fd, sizes, 0, 16, 0);
    const json = Buffer.alloc(sizes.readUInt32LE(12));
    readSync(fd, json, 0, json.length, 16);
    const paths: string[] = [];
    const walk = (node: AsarNode, prefix: string): void => {
      for (const [name, child] of Object.entries(node.files ?? {})) {
        paths.push(`${prefix}${name}`);
        walk(child, `${prefix}${name}/`);
      }
    };
    walk(JSON.parse(json.toString('utf8')) as AsarNode, '');
    return paths;
  } finally {
    closeSync(fd);
  }
}
