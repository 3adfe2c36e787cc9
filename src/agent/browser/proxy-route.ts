/**
 * The route installed once in every browser's policy: where its PAC script
 * is. Lesmodus sets it at install and keeps it; lessons never change it, so
 * it does not depend on a running browser re-reading its policy.
 */
export interface ProxyRoute {
  readonly pacUrl: string;
}
