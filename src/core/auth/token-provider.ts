// Entra ID token providers, one per auth mode (docs/architecture.md#configuration, issue 3 item 1). Every mode ends in the
// same per-audience cache; every failure becomes an AuthError whose text is built from safe parts
// only (the Entra error code and our own words), so a secret can never leak through a message.
import { rootCertificates } from 'node:tls';
import type { TokenCredential } from '@azure/identity';
import type { Clock, Logger } from '../context.js';
import { AuthError } from '../errors.js';
import { redact } from '../redact.js';
import { GENERIC_AUTH_HINT, NETWORK_HINT, findEntraHint } from './hints.js';
import { createTokenCache, type AcquiredToken, type Audience, type TokenProvider } from './token-cache.js';

export type { Audience, TokenProvider } from './token-cache.js';

export type AuthOptions =
  /** Pre-acquired tokens; when only one is given it serves both audiences. */
  | { mode: 'static'; fabricToken?: string; powerbiToken?: string }
  | { mode: 'client-secret'; tenantId: string; clientId: string; clientSecret: string; authorityHost?: string }
  | {
      mode: 'certificate';
      tenantId: string;
      clientId: string;
      certificatePath: string;
      certificatePassword?: string;
      authorityHost?: string;
    }
  /** DefaultAzureCredential: environment, workload identity, managed identity, Azure CLI, … */
  | { mode: 'default'; tenantId?: string; clientId?: string; authorityHost?: string };

export interface TokenProviderDeps {
  clock: Clock;
  logger: Logger;
  /**
   * PEM of an extra certificate authority trusted (in addition to the system roots) when talking to
   * the authority host: a private authority behind TLS inspection, or the local test stand-in.
   */
  extraCaPem?: string;
}

/** The `.default` scope of each API: one token per audience (docs/fabric-rest.md#authentication-and-tenant-settings). */
export const SCOPES: Record<Audience, string> = {
  powerbi: 'https://analysis.windows.net/powerbi/api/.default',
  fabric: 'https://api.fabric.microsoft.com/.default',
};

export function createTokenProvider(auth: AuthOptions, deps: TokenProviderDeps): TokenProvider {
  if (auth.mode === 'static') return staticProvider(auth);
  // @azure/identity is loaded with the first token: a run that never signs in (a local model, a
  // static token) does not pay for loading it.
  let credential: Promise<TokenCredential> | undefined;
  const secrets = collectSecrets(auth);
  return createTokenCache(async (audience, { fresh }): Promise<AcquiredToken> => {
    const started = deps.clock.now();
    // A credential keeps its own token cache (MSAL) and would hand back the token the API just
    // refused; a new credential object asks the authority for a new one.
    if (fresh || !credential) credential = buildCredential(auth, deps);
    try {
      const token = await (await credential).getToken(SCOPES[audience]);
      if (!token) throw new AuthError(`Entra ID returned no token for the ${audience} API (${auth.mode}).`, { hint: GENERIC_AUTH_HINT });
      deps.logger.debug('token acquired', { audience, mode: auth.mode, ms: deps.clock.now() - started });
      return { token: token.token, expiresOnTimestamp: token.expiresOnTimestamp };
    } catch (e) {
      if (e instanceof AuthError) throw e;
      throw toAuthError(e, auth, audience, secrets);
    }
  }, deps.clock);
}

function staticProvider(auth: Extract<AuthOptions, { mode: 'static' }>): TokenProvider {
  const fabric = auth.fabricToken || auth.powerbiToken;
  const powerbi = auth.powerbiToken || auth.fabricToken;
  return {
    async getToken(audience) {
      const token = audience === 'fabric' ? fabric : powerbi;
      if (!token) {
        throw new AuthError('No access token was given.', {
          hint: 'Set FABRIC_ACCESS_TOKEN and/or POWERBI_ACCESS_TOKEN, or configure a service principal.',
        });
      }
      return token;
    },
  };
}

