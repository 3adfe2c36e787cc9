/**
 * Where MDM puts the agent's settings on each OS, named once: the agent reads
 * from here and the generated profiles write here.
 */

/** macOS managed preferences domain (and the app's bundle id). */
export const MACOS_DOMAIN = 'nl.svok.lesmodus';
/** Windows: policy values under HKLM\SOFTWARE\Policies\Lesmodus (sections as subkeys). */
export const WINDOWS_POLICY_KEY = 'SOFTWARE\\Policies\\Lesmodus';
/** Linux: root-only JSON. */
export const LINUX_CONFIG_PATH = '/etc/lesmodus/config.json';
