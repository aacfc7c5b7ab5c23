// Login checks for the stand-in: password, or key-pair JWT (AUTHENTICATOR SNOWFLAKE_JWT) verified with
// node:crypto against the configured public key. Claims follow the driver's auth_keypair.js:
// iss = ACCOUNT.USER.SHA256:<base64 sha256 of the SPKI DER>, sub = ACCOUNT.USER, RS256.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { SfError } from './errors.js';

export interface LoginData {
  ACCOUNT_NAME?: string; LOGIN_NAME?: string; PASSWORD?: string; AUTHENTICATOR?: string; TOKEN?: string;
  SESSION_PARAMETERS?: Record<string, unknown>;
}

const badCredentials = (): SfError => new SfError('390100', '08004', 'Incorrect username or password was specified.');
const badJwt = (): SfError => new SfError('390144', '08004', 'JWT token is invalid.');

export function publicKeyFingerprint(pem: string): string {
  const der = createPublicKey(pem).export({ format: 'der', type: 'spki' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

function lookup<T>(map: Record<string, T>, user: string): T | undefined {
  const key = Object.keys(map).find((k) => k.toUpperCase() === user.toUpperCase());
  return key === undefined ? undefined : map[key];
}

/** Returns the canonical (upper-case) user name, or throws the Snowflake login error. */
export function authenticate(data: LoginData, users: Record<string, string>, publicKeys: Record<string, string>, account: string, now: number): string {
  const user = (data.LOGIN_NAME ?? '').toUpperCase();
  const authenticator = (data.AUTHENTICATOR ?? 'SNOWFLAKE').toUpperCase();
  if (authenticator === 'SNOWFLAKE_JWT') {
    const pem = lookup(publicKeys, user);
    if (pem === undefined || typeof data.TOKEN !== 'string') throw badJwt();
    const [h, p, s] = data.TOKEN.split('.');
    if (h === undefined || p === undefined || s === undefined) throw badJwt();
    let header: { alg?: string }; let claims: { iss?: string; sub?: string; exp?: number };
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    } catch { throw badJwt(); }
    if (header.alg !== 'RS256') throw badJwt();
    if (!verify('RSA-SHA256', Buffer.from(`${h}.${p}`), createPublicKey(pem), Buffer.from(s, 'base64url'))) throw badJwt();
    const acct = (data.ACCOUNT_NAME ?? account).toUpperCase();
    if (claims.sub !== `${acct}.${user}` || claims.iss !== `${acct}.${user}.${publicKeyFingerprint(pem)}`) throw badJwt();
    // snowflake-sdk 3.x writes exp in milliseconds; accept seconds too.
    const expMs = typeof claims.exp === 'number' ? (claims.exp > 1e12 ? claims.exp : claims.exp * 1000) : 0;
    if (expMs < now) throw badJwt();
    return user;
  }
  if (authenticator !== 'SNOWFLAKE') throw new SfError('390190', '08004', `Authenticator ${authenticator} is not supported by the stand-in.`);
  const expected = lookup(users, user);
  if (expected === undefined || data.PASSWORD !== expected) throw badCredentials();
  return user;
}
