// A stand-in for fpm, for electron-builder's deb target: electron-builder
// would download a Ruby build of fpm (Debian has none), while dpkg-deb, part
// of dpkg itself, builds the same package offline. electron-builder calls it
// through CUSTOM_FPM_PATH with fpm's arguments (`-s dir -t deb … src=dest…`);
// this reads the subset electron-builder and electron-builder.yml use, and
// refuses any other, so a config that needs more of fpm fails here instead of
// building a different package than fpm would.
//
//   node scripts/packaging/fpm-dpkg.ts -s dir -t deb --name x --version 1 --package x.deb dir/=/opt/x
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, createReadStream, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export interface FpmDeb {
  readonly name: string;
  readonly version: string;
  readonly iteration?: string;
  readonly architecture: string;
  readonly maintainer?: string;
  readonly vendor?: string;
  readonly url?: string;
  readonly license?: string;
  readonly category?: string;
  readonly priority: string;
  readonly description: string;
  readonly depends: readonly string[];
  readonly recommends: readonly string[];
  readonly compression: 'xz' | 'gz' | 'none';
  readonly package: string;
  /** Maintainer scripts by dpkg's name: preinst, postinst, prerm, postrm. */
  readonly scripts: Readonly<Partial<Record<'preinst' | 'postinst' | 'prerm' | 'postrm', string>>>;
  /** fpm's default: every file under /etc is a conffile (kept on `dpkg -r`). */
  readonly etcAsConffiles: boolean;
  readonly mappings: readonly { readonly source: string; readonly dest: string }[];
}

const WITH_VALUE: Readonly<Record<string, string>> = {
  '-s': 'source-type', '-t': 'target-type', '-n': 'name', '--name': 'name', '-v': 'version', '--version': 'version',
  '--iteration': 'iteration', '-a': 'architecture', '--architecture': 'architecture', '-m': 'maintainer', '--maintainer': 'maintainer',
  '--vendor': 'vendor', '--url': 'url', '--license': 'license', '--category': 'category', '--deb-priority': 'priority',
  '--description': 'description', '-d': 'depends', '--depends': 'depends', '--deb-recommends': 'recommends',
  '--deb-compression': 'compression', '-p': 'package', '--package': 'package', '--log': 'log',
  '--before-install': 'preinst', '--after-install': 'postinst', '--before-remove': 'prerm', '--after-remove': 'postrm',
};
const FLAGS = new Set(['-f', '--force', '--debug', '--verbose', '--deb-no-default-config-files']);
const REPEATED = new Set(['depends', 'recommends']);

/** fpm's command line as electron-builder writes it; throws naming anything it does not know. */
export function parseFpmArgs(argv: readonly string[]): FpmDeb {
  const one = new Map<string, string>();
  const many = new Map<string, string[]>([['depends', []], ['recommends', []]]);
  const flags = new Set<string>();
  const mappings: { source: string; dest: string }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('-')) {
      const eq = arg.indexOf('=');
      const option = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
      if (FLAGS.has(option)) {
        flags.add(option);
        continue;
      }
      const key = WITH_VALUE[option];
      if (key === undefined) throw new Error(`fpm-dpkg: fpm option ${option} is not supported by this stand-in (add it to scripts/packaging/fpm-dpkg.ts, or build with the real fpm)`);
      const value = eq > 0 && option !== arg ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new Error(`fpm-dpkg: ${option} needs a value`);
      if (REPEATED.has(key)) many.get(key)!.push(value);
      else one.set(key, value);
      continue;
    }
    const eq = arg.lastIndexOf('=');
    if (eq <= 0) throw new Error(`fpm-dpkg: '${arg}' is not source=destination`);
    mappings.push({ source: arg.slice(0, eq), dest: arg.slice(eq + 1) });
  }
  if (one.get('source-type') !== 'dir' || one.get('target-type') !== 'deb') {
    throw new Error(`fpm-dpkg: only -s dir -t deb is supported, not -s ${one.get('source-type')} -t ${one.get('target-type')}`);
  }
  const need = (key: string): string => {
    const value = one.get(key);
    if (value === undefined || value === '') throw new Error(`fpm-dpkg: --${key} is required`);
    return value;
  };
  const compression = one.get('compression') ?? 'xz';
  if (compression !== 'xz' && compression !== 'gz' && compression !== 'none') {
    throw new Error(`fpm-dpkg: --deb-compression ${compression} is not supported (xz, gz or none)`);
  }
  const scripts: Partial<Record<'preinst' | 'postinst' | 'prerm' | 'postrm', string>> = {};
  for (const script of ['preinst', 'postinst', 'prerm', 'postrm'] as const) {
    const path = one.get(script);
    if (path !== undefined) scripts[script] = path;
  }
  const optional = (key: string) => (one.has(key) ? { [key]: one.get(key)! } : {});
  return {
    name: need('name'), version: need('version'), architecture: one.get('architecture') ?? 'all',
    ...optional('iteration'), ...optional('maintainer'), ...optional('vendor'), ...optional('url'), ...optional('license'), ...optional('category'),
    priority: one.get('priority') ?? 'optional', description: one.get('description') ?? 'no description given',
    depends: many.get('depends')!, recommends: many.get('recommends')!, compression, package: need('package'),
    scripts, etcAsConffiles: !flags.has('--deb-no-default-config-files'), mappings,
  };
}

