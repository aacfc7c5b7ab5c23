// Endpoint URLs from the configuration carry credentials: the bearer token goes to FABRIC_API_URL and
// POWERBI_API_URL, the client secret to FABRIC_AUTHORITY_HOST, the Snowflake password or key-pair JWT
// to SNOWFLAKE_ACCESS_URL. Plain http:// would send them in clear text, so it is refused except to a
// loopback address (a local stand-in or a tunnel on this machine) — issue 13 item 9. A URL may not
// carry a user name or password either: the messages would print them, and the tool has its own
// secret settings. Validation messages never repeat the URL (it may hold exactly such a secret).
import { isIP } from 'node:net';

/** localhost, 127.0.0.0/8, ::1 and the IPv4-mapped ::ffff:127.x.y.z. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) {
    if (host === '::1') return true;
    // WHATWG URL writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
    const mapped = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):[0-9a-f]{1,4})$/.exec(host);
    if (mapped) return mapped[1] ? mapped[1].startsWith('127.') : parseInt(mapped[2]!, 16) >> 8 === 127;
  }
  return false;
}

/** Problems of one endpoint URL (already known to parse as http or https), as `path: problem` texts. */
export function endpointProblems(value: string): string[] {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return [];
  }
  const problems: string[] = [];
  if (u.username || u.password) problems.push('must not contain a user name or password (use the credential settings instead)');
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
    problems.push('must use https:// — plain http:// would send the access token or password in clear text; it is allowed only to a loopback address (localhost, 127.0.0.1, ::1)');
  }
  return problems;
}

/** A URL without its user-info part, for messages. */
export function displayUrl(value: string): string {
  try {
    const u = new URL(value);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return value.replace(/\/\/[^/@\s]*@/, '//');
  }
}
