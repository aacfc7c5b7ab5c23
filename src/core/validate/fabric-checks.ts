// Checklist items 2–6: Entra tokens per audience, workspaces reachable and listable, the role
// sufficient for getDefinition (write), what can be said about push-dataset permission without
// creating one, and the admin scanner APIs. Each probe is one small request; nothing is created or
// changed. Tenant settings: src/core/tenant-settings.ts. There is no read-only way to a model's schema
// (issue 13 item 19): getDefinition needs write permission, and so do the DAX INFO functions.
import type { HostPauses } from '../http/index.js';
import { resolveAuthMode } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createTokenProvider, type Audience, type TokenProvider } from '../auth/index.js';
import type { Clock, Logger, Sleep } from '../context.js';
import { ApiError } from '../errors.js';
import { createFabricClient, type FabricClient } from '../fabric/index.js';
import { authOptions } from '../config/auth-options.js';
import type { ModelListing } from '../sources/listing.js';
import { isSystemModel } from '../fabric/system-models.js';
import { PUBLIC_APIS_SETTING, SCANNER_HINT } from '../tenant-settings.js';
import { type Check, type Outcome, failOf, firstLine, probe, skip } from './check.js';

export interface FabricCheckOptions {
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  version: string;
  /** PEM of an extra CA for the authority host (tests, TLS inspection); NODE_EXTRA_CA_CERTS works too. */
  extraCaPem?: string;
  /** Retry-After pauses per host, shared by every Fabric client of one command line (main.ts makes it). */
  pauses?: HostPauses;
}

/** With no workspace configured, at most this many visible workspaces are probed (quota-friendly). */
export const MAX_WORKSPACES_PROBED = 10;
/** validate must answer in seconds: one retry, a short throttle budget. */
const VALIDATE_RETRIES = 1;
const VALIDATE_BUDGET_MS = 30_000;
const VALIDATE_TIMEOUT_MS = 30_000;

/** docs/architecture.md#the-flow: creation of new push datasets stops after 31 Oct 2027. */
const PUSH_CREATION_RETIRED = Date.UTC(2027, 10, 1);

const AUDIENCES: readonly Audience[] = ['powerbi', 'fabric'];
const AUDIENCE_NAMES: Record<Audience, string> = { powerbi: 'Power BI API', fabric: 'Fabric API' };

interface WorkspaceProbe {
  id: string;
  models?: ModelListing[];
  /** The non-push model getDefinition was tried on. */
  candidate?: ModelListing;
  role: 'write' | 'denied' | 'unknown';
}

export async function checkFabric(config: Config, o: FabricCheckOptions): Promise<Check[]> {
  const mode = resolveAuthMode(config);
  const tokens = createTokenProvider(authOptions(config), { clock: o.clock, logger: o.logger, ...(o.extraCaPem ? { extraCaPem: o.extraCaPem } : {}) });
  const tokenChecks = await Promise.all(AUDIENCES.map((a) => probe(`entra.${a}`, 'entra', o.clock, () => tokenOutcome(config, mode, tokens, a, o.clock))));
  if (tokenChecks.some((c) => c.status === 'fail')) {
    const why = 'not checked: no token';
    return [...tokenChecks, skip('fabric.workspaces', 'fabric', `workspaces ${why}`), skip('push.permission', 'push', `push dataset permission ${why}`), ...optionalSkips(config, why)];
  }
  const api = createFabricClient({
    fabricUrl: config.fabric.apiUrl,
    powerbiUrl: config.fabric.powerbiApiUrl,
    tokens,
    clock: o.clock,
    sleep: o.sleep,
    logger: o.logger,
    timeoutMs: Math.min(config.fabric.timeoutSeconds * 1000, VALIDATE_TIMEOUT_MS),
    maxRetries: Math.min(config.fabric.maxRetries, VALIDATE_RETRIES),
    budgetMs: VALIDATE_BUDGET_MS,
    userAgent: `fabric-sync/${o.version} (validate)`,
    ...(o.pauses ? { http: { pauses: o.pauses } } : {}),
  });
  const checks: Check[] = [...tokenChecks];
  const targets = await workspaceTargets(config, api, o.clock, checks);
  // Workspaces are probed side by side; each keeps its own lines so the order stays that of the targets.
  const perWorkspace = targets.map(() => [] as Check[]);
  const probes = await Promise.all(targets.map((t, i) => probeWorkspace(config, api, t, o.clock, perWorkspace[i]!)));
  checks.push(...perWorkspace.flat());
  checks.push(pushCheck(config, probes, o.clock.now()));
  checks.push(...infoFallbackNote(config));
  checks.push(await scannerCheck(config, api, o.clock));
  return checks;
}

