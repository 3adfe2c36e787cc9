/**
 * A systemd unit file read as systemd reads the parts the tests use:
 * sections, keys (a key given twice keeps both values), comments and blank
 * lines skipped, no line continuations (the unit has none).
 */
export type UnitFile = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

export function parseUnitFile(text: string): UnitFile {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      return;
    }
    const eq = line.indexOf('=');
    if (current === undefined || eq <= 0) throw new Error(`line ${index + 1} is not key=value in a section: ${raw}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  });
  return sections;
}

/** The one value of `key` in `section`; throws when it is missing or given twice. */
export function unitValue(unit: UnitFile, section: string, key: string): string {
  const values = unit.get(section)?.get(key) ?? [];
  if (values.length !== 1) throw new Error(`[${section}] ${key} is set ${values.length} times`);
  return values[0]!;
}

/** ExecStart as argv (the unit quotes nothing, so words are split on spaces). */
export function execStartArgv(unit: UnitFile): string[] {
  return unitValue(unit, 'Service', 'ExecStart').split(/\s+/);
}

/** CapabilityBoundingSet as setpriv's --bounding-set argument: "-all,+kill,+sys_ptrace,…". */
export function boundingSetForSetpriv(unit: UnitFile): string {
  const caps = unitValue(unit, 'Service', 'CapabilityBoundingSet').split(/\s+/);
  return ['-all', ...caps.map((c) => `+${c.replace(/^CAP_/, '').toLowerCase()}`)].join(',');
}
