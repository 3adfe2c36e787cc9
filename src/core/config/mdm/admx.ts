import type { z } from 'zod';
import { SchoolNetworkConfigSchema } from '../../network/school-network.ts';
import { isRootOnlyKey, ServerConfigSchema, type AgentConfig } from '../agent-config.ts';
import { WINDOWS_CONFIG_PATH, WINDOWS_POLICY_KEY } from './names.ts';
import { escapeXml } from './xml.ts';

/**
 * Windows administrative templates (ADMX, with ADML in Dutch and English) for
 * Intune or Group Policy, and a .reg file with one school's values, generated
 * from the agent's zod config schema: every key of every section becomes a
 * policy element (a list as multi-line text, REG_MULTI_SZ; the rest as text,
 * REG_SZ) under HKLM\SOFTWARE\Policies\Lesmodus\<Section>. A key the schema
 * gains without a label here makes generation fail, so the templates never
 * silently lag behind the agent. Root-only keys (the enrollment secret) are
 * left out: every user of a laptop can read the policy key.
 */

type Locale = 'nl-NL' | 'en-US';
type Label = Record<Locale, string>;

interface SectionSpec {
  readonly key: keyof AgentConfig;
  /** The registry subkey and policy name. */
  readonly name: string;
  readonly schema: z.ZodObject;
  readonly title: Label;
  readonly explain: Label;
  readonly labels: Record<string, Label>;
}

const SECTIONS: readonly SectionSpec[] = [
  {
    key: 'server', name: 'Server', schema: ServerConfigSchema,
    title: { 'nl-NL': 'Schoolserver', 'en-US': 'School server' },
    explain: {
      'nl-NL': `De Lesmodus-schoolserver waarmee deze laptop synchroniseert: adres en de publieke sleutel waarmee roosters en uitzonderingen ondertekend zijn. Het inschrijfgeheim staat hier niet (elke gebruiker kan deze sleutel lezen) maar in ${WINDOWS_CONFIG_PATH}, alleen leesbaar voor SYSTEM en beheerders. Zonder deze instelling werkt de agent alleen met een lokaal rooster.`,
      'en-US': `The Lesmodus school server this laptop syncs with: its address and the public key that signs schedules and exceptions. The enrollment secret is not here (every user can read this key) but in ${WINDOWS_CONFIG_PATH}, readable by SYSTEM and administrators only. Without this setting the agent works from a local timetable only.`,
    },
    labels: {
      url: { 'nl-NL': 'Adres van de server (https://…)', 'en-US': 'Server address (https://…)' },
      publicKey: { 'nl-NL': 'Publieke sleutel van de server (PEM op één regel)', 'en-US': "The server's public key (PEM on one line)" },
    },
  },
  {
    key: 'schoolNetwork', name: 'SchoolNetwork', schema: SchoolNetworkConfigSchema,
    title: { 'nl-NL': 'Schoolnetwerk (art. III.A.2)', 'en-US': 'School network (art. III.A.2)' },
    explain: {
      'nl-NL': 'Waaraan de laptop herkent dat hij op school is: daar gelden de regels voor opnames (art. III.A.2). Eén waarde per regel.',
      'en-US': 'How the laptop recognises it is at school, where the recording rules apply (art. III.A.2). One value per line.',
    },
    labels: {
      cidrs: { 'nl-NL': 'Adresbereiken (CIDR, bijv. 10.20.0.0/16)', 'en-US': 'Address ranges (CIDR, e.g. 10.20.0.0/16)' },
      gateways: { 'nl-NL': 'Standaardgateways', 'en-US': 'Default gateways' },
      ssids: { 'nl-NL': 'Wifi-netwerken (SSID)', 'en-US': 'Wi-Fi networks (SSID)' },
    },
  },
];

