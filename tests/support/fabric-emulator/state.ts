// In-memory state of the emulator and the small pieces every route shares (errors, paging, quotas).
import { randomUUID } from 'node:crypto';
import type { ModelPart } from './models.js';

export type SurfaceName = 'fabric' | 'powerbi';

export interface WorkspaceRec { id: string; name: string; members?: string[]; viewers?: string[]; createdAt: number; modifiedAt: number; }
export interface ModelRec { id: string; name: string; workspaceId: string; format: 'TMSL' | 'TMDL'; parts: ModelPart[]; createdAt: number; modifiedAt: number; }
export interface PushRec { id: string; name: string; workspaceId: string; tables: any[]; relationships: any[]; createdAt: number; retention: string; }
export interface OperationRec {
  id: string; token?: string; createdAt: number; lastUpdatedAt: number; pollsTotal: number; polls: number;
  result: unknown; error?: { errorCode: string; message: string };
}
export interface ScanRec { id: string; createdAt: number; workspaces: string[]; schema: boolean; expressions: boolean; polls: number; }

/** An error answer; rendered as a Fabric ErrorResponse or a Power BI `{"error":{…}}` by surface. */
export class EmulatorHttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}, readonly body?: unknown) {
    super(message);
  }
}

export interface Request {
  method: string; path: string; query: URLSearchParams; body: unknown; rawBody: string;
  token?: string; params: Record<string, string>; requestId: string;
}
export interface Response { status: number; body?: unknown; headers?: Record<string, string>; }

export class EmulatorState {
  workspaces = new Map<string, WorkspaceRec>();
  models = new Map<string, ModelRec>();
  pushes = new Map<string, PushRec>();
  operations = new Map<string, OperationRec>();
  scans = new Map<string, ScanRec>();
  /** Sliding-window call times per quota key (admin hourly quotas, executeQueries per minute). */
  private quotaCalls = new Map<string, number[]>();

  constructor(readonly now: () => number) {}

  newId(): string { return randomUUID(); }

  /** Records a call; returns 0 when allowed, else the seconds until the window admits one more. */
  quota(key: string, limit: number, windowMs: number): number {
    const t = this.now();
    const calls = (this.quotaCalls.get(key) ?? []).filter((c) => c > t - windowMs);
    this.quotaCalls.set(key, calls);
    if (calls.length >= limit) return Math.max(1, Math.ceil((calls[0]! + windowMs - t) / 1000));
    calls.push(t);
    return 0;
  }

  touchWorkspace(id: string): void {
    const ws = this.workspaces.get(id);
    if (ws) ws.modifiedAt = this.now();
  }

  /** Caller may see the workspace: members omitted = everyone. */
  canSee(ws: WorkspaceRec, token: string | undefined): boolean {
    return !ws.members || (token !== undefined && (ws.members.includes(token) || !!ws.viewers?.includes(token)));
  }

  /** The workspace for a request, or 404 / 403 as the services answer. */
  workspaceFor(id: string, token: string | undefined): WorkspaceRec {
    const ws = this.workspaces.get(id.toLowerCase());
    if (!ws) throw new EmulatorHttpError(404, 'WorkspaceNotFound', `The requested workspace ${id} was not found`);
    if (!this.canSee(ws, token)) {
      throw new EmulatorHttpError(403, 'InsufficientPrivileges', 'The caller does not have sufficient permissions to perform this operation on the workspace');
    }
    return ws;
  }

  /** Viewers may list and query but not read definitions or create push datasets (Contributor+). */
  requireWrite(ws: WorkspaceRec, token: string | undefined): void {
    if (token !== undefined && ws.viewers?.includes(token)) {
      throw new EmulatorHttpError(403, 'InsufficientPrivileges', 'The caller has the Viewer role; this operation needs Contributor or higher');
    }
  }

  /** Models and push datasets of a workspace, oldest first (stable paging order). */
  itemsOf(workspaceId: string): Array<ModelRec | PushRec> {
    return [...this.models.values(), ...this.pushes.values()]
      .filter((x) => x.workspaceId === workspaceId)
      .sort((a, b) => a.createdAt - b.createdAt); // stable: ties keep insertion order
  }
}

export function isPush(x: ModelRec | PushRec): x is PushRec {
  return 'tables' in x;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Opaque continuation token (base64 of the next offset), as Fabric's are opaque strings. */
export function encodeToken(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function decodeToken(token: string): number {
  const m = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw new EmulatorHttpError(400, 'InvalidContinuationToken', 'The continuation token is not valid');
  return Number(m[1]);
}

/**
 * One Fabric page: `continuationToken` and `continuationUri` are present only when more pages follow
 * (common/definitions.json PaginatedResponse: "If there are no more records, it's removed").
 */
export function fabricPage<T>(all: T[], req: Request, baseUrl: string, pageSize: number): { value: T[]; continuationToken?: string; continuationUri?: string } {
  const token = req.query.get('continuationToken');
  const offset = token ? decodeToken(token) : 0;
  const value = all.slice(offset, offset + pageSize);
  if (offset + pageSize >= all.length) return { value };
  const next = encodeToken(offset + pageSize);
  const q = new URLSearchParams(req.query);
  q.set('continuationToken', next);
  return { value, continuationToken: next, continuationUri: `${baseUrl}${req.path}?${q.toString()}` };
}