async function buildCredential(auth: Exclude<AuthOptions, { mode: 'static' }>, deps: TokenProviderDeps): Promise<TokenCredential> {
  const { ClientCertificateCredential, ClientSecretCredential, DefaultAzureCredential } = await import('@azure/identity');
  const custom = auth.authorityHost !== undefined && !isMicrosoftAuthority(auth.authorityHost);
  const common = {
    ...(auth.authorityHost ? { authorityHost: auth.authorityHost } : {}),
    // An authority that is not one of Microsoft's clouds (a private mirror, the test stand-in) is
    // not in the instance-discovery list, so discovery would reject it.
    ...(custom ? { disableInstanceDiscovery: true } : {}),
    ...(deps.extraCaPem ? { tlsOptions: { ca: [...rootCertificates, deps.extraCaPem].join('\n') } } : {}),
  };
  switch (auth.mode) {
    case 'client-secret':
      return new ClientSecretCredential(auth.tenantId, auth.clientId, auth.clientSecret, common);
    case 'certificate':
      return new ClientCertificateCredential(
        auth.tenantId,
        auth.clientId,
        { certificatePath: auth.certificatePath, ...(auth.certificatePassword ? { certificatePassword: auth.certificatePassword } : {}) },
        common,
      );
    case 'default':
      return new DefaultAzureCredential({
        ...common,
        ...(auth.tenantId ? { tenantId: auth.tenantId } : {}),
        ...(auth.clientId ? { managedIdentityClientId: auth.clientId, workloadIdentityClientId: auth.clientId } : {}),
      });
  }
}

/** The Entra ID authority hosts of Microsoft's public and national clouds. */
const MICROSOFT_AUTHORITIES = new Set(['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.microsoftonline.de']);

function isMicrosoftAuthority(host: string): boolean {
  try {
    return MICROSOFT_AUTHORITIES.has(new URL(host).hostname.toLowerCase());
  } catch {
    return false;
  }
}

function collectSecrets(auth: AuthOptions): string[] {
  if (auth.mode === 'client-secret') return [auth.clientSecret];
  if (auth.mode === 'certificate' && auth.certificatePassword) return [auth.certificatePassword];
  return [];
}

function toAuthError(e: unknown, auth: AuthOptions, audience: Audience, secrets: string[]): AuthError {
  const raw = errorText(e);
  const who = 'clientId' in auth && auth.clientId ? ` for client ${auth.clientId}` : '';
  const what = `Could not get an Entra ID token for the ${audience} API${who} (${auth.mode})`;
  const known = findEntraHint(raw);
  if (known) return new AuthError(`${what}: ${known.code} ${known.problem}.`, { hint: known.hint });
  if (/ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|self[- ]signed|unable to verify|UNABLE_TO|CERT_|socket hang up/i.test(raw)) {
    return new AuthError(`${what}: the authority host could not be reached (${networkReason(raw)}).`, { hint: NETWORK_HINT });
  }
  if (auth.mode === 'default' && /CredentialUnavailable|unavailable/i.test(raw)) {
    return new AuthError(`${what}: no credential was available (managed identity, workload identity, Azure CLI).`, {
      hint: 'Run `az login`, or set FABRIC_TENANT_ID/FABRIC_CLIENT_ID/FABRIC_CLIENT_SECRET, or run where a managed or workload identity is configured.',
    });
  }
  // Unknown failure: keep only a scrubbed first line of the library's message (the shared scrubber).
  return new AuthError(`${what}: ${redact(firstLine(raw), secrets)}`, { hint: GENERIC_AUTH_HINT });
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const parts = [e.name, e.message];
    const cause = (e as { cause?: unknown }).cause;
    if (cause instanceof Error) parts.push(cause.message, (cause as { code?: string }).code ?? '');
    const code = (e as { code?: string }).code;
    if (code) parts.push(code);
    return parts.join(' ');
  }
  return String(e);
}

function networkReason(raw: string): string {
  return /ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN/.exec(raw)?.[0] ?? 'TLS or connection failure';
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