/** Debian's control file syntax: the first description line is the synopsis, the rest indented, blank lines as " .". */
export function controlFile(deb: FpmDeb, installedSizeKiB: number): string {
  const lines = deb.description.split('\n');
  const synopsis = lines.find((l) => l.trim() !== '')?.trim() ?? deb.name;
  const body = lines.slice(lines.findIndex((l) => l.trim() !== '') + 1).map((l) => (l.trim() === '' ? ' .' : ` ${l.trim()}`));
  const fields: [string, string | undefined][] = [
    ['Package', deb.name],
    ['Version', deb.iteration ? `${deb.version}-${deb.iteration}` : deb.version],
    ['License', deb.license],
    ['Vendor', deb.vendor],
    ['Architecture', deb.architecture],
    ['Maintainer', deb.maintainer],
    ['Installed-Size', String(installedSizeKiB)],
    ['Depends', deb.depends.join(', ') || undefined],
    ['Recommends', deb.recommends.join(', ') || undefined],
    ['Section', deb.category ?? 'default'],
    ['Priority', deb.priority],
    ['Homepage', deb.url],
  ];
  return `${fields.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}: ${v}`).join('\n')}\nDescription: ${synopsis}\n${body.map((l) => `${l}\n`).join('')}`;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() || e.isSymbolicLink())
    .map((e) => join(e.parentPath, e.name));
}

async function md5(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Creates each missing folder of `dir` inside `root` as root-readable 0755 (whatever the umask). */
function makeDirs(root: string, dir: string): void {
  const missing: string[] = [];
  for (let d = dir; d.length > root.length; d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    mkdirSync(d, { recursive: true });
    chmodSync(d, 0o755);
  }
}

export async function buildDeb(deb: FpmDeb): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'lesmodus-fpm-dpkg-'));
  try {
    chmodSync(root, 0o755);
    for (const { source, dest } of deb.mappings) {
      const target = join(root, dest);
      if (statSync(source).isDirectory()) {
        makeDirs(root, target);
        cpSync(source, target, { recursive: true, verbatimSymlinks: true });
      } else {
        makeDirs(root, dirname(target));
        cpSync(source, target);
      }
    }
    const payload = filesUnder(root);
    const installedKiB = Math.ceil(payload.reduce((sum, f) => sum + statSync(f).size, 0) / 1024);
    const sums: string[] = [];
    for (const file of payload) if (statSync(file).isFile()) sums.push(`${await md5(file)}  ${relative(root, file)}`);

    const control = join(root, 'DEBIAN');
    mkdirSync(control, { mode: 0o755 });
    writeFileSync(join(control, 'control'), controlFile(deb, installedKiB));
    writeFileSync(join(control, 'md5sums'), `${sums.join('\n')}\n`);
    const conffiles = deb.etcAsConffiles ? payload.map((f) => `/${relative(root, f)}`).filter((f) => f.startsWith('/etc/')) : [];
    if (conffiles.length > 0) writeFileSync(join(control, 'conffiles'), `${conffiles.join('\n')}\n`);
    for (const [name, path] of Object.entries(deb.scripts)) {
      cpSync(path, join(control, name));
      chmodSync(join(control, name), 0o755);
    }
    mkdirSync(dirname(deb.package), { recursive: true });
    const compressor = { xz: 'xz', gz: 'gzip', none: 'none' }[deb.compression];
    execFileSync('dpkg-deb', ['--root-owner-group', `-Z${compressor}`, ...xzLevel(deb.compression), '--build', root, deb.package], { stdio: ['ignore', 'ignore', 'inherit'] });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** How `scripts/package.ts --quick` asks for xz level 1: electron-builder passes fpm no level, so through the environment. */
export const DEB_XZ_LEVEL_VARIABLE = 'LESMODUS_DEB_XZ_LEVEL';

/** The level package.ts asked for, else dpkg-deb's own (6). */
function xzLevel(compression: FpmDeb['compression']): string[] {
  const level = process.env[DEB_XZ_LEVEL_VARIABLE];
  if (compression !== 'xz' || level === undefined || level === '') return [];
  if (!/^[0-9]$/.test(level)) throw new Error(`fpm-dpkg: ${DEB_XZ_LEVEL_VARIABLE} must be a level 0–9, not '${level}'`);
  return [`-z${level}`];
}

if (import.meta.main) {
  try {
    await buildDeb(parseFpmArgs(process.argv.slice(2)));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
