import type { AnyRoute } from '../route.ts';
import { consentRoutes } from './consents.ts';
import { deviceRoutes } from './device.ts';
import { deviceUnlockRoutes } from './device-unlock.ts';
import { deviceAdminRoutes } from './devices.ts';
import { enrollmentSecretRoutes } from './enrollment-secrets.ts';
import { exceptionRoutes } from './exceptions.ts';
import { grantRoutes } from './grants.ts';
import { lessonRoutes } from './lessons.ts';
import { metaRoutes, openApiRoute } from './meta.ts';
import { peopleRoutes } from './people.ts';
import { policyRoutes } from './policy.ts';
import { schoolDataRoutes } from './school-data.ts';
import { sessionRoutes } from './session.ts';
import { timetableRoutes } from './timetable.ts';

/** The whole API, one table: what the router serves and what the OpenAPI document lists. */
export const API_ROUTES: readonly AnyRoute[] = (() => {
  const routes: AnyRoute[] = [
    ...metaRoutes, ...policyRoutes, ...sessionRoutes, ...peopleRoutes, ...schoolDataRoutes, ...consentRoutes, ...lessonRoutes, ...timetableRoutes, ...grantRoutes, ...exceptionRoutes, ...deviceAdminRoutes, ...enrollmentSecretRoutes, ...deviceRoutes, ...deviceUnlockRoutes,
  ];
  routes.push(openApiRoute(() => routes));
  return routes;
})();
