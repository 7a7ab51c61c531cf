// The open-redirect guard: a destination is stored only when it is an https URL on one of the
// shop's own hosts, written exactly as the WHATWG URL parser (what browsers use) reads it.
// Every check looks at the raw text first: the parser quietly repairs much of what attackers
// send (backslashes to slashes, tabs dropped, `0x7f.1` to `127.0.0.1`, full-width letters
// folded), so comparing the raw authority with the parsed host catches each such repair.

/** A host the shop owns: `shop.example` exactly, or `*.shop.example` for its subdomains. */
export interface AllowedHost {
  host: string;
  subdomains: boolean;
}

/** Where a destination may point. */
export interface DestinationPolicy {
  hosts: readonly AllowedHost[];
  /**
   * Exact `http://localhost:<port>` origins allowed besides https (dev only: the sites run
   * without TLS there; the config refuses them next to a real DATABASE_URL).
   */
  devHttpOrigins?: readonly string[];
}

export type DestinationCheck =
  | { ok: true; url: string; host: string }
  | { ok: false; reason: string };

const MAX_LENGTH = 2048;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
// C0 and C1 controls, DEL, every Unicode space and line/paragraph separator, zero-width and
// bidi-control characters, the BOM, and the soft hyphen: none belongs in a URL we store.
const INVISIBLE_OR_CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it refuses
  /[\u0000-\u0020\u007f-\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff\ufff9-\ufffb]/u;

const refuse = (reason: string): DestinationCheck => ({ ok: false, reason });

/**
 * Parses an allowlist setting: comma-separated lowercase hostnames, `*.` for subdomains.
 * Throws on an entry that is not a DNS name (IP literals, ports, userinfo, non-ASCII).
 * @example parseAllowedHosts('shop.example,*.shop.example')
 */
export function parseAllowedHosts(setting: string): AllowedHost[] {
  return setting
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const subdomains = entry.startsWith('*.');
      const host = subdomains ? entry.slice(2) : entry;
      const labels = host.split('.');
      if (
        host.length > 253 ||
        labels.length < 2 ||
        !labels.every((label) => HOST_LABEL.test(label)) ||
        IPV4.test(host) ||
        /^\d+$/.test(labels.at(-1) ?? '')
      ) {
        throw new Error(`"${entry}" is not a lowercase DNS name (or *.name)`);
      }
      return { host, subdomains };
    });
}

function hostAllowed(host: string, hosts: readonly AllowedHost[]): boolean {
  return hosts.some(
    (allowed) => host === allowed.host || (allowed.subdomains && host.endsWith(`.${allowed.host}`)),
  );
}

/** The raw authority: what follows `scheme://` up to the first `/`, `?` or `#`. */
function rawAuthority(afterScheme: string): string {
  const end = afterScheme.search(/[/?#]/);
  return end < 0 ? afterScheme : afterScheme.slice(0, end);
}

/**
 * Checks a destination before it is stored; returns the URL as the parser serialises it.
 * @example validateDestination('https://shop.example/sale', { hosts: parseAllowedHosts('shop.example') })
 */
export function validateDestination(raw: unknown, policy: DestinationPolicy): DestinationCheck {
  if (typeof raw !== 'string' || raw.length === 0) return refuse('must be a URL');
  if (raw.length > MAX_LENGTH) return refuse(`must be at most ${MAX_LENGTH} characters`);
  if (!raw.isWellFormed()) return refuse('must be well-formed Unicode');
  if (INVISIBLE_OR_CONTROL.test(raw)) {
    return refuse('must not contain spaces, control or invisible characters');
  }
  if (raw.includes('\\') || /%5c/i.test(raw)) return refuse('must not contain backslashes');
  const lower = raw.toLowerCase();
  const devOrigin = policy.devHttpOrigins?.find(
    (origin) =>
      lower === origin || lower.startsWith(`${origin}/`) || lower.startsWith(`${origin}?`),
  );
  const scheme = devOrigin ? 'http://' : 'https://';
  if (!lower.startsWith(scheme)) return refuse('must be an absolute https:// URL');
  const afterScheme = raw.slice(scheme.length);
  if (afterScheme.startsWith('/')) return refuse('must name a host right after https://');
  const authority = rawAuthority(afterScheme);
  if (authority.includes('@')) return refuse('must not contain a user name or password');
  if (authority.includes('%')) return refuse('must not percent-encode the host');
  if (authority.startsWith('[')) return refuse('must name a host, not an IP address');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is what is refused
  if (/[^\x00-\x7f]/.test(authority)) {
    return refuse('must not use an internationalised host (IDN look-alikes)');
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('must be a valid URL');
  }
  if (url.protocol !== (devOrigin ? 'http:' : 'https:')) {
    return refuse('must be an absolute https:// URL');
  }
  if (url.username !== '' || url.password !== '') {
    return refuse('must not contain a user name or password');
  }
  const host = url.hostname;
  if (IPV4.test(host) || host.startsWith('[') || /^[\d.]+$/.test(host)) {
    return refuse('must name a host, not an IP address');
  }
  if (host.split('.').some((label) => label.startsWith('xn--'))) {
    return refuse('must not use an internationalised host (IDN look-alikes)');
  }
  // Anything the parser changed in the authority (case aside) is an ambiguity attackers use.
  if (authority.toLowerCase() !== url.host) {
    return refuse('must write the host exactly as browsers read it (no port, no encoding)');
  }
  if (devOrigin) {
    if (url.origin !== devOrigin) return refuse('must be an allowed origin');
  } else {
    if (url.port !== '') return refuse('must not name a port');
    if (!hostAllowed(host, policy.hosts)) return refuse(`must be on the shop's own hosts`);
  }
  if (url.pathname.startsWith('//')) {
    return refuse('must not start its path with // (read as another host by some pages)');
  }
  return { ok: true, url: url.href, host };
}
