export { createTokenProvider, SCOPES, type AuthOptions, type TokenProviderDeps } from './token-provider.js';
export { createTokenCache, REFRESH_MARGIN_MS, type Audience, type TokenProvider, type AcquiredToken } from './token-cache.js';
export { ENTRA_HINTS, findEntraHint } from './hints.js';
