// The Microsoft Store package a Windows process belongs to, from where its
// exe lives. Packaged apps are installed under
// C:\Program Files\WindowsApps\<package full name>\, and a full name is
// <name>_<version>_<architecture>_<resource id>_<publisher id>
// ("Microsoft.WindowsCamera_2024.2405.24.0_x64__8wekyb3d8bbwe", resource id
// usually empty). The family, which the catalog lists, is <name>_<publisher id>.
//
// The authoritative source is the process token's package identity
// (GetPackageFamilyName on a process handle), which also covers a packaged
// app started from elsewhere; that needs a native helper. The path covers
// every app installed from the Store.

const WINDOWS_APPS_FOLDER = /\\WindowsApps\\([^\\]+)\\/i;
const PUBLISHER_ID = /^[a-z0-9]{13}$/;

export function packageFamilyFromPath(exePath: string): string | undefined {
  const fullName = WINDOWS_APPS_FOLDER.exec(exePath)?.[1];
  if (!fullName) return undefined;
  const parts = fullName.split('_');
  const [name, , , , publisherId] = parts;
  if (parts.length !== 5 || !name || publisherId === undefined || !PUBLISHER_ID.test(publisherId)) return undefined;
  return `${name}_${publisherId}`;
}
