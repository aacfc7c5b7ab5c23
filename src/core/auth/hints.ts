// Entra ID error codes → what the user should check (docs/architecture.md#conventions-in-the-code, one typed table).
// Codes: https://learn.microsoft.com/entra/identity-platform/reference-error-codes
import { PUBLIC_APIS_SETTING } from '../tenant-settings.js';

export interface EntraHint {
  code: string;
  problem: string;
  hint: string;
}

export const ENTRA_HINTS: readonly EntraHint[] = [
  {
    code: 'AADSTS7000215',
    problem: 'the client secret was rejected',
    hint:
      'Check FABRIC_CLIENT_SECRET: use the secret *value* (not its id) of the service principal FABRIC_CLIENT_ID, ' +
      'and make sure it has not expired.',
  },
  {
    code: 'AADSTS7000222',
    problem: 'the client secret has expired',
    hint: 'Create a new client secret for the service principal and update FABRIC_CLIENT_SECRET.',
  },
  {
    code: 'AADSTS700016',
    problem: 'the application was not found in the tenant',
    hint:
      'Check FABRIC_CLIENT_ID (the application (client) id of the service principal) and FABRIC_TENANT_ID; ' +
      'the app must be registered in, or consented to, that tenant.',
  },
  {
    code: 'AADSTS90002',
    problem: 'the tenant was not found',
    hint: 'Check FABRIC_TENANT_ID (the directory (tenant) id GUID or a verified domain) and FABRIC_AUTHORITY_HOST.',
  },
  {
    code: 'AADSTS900023',
    problem: 'the tenant id is not valid',
    hint: 'Check FABRIC_TENANT_ID: it must be the directory (tenant) id GUID or a verified domain name.',
  },
  {
    code: 'AADSTS700027',
    problem: 'the client certificate was rejected',
    hint: 'Upload the certificate (public part) to the app registration and check FABRIC_CERTIFICATE_PATH.',
  },
  {
    code: 'AADSTS70011',
    problem: 'the requested scope is not valid',
    hint: 'Check FABRIC_AUTHORITY_HOST points at the right cloud for the API hosts you configured.',
  },
  {
    // MSAL's own code when the authority's OpenID metadata cannot be read: Entra answers an unknown
    // tenant with an error there, and an unreachable host fails the same way.
    code: 'endpoints_resolution_error',
    problem: 'the tenant is unknown or the authority host cannot be reached',
    hint:
      'Check FABRIC_TENANT_ID (the directory (tenant) id GUID), FABRIC_AUTHORITY_HOST, and the network path to the ' +
      'authority host (proxy, firewall, DNS).',
  },
] as const;

export const NETWORK_HINT =
  'Check the network path to the authority host (proxy, firewall, DNS) and FABRIC_AUTHORITY_HOST.';

export const GENERIC_AUTH_HINT = `Check FABRIC_TENANT_ID, FABRIC_CLIENT_ID and the credential, and that ${PUBLIC_APIS_SETTING} includes this service principal.`;

export function findEntraHint(text: string): EntraHint | undefined {
  return ENTRA_HINTS.find((h) => new RegExp(`\\b${h.code}\\b`).test(text));
}
