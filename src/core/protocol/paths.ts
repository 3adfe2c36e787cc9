/**
 * Where the device API lives. The server's route table and the agent's
 * client both take the paths from here; a path with ":id" is a route
 * pattern, and the agent fills it with `devicePath`.
 */
export const DEVICE_PATHS = {
  /** Public: the MDM's enrollment secret buys a device credential. */
  enroll: '/api/v1/devices/enroll',
  heartbeat: '/api/v1/device/heartbeat',
  schedule: '/api/v1/device/schedule',
  grants: '/api/v1/device/grants',
  ack: '/api/v1/device/grants/:id/ack',
  events: '/api/v1/device/events',
  stream: '/api/v1/device/stream',
  unlock: '/api/v1/device/unlock',
} as const;

/** A path pattern with its ":name" parameters filled in, each URL-encoded. */
export function devicePath(pattern: string, params: Readonly<Record<string, string>>): string {
  return pattern.replace(/:([a-zA-Z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${pattern}: no value for :${name}`);
    return encodeURIComponent(value);
  });
}
