// `validate` (issue 7 item 1): a permission and connectivity checklist that returns data. The config
// comes first — when it is invalid, that is the only failure reported (every issue at once) and the
// other checks are skipped. Otherwise the Fabric, warehouse and state checks run side by side (they
// share nothing) and come back in a fixed order. Nothing is created or changed except a temporary
// Snowflake table, which is dropped again.
import type { HostPauses } from '../http/index.js';
import { resolveAuthMode, resolveTarget, type LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { secretValues } from '../config/secret.js';
import { createRedactor } from '../redact.js';
import type { Clock, Logger, Sleep } from '../context.js';
import { ConfigError } from '../errors.js';
import { type Check, type ValidationReport, skip, summarise } from './check.js';
import { checkFabric } from './fabric-checks.js';
import { checkSemanticView } from './semantic-view-check.js';
import { checkState } from './state-check.js';
import { checkDuckDb, checkSnowflake } from './warehouse-checks.js';

export { exitCodeFor, summarise, type Check, type CheckArea, type CheckStatus, type CheckSummary, type FailureKind, type ValidationReport } from './check.js';
export { MAX_WORKSPACES_PROBED } from './fabric-checks.js';

export interface ValidateDeps {
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  version: string;
  verbose: boolean;
  /** Lock liveness: this machine's name and a pid probe (tests may replace them). */
  hostname?: string;
  isAlive?: (pid: number) => boolean;
  extraCaPem?: string;
  /** Retry-After pauses per host, shared by every Fabric client of one command line (main.ts makes it). */
  pauses?: HostPauses;
  /** Longest wait for the Snowflake login; default SNOWFLAKE_LOGIN_TIMEOUT_MS. */
  snowflakeLoginTimeoutMs?: number;
}

/** Loads the config (throwing ConfigError when invalid) and runs the whole checklist. */
export async function runValidation(load: () => Promise<LoadedConfig>, deps: ValidateDeps): Promise<ValidationReport> {
  const started = deps.clock.now();
  let loaded: LoadedConfig;
  try {
    loaded = await load();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return summarise([
      {
        id: 'config',
        area: 'config',
        status: 'fail',
        failure: 'config',
        message: e.message,
        // loadConfig's own hint points at validate; here the next step is fixing and re-running.
        hint: e.issues.length ? 'Fix the settings listed (README "Configuration"), then run validate again.' : (e.hint ?? 'Fix the configuration, then run validate again.'),
        ...(e.issues.length ? { details: e.issues } : {}),
        durationMs: deps.clock.now() - started,
      },
      skip('other', 'config', 'other checks skipped: fix the configuration first'),
    ]);
  }
  const config = loaded.config;
  const configCheck: Check = {
    id: 'config',
    area: 'config',
    status: 'ok',
    message: `config valid (${loaded.configFile ? `file ${loaded.configFile}` : 'no config file'}${loaded.envFile ? `, ${loaded.envFile}` : ''}; auth ${resolveAuthMode(config)}; warehouse ${resolveTarget(config)}; ${config.fabric.workspaces.length || 'all visible'} workspace${config.fabric.workspaces.length === 1 ? '' : 's'})`,
    durationMs: deps.clock.now() - started,
  };
  return summarise(scrubSecrets([configCheck, ...(await runChecks(config, deps))], config));
}

/** Every check after the config, for a valid Config: Fabric, then the warehouse, then the state file. */
export async function runChecks(config: Config, deps: ValidateDeps): Promise<Check[]> {
  const target = resolveTarget(config);
  const [fabric, warehouse, state] = await Promise.all([
    checkFabric(config, deps),
    target === 'snowflake'
      ? checkSnowflake(config, deps)
      : target === 'duckdb'
        ? checkDuckDb(config, deps)
        : Promise.resolve([skip('warehouse', 'warehouse', 'warehouse not checked: warehouse.target is none')]),
    checkState(config.state.path, deps),
  ]);
  return scrubSecrets([...fabric, ...warehouse, ...checkSemanticView(config), ...state], config);
}

/**
 * Belt and braces: the messages are built from safe parts already, but a library or a service may
 * echo a value back. Every configured secret, and anything shaped like a token, is removed by the
 * same scrubber convert and monitor use (src/core/redact.ts) before the checklist leaves the core.
 */
function scrubSecrets(checks: Check[], config: Config): Check[] {
  const clean = createRedactor(secretValues(config));
  return checks.map((c) => ({
    ...c,
    message: clean(c.message),
    ...(c.hint !== undefined ? { hint: clean(c.hint) } : {}),
    ...(c.details ? { details: c.details.map(clean) } : {}),
  }));
}