/** A setting that once promised a read-only route to schemas: say that it does nothing. */
function infoFallbackNote(config: Config): Check[] {
  if (!config.fabric.infoFallback) return [];
  return [{
    id: 'fabric.infoFallback',
    area: 'fabric',
    status: 'warn',
    message: 'fabric.infoFallback has no effect: executeQueries does not run the DAX INFO functions, and they need the same write permission as getDefinition',
    hint: 'Remove the setting, and give the service principal the Contributor role (or higher) on each workspace so that getDefinition can read the models.',
    durationMs: 0,
  }];
}

function optionalSkips(config: Config, why: string): Check[] {
  return [
    ...infoFallbackNote(config),
    config.monitor.detection === 'scanner' ? skip('fabric.scanner', 'fabric', `admin scanner APIs ${why}`) : skip('fabric.scanner', 'fabric', 'admin scanner APIs not needed: monitor.detection is listing'),
  ];
}

async function tokenOutcome(config: Config, mode: string, tokens: TokenProvider, audience: Audience, clock: Clock): Promise<Outcome> {
  const name = AUDIENCE_NAMES[audience];
  if (mode === 'static') {
    const f = config.fabric;
    const own = audience === 'fabric' ? f.accessToken : f.powerbiAccessToken;
    const variable = audience === 'fabric' ? 'FABRIC_ACCESS_TOKEN' : 'POWERBI_ACCESS_TOKEN';
    const other = audience === 'fabric' ? 'POWERBI_ACCESS_TOKEN' : 'FABRIC_ACCESS_TOKEN';
    const token = await tokens.getToken(audience);
    const source = own ? variable : `${other}, reused`;
    const exp = jwtExpiry(token);
    if (exp !== undefined && exp <= clock.now()) {
      return { status: 'fail', failure: 'permission', message: `${name}: the pre-acquired token (${source}) expired at ${new Date(exp).toISOString()}`, hint: `Acquire a new token (they last about an hour), or configure a service principal instead of ${variable}.` };
    }
    const left = exp === undefined ? '' : `, expires ${new Date(exp).toISOString()}`;
    return { status: 'ok', message: `${name}: pre-acquired token present (${source}${left}); not verified by Entra, the API calls below use it` };
  }
  await tokens.getToken(audience);
  const who = config.fabric.clientId ? ` for client ${config.fabric.clientId}` : '';
  return { status: 'ok', message: `${name}: Entra token acquired${who} (${mode})` };
}

/** The `exp` claim of a JWT (seconds → ms), or undefined for an opaque token. Nothing else is read. */
function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

interface Target {
  id: string;
  /** `"Sales" (59e1…)` when the name is known, else the id. */
  label: string;
}

const labelOf = (id: string, name?: string): string => (name ? `"${name}" (${id})` : id);

