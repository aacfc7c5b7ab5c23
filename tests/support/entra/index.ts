// A local Entra ID token endpoint over HTTPS (docs/architecture.md#stand-ins, docs/fabric-rest.md#authentication-and-tenant-settings), so the real
// @azure/identity client-credential flow runs end to end: the OpenID metadata document and
// /oauth2/v2.0/token, checking tenant, client id, secret and scope, answering errors in Entra's
// own shape (AADSTS codes). A process that talks to it must trust `caCertPath` (NODE_EXTRA_CA_CERTS at
// process start, or an explicit CA); under vitest every worker already does (global-setup.ts).
import { constants, createHash, randomBytes, randomUUID, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';

export interface EntraStandInOptions {
  /** clientId → client secret. */
  clients: Record<string, string>;
  /** clientId → PEM certificate whose private key signs the client assertion (certificate credentials). */
  certificates?: Record<string, string>;
  tenantId: string;
  /** `expires_in` of issued tokens (default 3600). */
  tokenTtlSeconds?: number;
  /** Scopes the endpoint accepts (default: the Fabric and Power BI `.default` scopes). */
  scopes?: string[];
  /** The access token to issue; default an opaque random string. Lets a test feed the Fabric emulator's `acceptTokens`. */
  tokenFor?: (clientId: string, scope: string) => string;
}

export interface IssuedToken {
  clientId: string;
  scope: string;
  token: string;
}

export interface EntraStandIn {
  /** `https://127.0.0.1:PORT`, for FABRIC_AUTHORITY_HOST / `authorityHost`. */
  authorityHost: string;
  /** PEM file of the throw-away certificate (it is its own CA). */
  caCertPath: string;
  caCertPem: string;
  tokensIssued: IssuedToken[];
  /** Every request: method, path (no query) and the form's client_id when present. Never secrets. */
  requests: Array<{ method: string; path: string; clientId?: string }>;
  close(): Promise<void>;
}

export const DEFAULT_SCOPES = ['https://api.fabric.microsoft.com/.default', 'https://analysis.windows.net/powerbi/api/.default'];

export async function startEntraStandIn(options: EntraStandInOptions): Promise<EntraStandIn> {
  const { pems, caCertPath, dispose } = await serverCertificate();

  const ttl = options.tokenTtlSeconds ?? 3600;
  const scopes = new Set(options.scopes ?? DEFAULT_SCOPES);
  const tokensIssued: IssuedToken[] = [];
  const requests: EntraStandIn['requests'] = [];
  let origin = '';

  const server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    void handle(req, res).catch((e: unknown) => send(res, 500, { error: 'server_error', error_description: String(e) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const [, tenant, ...rest] = url.pathname.split('/');
    const tail = rest.join('/');
    const body = await readBody(req);
    const form = new URLSearchParams(body);
    requests.push({ method: req.method ?? '', path: url.pathname, ...(form.get('client_id') ? { clientId: form.get('client_id')! } : {}) });

    if (tenant !== options.tenantId) {
      return entraError(res, 400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID.`);
    }
    if (req.method === 'GET' && tail === 'v2.0/.well-known/openid-configuration') {
      const base = `${origin}/${tenant}`;
      return send(res, 200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        issuer: `${origin}/${tenant}/v2.0`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        tenant_region_scope: 'EU',
      });
    }
    if (req.method === 'POST' && tail === 'oauth2/v2.0/token') {
      const clientId = form.get('client_id') ?? '';
      if (form.get('grant_type') !== 'client_credentials') {
        return entraError(res, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
      }
      const certificate = options.certificates?.[clientId];
      if (!(clientId in options.clients) && !certificate) {
        return entraError(res, 400, 'unauthorized_client', 700016,
          `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
      }
      const assertion = form.get('client_assertion');
      if (assertion !== null) {
        const problem = certificate ? checkAssertion(assertion, certificate, clientId, `${origin}/${tenant}/oauth2/v2.0/token`) : 'no certificate registered';
        if (problem) {
          return entraError(res, 401, 'invalid_client', 700027, `Client assertion failed signature validation (${problem}).`);
        }
      } else if (form.get('client_secret') !== options.clients[clientId]) {
        return entraError(res, 401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
      }
      const scope = form.get('scope') ?? '';
      const wanted = scope.split(' ').filter((s) => s && !['openid', 'profile', 'offline_access'].includes(s));
      const resource = wanted[0] ?? '';
      if (wanted.length !== 1 || !scopes.has(resource)) {
        return entraError(res, 400, 'invalid_scope', 70011, `The provided value for scope ${scope} is not valid.`);
      }
      const token = options.tokenFor?.(clientId, resource) ?? `stand-in.${randomBytes(24).toString('base64url')}`;
      tokensIssued.push({ clientId, scope: resource, token });
      return send(res, 200, { token_type: 'Bearer', expires_in: ttl, ext_expires_in: ttl, access_token: token });
    }
    return entraError(res, 404, 'invalid_request', 90100, `Unknown endpoint ${req.method} ${url.pathname}.`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    authorityHost: origin,
    caCertPath,
    caCertPem: pems.cert,
    tokensIssued,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      dispose();
    },
  };
}

// Read once: an in-process CLI run swaps process.env for its own while it runs.
const sharedTlsDir = process.env.FABRIC_SYNC_TEST_TLS;

/**
 * The test run's certificate when tests/support/global-setup.ts made one (FABRIC_SYNC_TEST_TLS: every
 * test worker, and every CLI it starts, trusts it from process start); else a throw-away one.
 */
async function serverCertificate(): Promise<{ pems: { private: string; cert: string }; caCertPath: string; dispose: () => void }> {
  const shared = sharedTlsDir;
  if (shared) {
    const caCertPath = path.join(shared, 'cert.pem');
    return { pems: { private: readFileSync(path.join(shared, 'key.pem'), 'utf8'), cert: readFileSync(caCertPath, 'utf8') }, caCertPath, dispose: () => undefined };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'entra-stand-in-'));
  const { pems, caCertPath } = await writeLocalCertificate(dir);
  return { pems, caCertPath, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A self-signed certificate for 127.0.0.1 and localhost (its own CA), written to `dir` as key.pem and cert.pem. */
export async function writeLocalCertificate(dir: string): Promise<{ pems: { private: string; cert: string }; caCertPath: string }> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    notAfterDate: new Date(Date.now() + 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  const caCertPath = path.join(dir, 'cert.pem');
  writeFileSync(path.join(dir, 'key.pem'), pems.private, { mode: 0o600 });
  writeFileSync(caCertPath, pems.cert);
  return { pems, caCertPath };
}

/** RFC 7523 client assertion: RS256 or PS256 signed by the registered certificate's key, iss = sub = client, aud = token endpoint. */
function checkAssertion(jwt: string, certPem: string, clientId: string, tokenEndpoint: string): string | undefined {
  const [h, p, sig] = jwt.split('.');
  if (!h || !p || !sig) return 'not a JWT';
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string; 'x5t#S256'?: string; x5t?: string };
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { iss?: string; sub?: string; aud?: string; exp?: number };
  const cert = new X509Certificate(certPem);
  const padding = header.alg === 'PS256' ? constants.RSA_PKCS1_PSS_PADDING : header.alg === 'RS256' ? constants.RSA_PKCS1_PADDING : undefined;
  if (padding === undefined) return `unsupported alg ${header.alg}`;
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key: cert.publicKey, padding, saltLength: 32 }, Buffer.from(sig, 'base64url'));
  if (!ok) return 'signature does not match the registered certificate';
  const thumb = header['x5t#S256'] ?? header.x5t;
  const expected = createHash(header['x5t#S256'] ? 'sha256' : 'sha1').update(cert.raw).digest('base64url');
  if (thumb !== expected) return 'thumbprint does not match';
  if (payload.iss !== clientId || payload.sub !== clientId) return 'iss/sub is not the client id';
  if (payload.aud !== tokenEndpoint) return `aud ${payload.aud} is not the token endpoint`;
  if (!payload.exp || payload.exp * 1000 < Date.now()) return 'expired';
  return undefined;
}

function entraError(res: ServerResponse, status: number, error: string, code: number, text: string): void {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  send(res, status, {
    error,
    error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${new Date().toISOString()}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: traceId,
    correlation_id: correlationId,
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (s += d));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}
