import { isRootOnlyKey, type AgentConfig } from '../agent-config.ts';
import { MACOS_DOMAIN } from './names.ts';
import { escapeXml } from './xml.ts';

/**
 * A macOS configuration profile (.mobileconfig) for Jamf or another MDM:
 * the agent's settings as managed preferences of its domain, its daemon and
 * tray as managed login items (a student cannot switch them off in System
 * Settings), and the tray's notifications allowed (they are how a student
 * learns why something was blocked). Unsigned: the MDM signs what it sends.
 * Managed preferences are readable by every user of the Mac, so the
 * root-only keys (the enrollment secret) are not in it: see secret-file.ts.
 */

export interface ProfileIds {
  /** Stable per school, so a new profile replaces the old one on every Mac. */
  readonly identifier: string;
  /** A UUID per payload; `profile` for the whole profile. */
  readonly uuids: { readonly profile: string; readonly settings: string; readonly loginItems: string; readonly notifications: string };
  readonly organization: string;
}

type PlistValue = string | number | boolean | readonly PlistValue[] | { readonly [key: string]: PlistValue };

function plist(value: PlistValue, indent: string): string {
  if (typeof value === 'string') return `${indent}<string>${escapeXml(value)}</string>`;
  if (typeof value === 'number') return `${indent}<integer>${Math.trunc(value)}</integer>`;
  if (typeof value === 'boolean') return `${indent}<${value}/>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return `${indent}<array/>`;
    return [`${indent}<array>`, ...value.map((v) => plist(v, `${indent}  `)), `${indent}</array>`].join('\n');
  }
  const entries = Object.entries(value as Record<string, PlistValue>);
  return [`${indent}<dict>`, ...entries.flatMap(([k, v]) => [`${indent}  <key>${escapeXml(k)}</key>`, plist(v, `${indent}  `)]), `${indent}</dict>`].join('\n');
}

/** Every section and key of the config as plist values, but the root-only keys (and nothing undefined). */
export function managedSettingsOf(config: AgentConfig): { [key: string]: { [key: string]: PlistValue } } {
  const settings: { [key: string]: { [key: string]: PlistValue } } = {};
  for (const [section, values] of Object.entries(config)) {
    if (values === undefined) continue;
    settings[section] = Object.fromEntries(Object.entries(values as Record<string, PlistValue | undefined>)
      .filter((entry): entry is [string, PlistValue] => entry[1] !== undefined && !isRootOnlyKey(section, entry[0])));
  }
  return settings;
}

export function mobileconfig(config: AgentConfig, ids: ProfileIds): string {
  const payload = (type: string, uuid: string, name: string, body: { [key: string]: PlistValue }) => ({
    PayloadType: type, PayloadVersion: 1, PayloadIdentifier: `${ids.identifier}.${uuid}`, PayloadUUID: uuid, PayloadDisplayName: name, ...body,
  });
  const profile = {
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: ids.identifier,
    PayloadUUID: ids.uuids.profile,
    PayloadDisplayName: `Lesmodus (${ids.organization})`,
    PayloadDescription: 'Lesmodus: de Gedragscode Social Media SVOK op schoollaptops. Instellingen, achtergronddiensten en meldingen.',
    PayloadOrganization: ids.organization,
    PayloadScope: 'System',
    PayloadRemovalDisallowed: true,
    PayloadContent: [
      payload(MACOS_DOMAIN, ids.uuids.settings, 'Lesmodus-instellingen', managedSettingsOf(config)),
      payload('com.apple.servicemanagement', ids.uuids.loginItems, 'Lesmodus blijft aan', {
        Rules: [
          { RuleType: 'LabelPrefix', RuleValue: MACOS_DOMAIN, Comment: 'De Lesmodus-agent (LaunchDaemon) en het systeemvak (LaunchAgent)' },
        ],
      }),
      payload('com.apple.notificationsettings', ids.uuids.notifications, 'Lesmodus-meldingen', {
        NotificationSettings: [{
          BundleIdentifier: MACOS_DOMAIN, NotificationsEnabled: true, AlertType: 1, ShowInNotificationCenter: true, ShowInLockScreen: false, SoundsEnabled: false, BadgesEnabled: false,
        }],
      }),
    ],
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    plist(profile, ''),
    '</plist>',
    '',
  ].join('\n');
}
