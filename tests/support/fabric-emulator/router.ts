// Route table plumbing: each route names its surface and its path template, which is also the key of
// its API contract (tests/support/contracts/operations.ts), so each answer is checked against exactly
// that operation.
import type { EmulatorState, Request, Response, SurfaceName } from './state.js';

export interface RouteContext {
  state: EmulatorState;
  url: string;
  pageSize: number;
  lroPolls: number;
  lroRetryAfter: number;
  /** True once when a `lroFailed` fault matches this request. */
  takeLroFailure(req: Request): boolean;
  describeModel?: (parts: { path: string; text: string }[]) => unknown;
  /** Tokens allowed on the admin scanner APIs; all when undefined. */
  adminTokens?: string[];
  /** How long a workspace change takes to appear in `admin/workspaces/modified` (default 0). */
  modifiedLagMs?: number;
}

export interface Route {
  method: string;
  surface: SurfaceName;
  /** Path template (Fabric with its `/v1` base path, which the official spec leaves out). */
  template: string;
  /** Counted in `stats.writes` when it succeeds (push create / PUT table / DELETE). */
  write?: boolean;
  handler(req: Request, ctx: RouteContext): Response;
}

export interface CompiledRoute extends Route { re: RegExp; keys: string[]; }

export function compile(routes: Route[]): CompiledRoute[] {
  return routes.map((r) => {
    const keys: string[] = [];
    const source = r.template.replace(/[.$]/g, (c) => `\\${c}`).replace(/\{(\w+)\}/g, (_m, k: string) => { keys.push(k); return '([^/]+)'; });
    return { ...r, re: new RegExp(`^${source}$`, 'i'), keys };
  });
}

export function match(routes: CompiledRoute[], method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.re.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1]!); });
    return { route, params };
  }
  return undefined;
}
