// Host names: what the catalog may list, and how any host or URL a browser,
// DNS log or proxy reports is reduced to one for lookup.

const MAX_HOST_LENGTH = 253;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const CATALOG_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const NUMERIC = /^[0-9]+$/;
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:(?![0-9])/i;

/**
 * Why `entry` cannot be a catalog domain, or null when it can. Catalog domains
 * are written the way they are matched: lowercase, at least two labels, no
 * scheme, port, path, wildcard or trailing dot ("instagram.com", which also
 * covers every subdomain). Underscores are not allowed here: no registrable
 * domain or CDN host a service needs has one.
 */
export function catalogDomainProblem(entry: string): string | null {
  if (entry.length === 0) return 'is empty';
  if (entry.includes('://')) return `"${entry}" has a scheme: write only the host, e.g. "instagram.com"`;
  if (entry.includes('*')) return `"${entry}" has a wildcard: a domain already covers all its subdomains`;
  if (/[/?#:@\s]/.test(entry)) return `"${entry}" is not a bare host name (no path, port, user or spaces)`;
  if (entry !== entry.toLowerCase()) return `"${entry}" must be lowercase`;
  if (entry.endsWith('.')) return `"${entry}" must not end with a dot`;
  if (entry.length > MAX_HOST_LENGTH) return `"${entry}" is longer than ${MAX_HOST_LENGTH} characters`;
  const labels = entry.split('.');
  if (labels.length < 2) return `"${entry}" needs at least two labels, like "example.com"`;
  if (!labels.every((label) => CATALOG_LABEL.test(label))) return `"${entry}" is not a valid host name (letters, digits, dashes; punycode for IDN)`;
  if (NUMERIC.test(labels[labels.length - 1] ?? '')) return `"${entry}" looks like an IP address: list host names only`;
  return null;
}

/**
 * The lowercase host name in `hostOrUrl`, or null when there is none to match:
 * empty input, spaces, IP literals, single garbage labels. Accepts a bare host
 * ("WWW.Instagram.com."), a host with port, or any URL; userinfo, port, path,
 * query and fragment are dropped, IDN is converted to punycode and
 * percent-escapes are decoded exactly as a browser would, because the
 * WHATWG URL parser is the one browsers use.
 */
export function normalizeHost(hostOrUrl: string): string | null {
  const text = hostOrUrl.trim();
  if (text.length === 0 || /\s/.test(text)) return null;
  let host: string;
  try {
    // "scheme:" starts a URL; "host:443" is a host with a port.
    host = new URL(HAS_SCHEME.test(text) ? text : `http://${text}`).hostname;
  } catch {
    return null;
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.length === 0 || host.length > MAX_HOST_LENGTH || host.startsWith('[')) return null;
  const labels = host.split('.');
  if (!labels.every((label) => LABEL.test(label))) return null;
  // The URL parser turns every IPv4 spelling (0x7f.1, 2130706433) into dotted
  // decimal, so a numeric last label is all it takes to spot one.
  if (NUMERIC.test(labels[labels.length - 1] ?? '')) return null;
  return host;
}

/** `host` and each parent made by dropping leading labels, most specific first. */
export function hostAndParents(host: string): string[] {
  const result = [host];
  for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
    result.push(host.slice(dot + 1));
  }
  return result;
}

/** True when `inner` is `outer` or lies under it ("m.instagram.com" under "instagram.com"). */
export function isSameOrSubdomain(inner: string, outer: string): boolean {
  return inner === outer || inner.endsWith(`.${outer}`);
}