/** The registry value name of a schema key: "enrollmentSecret" → "EnrollmentSecret". */
export function valueNameOf(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

function isList(schema: z.ZodType): boolean {
  const def = (schema as { def?: { type?: string; innerType?: z.ZodType } }).def;
  if (def?.type === 'default' || def?.type === 'optional') return isList(def.innerType!);
  return def?.type === 'array';
}

/** Every key of a section as the registry holds it, the root-only ones too (so the agent can name one found there). */
function allFieldsOf(section: SectionSpec): { key: string; list: boolean; rootOnly: boolean }[] {
  return Object.entries(section.schema.shape).map(([key, schema]) => ({ key, list: isList(schema as z.ZodType), rootOnly: isRootOnlyKey(section.key, key) }));
}

/** The keys the templates offer: all but the root-only ones, each with its label. */
function fieldsOf(section: SectionSpec): { key: string; list: boolean; label: Label }[] {
  return allFieldsOf(section).filter((f) => !f.rootOnly).map((f) => {
    const label = section.labels[f.key];
    if (label === undefined) throw new Error(`ADMX: no label for ${section.key}.${f.key}; add one to SECTIONS in admx.ts`);
    return { ...f, label };
  });
}

/** Where each setting lives in the registry, for the agent's reader: the same layout the templates write. */
export interface RegistrySection {
  readonly section: keyof AgentConfig;
  /** The subkey under HKLM\SOFTWARE\Policies\Lesmodus. */
  readonly subkey: string;
  readonly fields: readonly { readonly key: string; readonly valueName: string; readonly list: boolean; readonly rootOnly: boolean }[];
}

export function registryLayout(): RegistrySection[] {
  return SECTIONS.map((section) => ({
    section: section.key,
    subkey: section.name,
    fields: allFieldsOf(section).map((f) => ({ ...f, valueName: valueNameOf(f.key) })),
  }));
}

const NS = 'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"';

export function admx(): string {
  const policies = SECTIONS.map((section) => [
    `    <policy name="${section.name}" class="Machine" displayName="$(string.${section.name})" explainText="$(string.${section.name}_Explain)" presentation="$(presentation.${section.name})" key="${escapeXml(`${WINDOWS_POLICY_KEY}\\${section.name}`)}">`,
    '      <parentCategory ref="Lesmodus" />',
    '      <supportedOn ref="SUPPORTED_Windows10" />',
    '      <elements>',
    ...fieldsOf(section).map((f) => f.list
      ? `        <multiText id="${valueNameOf(f.key)}" valueName="${valueNameOf(f.key)}" />`
      : `        <text id="${valueNameOf(f.key)}" valueName="${valueNameOf(f.key)}" maxLength="1024" required="true" />`),
    '      </elements>',
    '    </policy>',
  ].join('\n'));
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<policyDefinitions ${NS}>`,
    '  <policyNamespaces>',
    '    <target prefix="lesmodus" namespace="SVOK.Policies.Lesmodus" />',
    '  </policyNamespaces>',
    '  <resources minRequiredRevision="1.0" />',
    '  <supportedOn>',
    '    <definitions>',
    '      <definition name="SUPPORTED_Windows10" displayName="$(string.SUPPORTED_Windows10)" />',
    '    </definitions>',
    '  </supportedOn>',
    '  <categories>',
    '    <category name="Lesmodus" displayName="$(string.Lesmodus)" />',
    '  </categories>',
    '  <policies>',
    ...policies,
    '  </policies>',
    '</policyDefinitions>',
    '',
  ].join('\n');
}

export function adml(locale: Locale): string {
  const strings: [string, string][] = [
    ['Lesmodus', 'Lesmodus'],
    ['SUPPORTED_Windows10', locale === 'nl-NL' ? 'Windows 10 of nieuwer' : 'Windows 10 or later'],
    ...SECTIONS.flatMap((s): [string, string][] => [[s.name, s.title[locale]], [`${s.name}_Explain`, s.explain[locale]]]),
  ];
  const presentations = SECTIONS.map((section) => [
    `      <presentation id="${section.name}">`,
    ...fieldsOf(section).map((f) => f.list
      // multiTextBox holds no text of its own (the schema's DataElement): its label is the text before it.
      ? `        <text>${escapeXml(f.label[locale])}</text>\n        <multiTextBox refId="${valueNameOf(f.key)}" />`
      : `        <textBox refId="${valueNameOf(f.key)}"><label>${escapeXml(f.label[locale])}</label></textBox>`),
    '      </presentation>',
  ].join('\n'));
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<policyDefinitionResources ${NS}>`,
    `  <displayName>Lesmodus</displayName>`,
    `  <description>${locale === 'nl-NL' ? 'Instellingen van de Lesmodus-agent' : 'Settings of the Lesmodus agent'}</description>`,
    '  <resources>',
    '    <stringTable>',
    ...strings.map(([id, text]) => `      <string id="${id}">${escapeXml(text)}</string>`),
    '    </stringTable>',
    '    <presentationTable>',
    ...presentations,
    '    </presentationTable>',
    '  </resources>',
    '</policyDefinitionResources>',
    '',
  ].join('\n');
}

/** A .reg string: backslashes and quotes escaped. */
function regString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** REG_MULTI_SZ as .reg writes it: UTF-16LE, each string NUL-terminated, one more NUL at the end. */
function regMultiString(values: readonly string[]): string {
  const units = [...values.flatMap((v) => [...v].flatMap((ch) => {
    const code = ch.codePointAt(0)!;
    return code > 0xffff ? [0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff)] : [code];
  }).concat(0)), 0];
  const bytes = units.flatMap((u) => [u & 0xff, u >> 8]);
  return `hex(7):${bytes.map((b) => b.toString(16).padStart(2, '0')).join(',')}`;
}

/** One school's values as a .reg file (for testing a laptop by hand; Intune sets the same through the ADMX). PEM keys go on one line. */
export function regFile(config: AgentConfig): string {
  const lines = ['Windows Registry Editor Version 5.00', ''];
  for (const section of SECTIONS) {
    const values = config[section.key] as Record<string, unknown> | undefined;
    if (values === undefined) continue;
    lines.push(`[HKEY_LOCAL_MACHINE\\${WINDOWS_POLICY_KEY}\\${section.name}]`);
    for (const field of fieldsOf(section)) {
      const value = values[field.key];
      if (field.list) lines.push(`"${valueNameOf(field.key)}"=${regMultiString(value as string[])}`);
      else lines.push(`"${valueNameOf(field.key)}"=${regString(String(value).replace(/\s*\n\s*/g, ' ').trim())}`);
    }
    lines.push('');
  }
  return lines.join('\r\n');
}