async function workspaceTargets(config: Config, api: FabricClient, clock: Clock, checks: Check[]): Promise<Target[]> {
  if (config.fabric.workspaces.length > 0) {
    // One GET /groups for readable names; when it fails, the per-workspace probes say why.
    const names = new Map((await api.listWorkspaces().catch(() => [])).map((w) => [w.id.toLowerCase(), w.name]));
    return config.fabric.workspaces.map((id) => ({ id, label: labelOf(id, names.get(id.toLowerCase())) }));
  }
  let targets: Target[] = [];
  checks.push(
    await probe('fabric.workspaces', 'fabric', clock, async () => {
      const all = await api.listWorkspaces();
      targets = all.slice(0, MAX_WORKSPACES_PROBED).map((w) => ({ id: w.id, label: labelOf(w.id, w.name) }));
      if (all.length === 0) {
        return { status: 'warn', message: 'no workspace is visible to the principal (none configured, so every visible one would be watched)', hint: `Add the service principal to a workspace (Contributor or higher), or set FABRIC_WORKSPACE_ID; check ${PUBLIC_APIS_SETTING}.` };
      }
      const more = all.length > targets.length ? `; checking the first ${targets.length}` : '';
      return { status: 'ok', message: `${all.length} workspace${all.length === 1 ? '' : 's'} visible (none configured: all are watched)${more}` };
    }, (e) => apiFail(e, 'cannot list workspaces')),
  );
  return targets;
}

async function probeWorkspace(config: Config, api: FabricClient, target: Target, clock: Clock, checks: Check[]): Promise<WorkspaceProbe> {
  const { id, label } = target;
  const result: WorkspaceProbe = { id, role: 'unknown' };
  const listed = await probe(`fabric.workspace:${id}`, 'fabric', clock, async () => {
    const models = await api.listModels(id);
    result.models = models;
    const push = models.filter((m) => m.isPushDataset).length;
    return { status: 'ok', message: `workspace ${label}: reachable, ${models.length} model${models.length === 1 ? '' : 's'} listed${push ? ` (${push} push)` : ''}` };
  }, (e) => apiFail(e, `workspace ${label}: cannot list models`, `Add the service principal to workspace ${label} (Viewer lists models; Contributor or higher is needed for getDefinition and push datasets), and check ${PUBLIC_APIS_SETTING}.`));
  checks.push(listed);
  if (!result.models) {
    checks.push(skip(`fabric.role:${id}`, 'fabric', `workspace ${label}: role not checked (the workspace could not be listed)`));
    return result;
  }
  // Never a model the service owns (Usage Metrics Report…): its definition cannot be read.
  const candidate = result.models.find((m) => !m.isPushDataset && !m.name.endsWith(config.push.suffix) && !(config.monitor.skipSystemModels && isSystemModel(m)));
  if (!candidate) {
    checks.push(skip(`fabric.role:${id}`, 'fabric', `workspace ${label}: role not checked: no semantic model to try getDefinition on`, 'Write access is proven once the workspace holds a model.'));
    return result;
  }
  result.candidate = candidate;
  checks.push(
    await probe(`fabric.role:${id}`, 'fabric', clock, async () => {
      await api.getDefinition(id, candidate.id, config.fabric.definitionFormat);
      result.role = 'write';
      return { status: 'ok', message: `workspace ${label}: getDefinition of "${candidate.name}" allowed (Contributor or higher)` };
    }, (e) => roleFail(e, label, candidate, result)),
  );
  return result;
}

function roleFail(e: unknown, label: string, model: ModelListing, result: WorkspaceProbe): Outcome {
  if (!(e instanceof ApiError)) return failOf(e, `workspace ${label}: getDefinition of "${model.name}" failed`);
  const what = `workspace ${label}: getDefinition of "${model.name}" denied (${apiBrief(e, false)})`;
  if (e.status === 401 || e.status === 403) {
    result.role = 'denied';
    const hint = `Give the service principal the Contributor role (or higher) on workspace ${label}: Manage access → Add people or groups.`;
    return { status: 'fail', failure: 'permission', message: `${what}: reading a model's definition needs write permission on the model (Contributor or higher); fabric-sync has no read-only way to read a schema`, hint };
  }
  if (e.status >= 400 && e.status < 500) {
    return { status: 'warn', message: `workspace ${label}: getDefinition of "${model.name}" refused (${apiBrief(e)}); role not proven`, ...(e.hint ? { hint: e.hint } : {}) };
  }
  return apiFail(e, `workspace ${label}: getDefinition of "${model.name}" failed`);
}

