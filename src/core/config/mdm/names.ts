/**
 * Where MDM puts the agent's settings on each OS, named once: the agent reads
 * from here and the generated profiles write here.
 */

/** macOS managed preferences domain (and the app's bundle id). */
export const MACOS_DOMAIN = 'nl.svok.lesmodus';
/** Windows: policy values under HKLM\SOFTWARE\Policies\Lesmodus (sections as subkeys). Every user can read them. */
export const WINDOWS_POLICY_KEY = 'SOFTWARE\\Policies\\Lesmodus';
/** The root-only JSON file on Linux and macOS: the whole config on Linux, the enrollment secret on macOS. */
export const POSIX_CONFIG_PATH = '/etc/lesmodus/config.json';
/** The same file on Windows (the agent follows %ProgramData% when it is elsewhere), readable by SYSTEM and administrators only. */
export const WINDOWS_CONFIG_PATH = 'C:\\ProgramData\\Lesmodus\\config.json';
