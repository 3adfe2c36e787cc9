import type { Command } from '../command.ts';
import { serverDemo, serverStart } from './server.ts';
import { serverBackup, serverRestore } from './server-backup.ts';
import { serverCatalogCheck } from './server-catalog.ts';
import { serverConsentImport, serverConsentList, serverConsentWithdraw } from './server-consent.ts';
import { serverDeviceImport, serverDeviceRestore, serverDeviceRevoke, serverDeviceRulesImport, serverDeviceRulesList, serverDevicesImport } from './server-device.ts';
import { serverEnrollSecret, serverEnrollSecretList, serverEnrollSecretRevoke } from './server-enroll-secret.ts';
import { serverExport } from './server-export.ts';
import { serverInit } from './server-init.ts';
import { serverMdmProfile } from './server-mdm-profile.ts';
import { serverPrune } from './server-retention.ts';
import { serverRosterImport } from './server-roster.ts';
import { serverSchoolAdd, serverSchoolList } from './server-school.ts';
import { serverTimetableImport, serverTimetableStatus } from './server-timetable.ts';
import { serverUserAdd } from './server-user.ts';

/** Every `lesmodus server …` command, for the CLI's COMMANDS list. */
export const SERVER_COMMANDS: readonly Command<any>[] = [
  serverStart, serverInit, serverSchoolAdd, serverSchoolList, serverUserAdd, serverTimetableImport, serverTimetableStatus, serverRosterImport,
  serverConsentImport, serverConsentList, serverConsentWithdraw, serverEnrollSecret, serverEnrollSecretList, serverEnrollSecretRevoke,
  serverDeviceRevoke, serverDeviceRestore, serverDeviceRulesImport, serverDeviceRulesList, serverDeviceImport, serverDevicesImport, serverExport, serverPrune, serverDemo, serverMdmProfile,
  serverCatalogCheck, serverBackup, serverRestore,
];
