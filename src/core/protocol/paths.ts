/** Where the device API lives: the server's route table and the agent's client both take the paths from here. */
export const DEVICE_PATHS = {
  /** Public: the MDM's enrollment secret buys a device credential. */
  enroll: '/api/v1/devices/enroll',
  heartbeat: '/api/v1/device/heartbeat',
  schedule: '/api/v1/device/schedule',
  /** The school's signed app and site catalog (the schedule names the one to have). */
  catalog: '/api/v1/device/catalog',
  grants: '/api/v1/device/grants',
  /** After a server restore: the laptop gives back the grants it holds, as the server signed them for it. */
  grantsRestore: '/api/v1/device/grants/restore',
  events: '/api/v1/device/events',
  stream: '/api/v1/device/stream',
  unlock: '/api/v1/device/unlock',
} as const;

