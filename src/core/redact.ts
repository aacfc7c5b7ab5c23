// The one secret scrubber (issue 13 item 8). Every text that leaves the process — an error printed by
// convert or monitor, a --json document, an NDJSON event, the state file, a validate check — passes
// through it. It removes, in this order: the configured secrets themselves (client secret, passwords,
// tokens, passphrases) and the access tokens the HTTP layer sent; `Bearer …` / `Basic …` credentials;
// anything shaped like a JWT; `secret=…`-style pairs (query strings, form bodies, connection strings)
// and `"access_token": "…"`-style JSON members; and the user-info part of URLs (`https://user:pw@host`).
// Services have been seen echoing the Authorization header back in an error body, so no message built
// from a server's answer is trusted to be clean.

/** Shorter values are not scrubbed: replacing every "abc" in a message would garble it and hide nothing. */
const MIN_SECRET_LENGTH = 4;

const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
// A JWT (JWS or JWE): base64url segments, the first one a JSON header (`{"` encodes as `eyJ`).
const JWT = /\beyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){1,4}/g;
const KEY_VALUE = /\b(client_secret|client_assertion|assertion|password|pwd|passphrase|token|access_token|refresh_token|id_token|sig|secret|private_key)=([^&\s"';]+)/gi;
const JSON_MEMBER = /("(?:client_secret|password|passphrase|token|access_token|refresh_token|id_token|secret|private_key|privateKey)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;

export type Redactor = (text: string) => string;

/** A scrubber that knows these secret values besides the shapes every scrubber removes. */
export function createRedactor(secrets: Iterable<string | undefined> = []): Redactor & { add(value: string | undefined): void } {
  const values = new Set<string>();
  const add = (v: string | undefined) => {
    if (typeof v === 'string' && v.length >= MIN_SECRET_LENGTH) values.add(v);
  };
  for (const s of secrets) add(s);
  const redactor = ((text: string) => redact(text, values)) as Redactor & { add(value: string | undefined): void };
  redactor.add = add;
  return redactor;
}

/** Scrubs one text: the given secret values (longest first, so one inside another goes whole), then the shapes. */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  const sorted = [...secrets].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  for (const s of sorted) if (out.includes(s)) out = out.split(s).join('***');
  return out
    .replace(BEARER, '$1 [redacted]')
    .replace(JWT, '[redacted-jwt]')
    .replace(KEY_VALUE, '$1=[redacted]')
    .replace(JSON_MEMBER, '$1"[redacted]"')
    .replace(URL_USERINFO, '$1');
}

/** Every string inside a JSON-like value scrubbed (objects and arrays copied; other values kept). */
export function redactDeep<T>(value: T, redactor: Redactor): T {
  return walk(value, redactor, 0) as T;
}

function walk(value: unknown, r: Redactor, depth: number): unknown {
  if (typeof value === 'string') return r(value);
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  // Objects with their own JSON form (errors, secrets) are serialised the way JSON.stringify would.
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return walk(json.call(value), r, depth + 1);
  if (Array.isArray(value)) return value.map((v) => walk(v, r, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = walk(v, r, depth + 1);
  return out;
}
