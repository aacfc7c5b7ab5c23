// Power BI admin scanner (docs/fabric-rest.md#detecting-changes): workspaces/modified (30/h), getInfo (500/h),
// scanStatus (10,000/h), scanResult (500/h). Over quota → 429 + Retry-After with the body the
// service sends for hourly quotas (RuiRomano/pbimonitor#58).
import type { Route, RouteContext } from './router.js';
import { scanTables } from './models.js';
import { EmulatorHttpError, iso, type Request } from './state.js';

const A = '/v1.0/myorg/admin/workspaces';
const HOUR = 3_600_000;
const DAY = 86_400_000;

function enforce(req: Request, ctx: RouteContext, api: string, limit: number): void {
  // Admin APIs need a Fabric administrator or an allowed service principal (docs/fabric-rest.md#authentication-and-tenant-settings).
  if (ctx.adminTokens && !ctx.adminTokens.includes(req.token ?? '')) {
    throw new EmulatorHttpError(401, 'PowerBINotAuthorizedException', 'The caller is not a Fabric administrator and may not call admin APIs');
  }
  const wait = ctx.state.quota(`${api}:${req.token ?? ''}`, limit, HOUR);
  if (wait) {
    throw new EmulatorHttpError(429, 'TooManyRequests', '', { 'Retry-After': String(wait) }, {
      message: `You have exceeded the amount of requests allowed in the current time frame and further requests will fail. Retry in ${wait} seconds.`,
    });
  }
}

function flag(req: Request, name: string): boolean {
  return req.query.get(name)?.toLowerCase() === 'true';
}

function scanFor(req: Request, ctx: RouteContext) {
  const scan = ctx.state.scans.get(req.params.scanId!.toLowerCase());
  if (!scan) throw new EmulatorHttpError(404, 'ScanNotFound', `Scan ${req.params.scanId} was not found`);
  return scan;
}

/** Last change of a workspace: its own edits, and models added, edited or removed in it. */
function lastModified(ctx: RouteContext, wsId: string, wsModified: number): number {
  return Math.max(wsModified, ...ctx.state.itemsOf(wsId).map((x) => ('modifiedAt' in x ? x.modifiedAt : x.createdAt)));
}

export const adminRoutes: Route[] = [
  {
    method: 'GET', surface: 'powerbi', template: `${A}/modified`, // WorkspaceInfo_GetModifiedWorkspaces
    handler(req, ctx) {
      enforce(req, ctx, 'modified', 30);
      const raw = req.query.get('modifiedSince');
      let since = 0;
      if (raw !== null) {
        since = Date.parse(raw);
        if (Number.isNaN(since)) throw new EmulatorHttpError(400, 'InvalidRequest', 'modifiedSince must be an ISO 8601 UTC date-time');
        if (since < ctx.state.now() - 30 * DAY) throw new EmulatorHttpError(400, 'InvalidRequest', 'modifiedSince must be within the last 30 days');
        // "in the range of 30 minutes (to allow workspace changes to take effect) to 30 days before
        // the current time" (WorkspaceInfo GetModifiedWorkspaces).
        if (since > ctx.state.now() - 30 * 60_000) throw new EmulatorHttpError(400, 'InvalidRequest', 'modifiedSince must be at least 30 minutes before the current time');
      }
      // A change "takes effect" (is reported) only `modifiedLagMs` after it happened.
      const visible = ctx.state.now() - (ctx.modifiedLagMs ?? 0);
      const body = [...ctx.state.workspaces.values()]
        .filter((w) => {
          const t = lastModified(ctx, w.id, w.modifiedAt);
          return t > since && t <= visible;
        })
        .map((w) => ({ id: w.id }));
      return { status: 200, body };
    },
  },
  {
    method: 'POST', surface: 'powerbi', template: `${A}/getInfo`, // WorkspaceInfo_PostWorkspaceInfo
    handler(req, ctx) {
      enforce(req, ctx, 'getInfo', 500);
      const ids = (req.body as { workspaces?: unknown } | undefined)?.workspaces;
      if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100 || ids.some((x) => typeof x !== 'string')) {
        throw new EmulatorHttpError(400, 'InvalidRequest', 'workspaces must list 1 to 100 workspace ids');
      }
      const now = ctx.state.now();
      const scan = {
        id: ctx.state.newId(), createdAt: now, workspaces: (ids as string[]).map((x) => x.toLowerCase()),
        schema: flag(req, 'datasetSchema'), expressions: flag(req, 'datasetExpressions'), polls: 0,
      };
      ctx.state.scans.set(scan.id, scan);
      return {
        status: 202,
        headers: { Location: `${ctx.url}${A}/scanStatus/${scan.id}` },
        body: { id: scan.id, createdDateTime: iso(now), status: 'NotStarted' },
      };
    },
  },
  {
    method: 'GET', surface: 'powerbi', template: `${A}/scanStatus/{scanId}`, // WorkspaceInfo_GetScanStatus
    handler(req, ctx) {
      enforce(req, ctx, 'scanStatus', 10_000);
      const scan = scanFor(req, ctx);
      scan.polls += 1;
      return { status: 200, body: { id: scan.id, createdDateTime: iso(scan.createdAt), status: scan.polls >= 2 ? 'Succeeded' : 'Running' } };
    },
  },
  {
    method: 'GET', surface: 'powerbi', template: `${A}/scanResult/{scanId}`, // WorkspaceInfo_GetScanResult
    handler(req, ctx) {
      enforce(req, ctx, 'scanResult', 500);
      const scan = scanFor(req, ctx);
      if (scan.polls < 2) throw new EmulatorHttpError(400, 'ScanNotCompleted', 'The scan has not succeeded yet');
      if (ctx.state.now() - scan.createdAt > DAY) throw new EmulatorHttpError(404, 'ScanNotFound', 'Scan results are kept for 24 hours');
      const workspaces = scan.workspaces.flatMap((id) => {
        const ws = ctx.state.workspaces.get(id);
        if (!ws) return [];
        const datasets = ctx.state.itemsOf(ws.id).map((x) => {
          const tables = 'parts' in x ? scanTables(x.format, x.parts) : x.tables.map((t) => ({ ...t, isHidden: Boolean(t.isHidden) }));
          const out: Record<string, unknown> = { id: x.id, name: x.name, configuredBy: 'owner@contoso.com', createdDate: iso(x.createdAt), targetStorageMode: 'Abf' };
          if (scan.schema) {
            out.tables = tables.map((t) => ({
              ...t,
              measures: (t.measures ?? []).map((m: { name: string; expression?: string; isHidden?: boolean }) =>
                (scan.expressions ? m : { name: m.name, isHidden: Boolean(m.isHidden) })),
            }));
          }
          return out;
        });
        return [{ id: ws.id, name: ws.name, type: 'Workspace', state: 'Active', isOnDedicatedCapacity: true, datasets }];
      });
      return { status: 200, body: { workspaces, datasourceInstances: [], misconfiguredDatasourceInstances: [] } };
    },
  },
];
