// Fabric surface (/v1/...): workspaces, semantic model listings with continuation paging,
// getDefinition (200 at once or 202 + LRO), `/operations/{id}` and `/operations/{id}/result`
// (docs/fabric-rest.md: listing models, reading a definition, long-running operations).
import { Buffer } from 'node:buffer';
import type { Route, RouteContext } from './router.js';
import { EmulatorHttpError, fabricPage, iso, type ModelRec, type PushRec, type Request } from './state.js';

function item(x: ModelRec | PushRec): Record<string, unknown> {
  return { id: x.id, displayName: x.name, description: '', type: 'SemanticModel', workspaceId: x.workspaceId };
}

function listItems(req: Request, ctx: RouteContext): { status: number; body: unknown } {
  const ws = ctx.state.workspaceFor(req.params.workspaceId!, req.token);
  const type = req.query.get('type');
  // Push datasets are semantic models too, so they are listed (docs/fabric-rest.md#open-questions: unconfirmed).
  const all = type && type !== 'SemanticModel' ? [] : ctx.state.itemsOf(ws.id).map(item);
  return { status: 200, body: fabricPage(all, req, ctx.url, ctx.pageSize) };
}

function definitionOf(x: ModelRec): unknown {
  // The service converts between TMSL and TMDL; the emulator cannot, so it serves the source format
  // and says which in `definition.format` (a TMDL model asked for TMSL answers TMDL parts).
  return {
    definition: {
      format: x.format,
      parts: x.parts.map((p) => ({ path: p.path, payload: Buffer.from(p.text, 'utf8').toString('base64'), payloadType: 'InlineBase64' })),
    },
  };
}

function getDefinition(req: Request, ctx: RouteContext) {
  const ws = ctx.state.workspaceFor(req.params.workspaceId!, req.token);
  // getDefinition needs read and write permission on the model (docs/fabric-rest.md#authentication-and-tenant-settings): Viewers are denied.
  ctx.state.requireWrite(ws, req.token);
  const id = (req.params.semanticModelId ?? req.params.itemId)!.toLowerCase();
  const format = req.query.get('format');
  if (format !== null && format !== 'TMSL' && format !== 'TMDL') {
    throw new EmulatorHttpError(400, 'InvalidDefinitionFormat', `The format '${format}' is not supported; use TMDL or TMSL (case sensitive)`);
  }
  const push = ctx.state.pushes.get(id);
  if (push && push.workspaceId === ws.id) {
    throw new EmulatorHttpError(400, 'OperationNotSupportedForItem', 'Operation not supported for requested item');
  }
  const model = ctx.state.models.get(id);
  if (!model || model.workspaceId !== ws.id) throw new EmulatorHttpError(404, 'ItemNotFound', `The requested item ${id} was not found`);
  const failing = ctx.takeLroFailure(req);
  if (ctx.lroPolls === 0 && !failing) return { status: 200, body: definitionOf(model) };
  const now = ctx.state.now();
  const op = {
    id: ctx.state.newId(), token: req.token, createdAt: now, lastUpdatedAt: now, pollsTotal: ctx.lroPolls, polls: 0,
    result: definitionOf(model),
    ...(failing ? { error: { errorCode: 'OperationNotSupportedForItem', message: 'Retrieving the semantic model definition failed' } } : {}),
  };
  ctx.state.operations.set(op.id, op);
  return {
    status: 202,
    headers: { Location: `${ctx.url}/v1/operations/${op.id}`, 'x-ms-operation-id': op.id, 'Retry-After': String(ctx.lroRetryAfter) },
  };
}

function operationFor(req: Request, ctx: RouteContext) {
  const op = ctx.state.operations.get(req.params.operationId!.toLowerCase());
  if (!op || (op.token !== undefined && op.token !== req.token)) {
    throw new EmulatorHttpError(404, 'OperationNotFound', `The operation ${req.params.operationId} was not found`);
  }
  return op;
}

function finished(op: { polls: number; pollsTotal: number }): boolean {
  return op.polls > op.pollsTotal;
}

export const fabricRoutes: Route[] = [
  {
    method: 'GET', surface: 'fabric', template: '/v1/workspaces',
    handler(req, ctx) {
      const all = [...ctx.state.workspaces.values()].filter((w) => ctx.state.canSee(w, req.token))
        .map((w) => ({ id: w.id, displayName: w.name, description: '', type: 'Workspace' }));
      return { status: 200, body: fabricPage(all, req, ctx.url, ctx.pageSize) };
    },
  },
  {
    method: 'GET', surface: 'fabric', template: '/v1/workspaces/{workspaceId}',
    handler(req, ctx) {
      const w = ctx.state.workspaceFor(req.params.workspaceId!, req.token);
      return { status: 200, body: { id: w.id, displayName: w.name, description: '', type: 'Workspace' } };
    },
  },
  { method: 'GET', surface: 'fabric', template: '/v1/workspaces/{workspaceId}/semanticModels', handler: listItems },
  { method: 'GET', surface: 'fabric', template: '/v1/workspaces/{workspaceId}/items', handler: listItems },
  {
    method: 'GET', surface: 'fabric', template: '/v1/workspaces/{workspaceId}/semanticModels/{semanticModelId}',
    handler(req, ctx) {
      const ws = ctx.state.workspaceFor(req.params.workspaceId!, req.token);
      const id = req.params.semanticModelId!.toLowerCase();
      const x = ctx.state.models.get(id) ?? ctx.state.pushes.get(id);
      if (!x || x.workspaceId !== ws.id) throw new EmulatorHttpError(404, 'ItemNotFound', `The requested item ${id} was not found`);
      return { status: 200, body: item(x) };
    },
  },
  { method: 'POST', surface: 'fabric', template: '/v1/workspaces/{workspaceId}/semanticModels/{semanticModelId}/getDefinition', handler: getDefinition },
  { method: 'POST', surface: 'fabric', template: '/v1/workspaces/{workspaceId}/items/{itemId}/getDefinition', handler: getDefinition },
  {
    method: 'GET', surface: 'fabric', template: '/v1/operations/{operationId}',
    handler(req, ctx) {
      const op = operationFor(req, ctx);
      op.polls += 1;
      op.lastUpdatedAt = ctx.state.now();
      const done = finished(op);
      const status = !done ? 'Running' : op.error ? 'Failed' : 'Succeeded';
      const headers: Record<string, string> = { 'x-ms-operation-id': op.id };
      if (!done) {
        headers.Location = `${ctx.url}/v1/operations/${op.id}`;
        headers['Retry-After'] = String(ctx.lroRetryAfter);
      } else if (!op.error) {
        headers.Location = `${ctx.url}/v1/operations/${op.id}/result`;
      }
      const body: Record<string, unknown> = {
        status, createdTimeUtc: iso(op.createdAt), lastUpdatedTimeUtc: iso(op.lastUpdatedAt),
        percentComplete: done ? 100 : Math.floor((100 * op.polls) / (op.pollsTotal + 1)),
      };
      if (done && op.error) body.error = { ...op.error, requestId: req.requestId };
      return { status: 200, headers, body };
    },
  },
  {
    method: 'GET', surface: 'fabric', template: '/v1/operations/{operationId}/result',
    handler(req, ctx) {
      const op = operationFor(req, ctx);
      if (!finished(op)) throw new EmulatorHttpError(400, 'OperationNotCompleted', 'The operation has not completed yet');
      if (op.error) throw new EmulatorHttpError(400, 'OperationFailed', 'The operation failed and has no result');
      return { status: 200, body: op.result };
    },
  },
];