/** Push datasets: nothing is created, so say exactly what the probes above prove and what they cannot. */
function pushCheck(config: Config, probes: WorkspaceProbe[], now: number): Check {
  const check = pushPermission(config, probes);
  if (now < PUSH_CREATION_RETIRED || (check.status !== 'ok' && check.status !== 'warn')) return check;
  return {
    ...check,
    status: 'warn',
    message: `${check.message}; note: Microsoft no longer allows creating new push datasets (after 31 Oct 2027), only existing ones can be updated`,
    hint: 'New models get their warehouse metadata but no push twin; set push.enabled to false to stop trying.',
  };
}

function pushPermission(config: Config, probes: WorkspaceProbe[]): Check {
  const base = { id: 'push.permission', area: 'push' as const, durationMs: 0 };
  if (!config.push.enabled) return skip(base.id, base.area, 'push datasets not checked: push.enabled is false');
  if (probes.length === 0) return skip(base.id, base.area, 'push dataset permission not checked: no workspace to check');
  const listed = probes.filter((p) => p.models);
  const write = probes.filter((p) => p.role === 'write');
  if (probes.some((p) => p.role === 'denied') || listed.length < probes.length) {
    return skip(base.id, base.area, 'push dataset permission not checked: workspace access failed above');
  }
  const notCreated = 'creating a push dataset was not tried (validate creates nothing); only a real run proves it';
  if (write.length === probes.length) {
    return { ...base, status: 'ok', message: `listing datasets works and getDefinition proved write access in ${write.length} workspace${write.length === 1 ? '' : 's'}; ${notCreated}` };
  }
  const unproven = probes.filter((p) => p.role !== 'write').map((p) => p.id);
  return {
    ...base,
    status: 'warn',
    message: `listing datasets works, but write access is not proven in ${unproven.length} workspace${unproven.length === 1 ? '' : 's'} (${unproven.slice(0, 3).join(', ')}${unproven.length > 3 ? ', …' : ''}); ${notCreated}`,
    hint: 'Push datasets need the Contributor role (or higher) on the workspace.',
  };
}

async function scannerCheck(config: Config, api: FabricClient, clock: Clock): Promise<Check> {
  const id = 'fabric.scanner';
  if (config.monitor.detection !== 'scanner') return skip(id, 'fabric', 'admin scanner APIs not needed: monitor.detection is listing');
  return probe(id, 'fabric', clock, async () => {
    // modifiedSince must lie between 30 minutes and 30 days ago; one call of the 30-per-hour quota.
    const ids = await api.getModifiedWorkspaces(new Date(clock.now() - 24 * 3_600_000));
    return { status: 'ok', message: `admin scanner APIs answer (workspaces/modified: ${ids.length} modified in the last 24 h; costs 1 of 30 calls per hour)` };
  }, (e) => {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      return {
        status: 'fail',
        failure: 'permission',
        message: `admin scanner APIs refused (${apiBrief(e)})`,
        hint: SCANNER_HINT,
      };
    }
    return apiFail(e, 'admin scanner APIs failed');
  });
}

function apiFail(e: unknown, prefix: string, permissionHint?: string): Outcome {
  if (!(e instanceof ApiError)) return failOf(e, prefix);
  const f = failOf(e);
  const hint = f.failure === 'permission' && permissionHint ? permissionHint : e.hint;
  return { ...f, message: `${prefix} (${apiBrief(e)})`, ...(hint ? { hint } : {}) };
}

/** `HTTP 403 InsufficientPrivileges, request id …`: the facts of an ApiError without the URL. */
function apiBrief(e: ApiError, withText = true): string {
  // Status 0: no HTTP answer at all (refused, DNS, timeout); the message names the host and reason.
  if (e.status === 0) return clip(firstLine(e.message), 240);
  const said = /failed with HTTP \d+[^:]*: (.*?)(?: \(request id [^)]*\))?$/.exec(e.message)?.[1];
  return [`HTTP ${e.status}${e.errorCode ? ` ${e.errorCode}` : ''}`, withText && said ? clip(firstLine(said), 160) : undefined, e.requestId ? `request id ${e.requestId}` : undefined].filter(Boolean).join(', ');
}


function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
