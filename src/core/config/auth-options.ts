// The token provider's options from the validated config: the one place that picks the sign-in mode
// and reveals the Fabric secrets on their way to it (used by every run and by validate).
import type { AuthOptions } from '../auth/index.js';
import { resolveAuthMode } from './load.js';
import type { Config } from './schema.js';
import { reveal } from './secret.js';

export function authOptions(config: Config): AuthOptions {
  const f = config.fabric;
  const authorityHost = f.authorityHost;
  switch (resolveAuthMode(config)) {
    case 'static':
      return { mode: 'static', fabricToken: reveal(f.accessToken), powerbiToken: reveal(f.powerbiAccessToken) };
    case 'client-secret':
      return { mode: 'client-secret', tenantId: f.tenantId!, clientId: f.clientId!, clientSecret: reveal(f.clientSecret)!, authorityHost };
    case 'certificate':
      return { mode: 'certificate', tenantId: f.tenantId!, clientId: f.clientId!, certificatePath: f.certificatePath!, certificatePassword: reveal(f.certificatePassword), authorityHost };
    default:
      return { mode: 'default', tenantId: f.tenantId, clientId: f.clientId, authorityHost };
  }
}
