import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AgentConfigSchema, isRootOnlyKey, type AgentConfig } from '../../../src/core/config/agent-config.ts';
import { adml, admx, regFile } from '../../../src/core/config/mdm/admx.ts';
import { configJsonSchema } from '../../../src/core/config/mdm/json-schema.ts';
import { mobileconfig } from '../../../src/core/config/mdm/mobileconfig.ts';
import { posixSecretScript, rootOnlyPart, windowsSecretScript } from '../../../src/core/config/mdm/secret-file.ts';

/**
 * The templates are generated from the agent's zod schema: every key of it is
 * in every template (the secret in the root-only file instead of the stores
 * every user can read), and each template is read back by a real parser.
 */

const publicKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
const config: AgentConfig = AgentConfigSchema.parse({
  schoolNetwork: { cidrs: ['10.20.0.0/16'], gateways: ['10.20.0.1'], ssids: ['KL & "Gasten" <5G>'] },
  server: { url: 'https://lesmodus.kl.example', enrollmentSecret: 'lme1.abcdefghijklmnopqrstuvwxyz', publicKey },
});

/** Every (section, key) the schema knows. */
const schemaKeys = Object.entries(AgentConfigSchema.shape).flatMap(([section, schema]) => {
  let inner = schema as unknown as { def: { type: string; innerType?: unknown }; shape?: Record<string, unknown> };
  while (inner.shape === undefined) inner = inner.def.innerType as typeof inner;
  return Object.keys(inner.shape).map((key) => [section, key] as const);
});
const managedKeys = schemaKeys.filter(([section, key]) => !isRootOnlyKey(section, key));
const rootOnlyKeys = schemaKeys.filter(([section, key]) => isRootOnlyKey(section, key));
const valueName = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);

function python(script: string, input: string): any {
  return JSON.parse(execFileSync('python3', ['-c', script], { input, encoding: 'utf8' }));
}
/** ElementTree refuses XML that is not well-formed; the answer is every element as [tag, attributes, text]. */
const xmlElements = (xml: string): [string, Record<string, string>, string][] => python(
  `import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
print(json.dumps([[e.tag.split('}')[-1], e.attrib, (e.text or '').strip()] for e in root.iter()]))`, xml);

describe('MDM templates from the agent config schema', () => {
  it('knows the schema: both sections, the secret root-only', () => {
    expect(managedKeys.length).toBeGreaterThanOrEqual(5);
    expect(rootOnlyKeys).toEqual([['server', 'enrollmentSecret']]);
  });

  it('ADMX: well-formed, one element per managed key under its section, none for the secret', () => {
    const elements = xmlElements(admx());
    const valueNames = elements.filter(([tag]) => tag === 'text' || tag === 'multiText').map(([, attrs]) => attrs.valueName);
    expect(valueNames.sort()).toEqual(managedKeys.map(([, key]) => valueName(key)).sort());
    const policyKeys = elements.filter(([tag]) => tag === 'policy').map(([, attrs]) => attrs.key);
    expect(policyKeys).toEqual(['SOFTWARE\\Policies\\Lesmodus\\Server', 'SOFTWARE\\Policies\\Lesmodus\\SchoolNetwork']);
  });

  for (const locale of ['nl-NL', 'en-US'] as const) {
    it(`ADML ${locale}: well-formed, a string for every $(string.…) and a presentation for every $(presentation.…) the ADMX uses, a box for every element`, () => {
      const admxText = admx();
      const elements = xmlElements(adml(locale));
      const strings = new Set(elements.filter(([tag]) => tag === 'string').map(([, attrs]) => attrs.id));
      const presentations = new Set(elements.filter(([tag]) => tag === 'presentation').map(([, attrs]) => attrs.id));
      for (const [, id] of admxText.matchAll(/\$\(string\.([^)]+)\)/g)) expect(strings, id).toContain(id);
      for (const [, id] of admxText.matchAll(/\$\(presentation\.([^)]+)\)/g)) expect(presentations, id).toContain(id);
      const refs = elements.filter(([, attrs]) => attrs.refId !== undefined).map(([, attrs]) => attrs.refId);
      expect(refs.sort()).toEqual(managedKeys.map(([, key]) => valueName(key)).sort());
      // A multiTextBox carries no text of its own (the schema's DataElement): its label is the <text> before it.
      expect(elements.filter(([tag]) => tag === 'multiTextBox').every(([, , text]) => text === '')).toBe(true);
      for (const [, , text] of elements.filter(([tag]) => tag === 'string')) expect(text.length).toBeGreaterThan(0);
    });
  }

  it('.reg: every managed key of the school under its section, the secret nowhere', () => {
    const reg = regFile(config);
    for (const [, key] of managedKeys) expect(reg).toContain(`"${valueName(key)}"=`);
    expect(reg).not.toContain('lme1.');
    expect(reg).toContain(`"PublicKey"="${publicKey.replace(/\s*\n\s*/g, ' ').trim()}"`);
  });

  it('.mobileconfig: parses as a plist; the settings payload holds every managed key and not the secret', () => {
    const ids = { identifier: 'nl.svok.lesmodus.profile.kl', organization: 'Kennemer Lyceum', uuids: { profile: 'A', settings: 'B', loginItems: 'C', notifications: 'D' } };
    const profile = python('import json, plistlib, sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))', mobileconfig(config, ids));
    const settings = profile.PayloadContent[0];
    for (const [section, key] of managedKeys) expect(settings[section], `${section}.${key}`).toHaveProperty(key);
    expect(settings.server).not.toHaveProperty('enrollmentSecret');
    expect(settings.schoolNetwork.ssids).toEqual(['KL & "Gasten" <5G>']);
  });

  it('JSON Schema: every key, the secret optional, lists as arrays of strings', () => {
    const schema = configJsonSchema() as { properties: Record<string, { properties: Record<string, { type?: string }>; required?: string[] }> };
    for (const [section, key] of schemaKeys) expect(schema.properties[section]!.properties, `${section}.${key}`).toHaveProperty(key);
    expect(schema.properties.server!.required).toEqual(['url', 'publicKey']);
    expect(schema.properties.schoolNetwork!.properties.cidrs!.type).toBe('array');
  });

  it('the root-only file: the secret and nothing else, in the shell and the PowerShell script alike', () => {
    expect(rootOnlyPart(config)).toEqual({ server: { enrollmentSecret: 'lme1.abcdefghijklmnopqrstuvwxyz' } });
    const shell = posixSecretScript(config, '/tmp/x/config.json');
    expect(JSON.parse(/<<'LESMODUS_SECRET'\n([\s\S]*?)\nLESMODUS_SECRET/.exec(shell)![1]!)).toEqual(rootOnlyPart(config));
    const ps1 = windowsSecretScript(config);
    expect(JSON.parse(/@'\r\n([\s\S]*?)\r\n'@/.exec(ps1)![1]!)).toEqual(rootOnlyPart(config));
  });

  it('a one-line PEM (as a registry text value holds it) reads as the key node:crypto takes', () => {
    const oneLine = publicKey.replace(/\s*\n\s*/g, ' ').trim();
    const parsed = AgentConfigSchema.parse({ server: { url: 'https://x.example', publicKey: oneLine } });
    expect(parsed.server!.publicKey).toBe(publicKey);
  });
});
