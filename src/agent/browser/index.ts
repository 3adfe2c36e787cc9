// Browser enforcement: managed policy for Chrome, Chromium, Edge, Brave and
// Firefox on Linux, Windows and macOS, and the decision proxy that makes
// running browsers follow a lesson at once. See README.md.
export { BROWSERS, CHROMIUM_BROWSERS, type BrowserId, type ChromiumBrowser } from './browsers.ts';
export { browserRestrictions, isUnrestricted, NO_RESTRICTIONS, type BrowserRestrictions } from './restrictions.ts';
export { chromiumLessonPolicy, chromiumRoutePolicy, chromiumUrlFilter, type ChromiumLessonPolicy, type ChromiumRoutePolicy } from './chromium-policy.ts';
export { firefoxMatchPattern, firefoxPolicies, type FirefoxPolicies, type FirefoxPoliciesFile } from './firefox-policy.ts';
export { DEFAULT_PROXY_ADDRESS, pacDataUrl, pacScript, type PacInputs, type ProxyAddress } from './pac-script.ts';
export type { ProxyRoute } from './proxy-route.ts';
export { hostGate, type HostGate, type HostVerdict } from './host-gate.ts';
export { defaultRefusalPage, startDecisionProxy, UPSTREAM_CONNECT_TIMEOUT_MS, type DecisionProxy, type DecisionProxyOptions, type Refusal, type UpstreamConnector } from './decision-proxy.ts';
export { catalogRoute, createBrowserEnforcer, type BrowserEnforcement, type BrowserEnforcer, type BrowserEnforcerOptions, type PolicyWriter } from './browser-enforcer.ts';
export type { OwnJsonFile, PlannedFile, SharedFile } from './policy-files.ts';
export type { PolicyFileSystem } from './policy-file-system.ts';
export { nodePolicyFileSystem } from './node-policy-file-system.ts';
export { applyPolicyFiles, type FileAction, type FileOp, type WriteReport } from './file-policy-writer.ts';
export { LESSON_FILE, LINUX_CHROMIUM_MANAGED_DIRS, LINUX_FIREFOX_POLICIES, linuxPolicyPlan, ROUTE_FILE } from './linux-policy-plan.ts';
export { linuxPolicyWriter, type LinuxPolicyWriterOptions } from './linux-policy-writer.ts';
export { DARWIN_PREFERENCE_DOMAINS, darwinPolicyPlan, darwinPreferences } from './darwin-policy-plan.ts';
export { darwinPolicyWriter, type DarwinPolicyWriterOptions } from './darwin-policy-writer.ts';
export { plistXml, type PlistValue } from './darwin-plist.ts';
export { WINDOWS_POLICY_KEYS, windowsRegistryPlan, type RegistryPolicy, type RegistryValue } from './windows-registry-plan.ts';
export { applyRegistryPlan, windowsPolicyWriter, type RegistryApi, type RegistryLedger, type RegistryReport, type RegistryValueId, type WindowsPolicyWriterOptions } from './windows-registry-writer.ts';
