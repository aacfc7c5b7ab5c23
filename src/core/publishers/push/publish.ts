// Publish a push plan into a workspace (docs/architecture.md#push-conversion, issue 4 item 2): find `{Model}{suffix}` by
// name; create it when missing; when it exists, PUT only the tables whose columns or measures
// changed; recreate (DELETE + POST) only when the table set or the relationships changed — or fail
// with `onIncompatible: 'fail'`. Never two datasets of one name: the service allows duplicates, so
// after every create the name is listed again and all but one deterministic winner (earliest
// createdDate, ties by lowest id) are deleted; every racer picks the same winner.
// `dryRun` sends no write: it still reads (list, GET tables) to compute the exact requests.
import { ApiError, ConversionError } from '../../errors.js';
import type { PushPlan } from './plan.js';
import type { CreateDatasetRequest, PushRelationship, PushTable } from './request.js';

/** What the Fabric client (src/core/fabric) provides for publishing. */
export interface PushApi {
  findDatasetsByName(
    workspaceId: string,
    name: string,
  ): Promise<{ id: string; name: string; addRowsAPIEnabled?: boolean; createdDate?: string }[]>;
  createPushDataset(workspaceId: string, body: CreateDatasetRequest, retention?: 'None' | 'basicFIFO'): Promise<{ id: string; name: string }>;
  /** Power BI `Table` objects of `GET …/datasets/{id}/tables`. */
  getPushTables(workspaceId: string, datasetId: string): Promise<unknown[]>;
  putPushTable(workspaceId: string, datasetId: string, tableName: string, table: PushTable): Promise<void>;
  deleteDataset(workspaceId: string, datasetId: string): Promise<void>;
}

export interface PlannedRequest {
  method: 'POST' | 'PUT' | 'DELETE';
  /** Relative to the Power BI API root, e.g. `/v1.0/myorg/groups/{ws}/datasets`. */
  path: string;
  body?: unknown;
}

export interface PublishOptions {
  onIncompatible: 'recreate' | 'fail';
  dryRun?: boolean;
  /** The request last published (the caller keeps it): relationships are compared against it. */
  previous?: CreateDatasetRequest;
  retention?: 'None' | 'basicFIFO';
}

export interface PublishResult {
  action: 'created' | 'updated' | 'recreated' | 'unchanged';
  /** The dataset id; `''` for a dry-run that would create one. */
  datasetId: string;
  tablesUpdated: string[];
  /** Writes sent (or, with dryRun, that would be sent), in order. */
  requests: PlannedRequest[];
  /**
   * With `recreated`: the dataset that was deleted (or, with dryRun, would be) and why. Its id is
   * gone: reports and dashboards bound to it must be rebound to `datasetId`, and its rows are lost.
   */
  replaced?: { datasetId: string; reason: string };
}

type Listed = Awaited<ReturnType<PushApi['findDatasetsByName']>>[number];

export async function publishPushDataset(api: PushApi, workspaceId: string, plan: PushPlan, options: PublishOptions): Promise<PublishResult> {
  if (plan.empty) {
    throw new ConversionError(`'${plan.report.model}': ${plan.report.skipReason ?? 'no table a push dataset can hold'}; nothing to publish.`, {
      hint: 'The conversion report lists why each table was dropped; the warehouse step still runs.',
    });
  }
  const name = plan.request.name;
  const ds = `/v1.0/myorg/groups/${encodeURIComponent(workspaceId)}/datasets`;
  const requests: PlannedRequest[] = [];
  const dry = options.dryRun === true;

  const del = async (id: string): Promise<void> => {
    requests.push({ method: 'DELETE', path: `${ds}/${encodeURIComponent(id)}` });
    if (dry) return;
    try {
      await api.deleteDataset(workspaceId, id);
    } catch (e) {
      // A racer deleted it first: the goal (it is gone) is met.
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
  };
  // After a create (or on entry), keep one winner of the name and delete the others.
  const converge = async (listed: Listed[]): Promise<Listed | undefined> => {
    const same = listed.filter((d) => d.name === name);
    // Never touch a model that is not a push dataset, even if it carries our name.
    const foreign = same.find((d) => d.addRowsAPIEnabled === false);
    if (foreign) {
      throw new ConversionError(`A dataset named '${name}' (${foreign.id}) exists in the workspace and is not a push dataset; it is left alone.`, {
        hint: 'Rename or remove that dataset, or choose another push suffix.',
      });
    }
    const winner = pickWinner(same);
    for (const d of same) if (d !== winner) await del(d.id);
    return winner;
  };
  const create = async (): Promise<string> => {
    const q = options.retention ? `?defaultRetentionPolicy=${options.retention}` : '';
    requests.push({ method: 'POST', path: `${ds}${q}`, body: plan.request });
    if (dry) return '';
    const created = await api.createPushDataset(workspaceId, plan.request, options.retention);
    const winner = await converge(await api.findDatasetsByName(workspaceId, name));
    return winner?.id ?? created.id;
  };

  const existing = await converge(await api.findDatasetsByName(workspaceId, name));
  if (!existing) return { action: 'created', datasetId: await create(), tablesUpdated: [], requests };

  const live = normalizeLiveTables(await api.getPushTables(workspaceId, existing.id));
  const planned = new Map(plan.request.tables.map((t) => [t.name, t]));
  const sameTableSet = live.size === planned.size && [...planned.keys()].every((n) => live.has(n));
  const relsChanged = options.previous !== undefined && relationshipsKey(options.previous.relationships) !== relationshipsKey(plan.request.relationships);
  if (!sameTableSet || relsChanged) {
    const what = !sameTableSet ? 'its table set changed' : 'its relationships changed';
    if (options.onIncompatible === 'fail') {
      throw new ConversionError(`The push dataset '${name}' cannot be updated in place: ${what}.`, {
        hint: 'Recreating it (push.onIncompatible or a push.perModel entry: recreate) gives it a new id: reports bound to it must be rebound and its pushed rows are lost. Or remove it yourself.',
      });
    }
    await del(existing.id);
    return { action: 'recreated', datasetId: await create(), tablesUpdated: [], requests, replaced: { datasetId: existing.id, reason: what } };
  }

  const prevTables = new Map((options.previous?.tables ?? []).map((t) => [t.name, t]));
  const tablesUpdated: string[] = [];
  for (const t of plan.request.tables) {
    const serverDiffers = liveKey(live.get(t.name)) !== plannedKey(t);
    const prev = prevTables.get(t.name);
    const previousDiffers = prev !== undefined && stable(prev) !== stable(t);
    if (!serverDiffers && !previousDiffers) continue;
    requests.push({ method: 'PUT', path: `${ds}/${encodeURIComponent(existing.id)}/tables/${encodeURIComponent(t.name)}`, body: t });
    if (!dry) await api.putPushTable(workspaceId, existing.id, t.name, t);
    tablesUpdated.push(t.name);
  }
  return { action: tablesUpdated.length > 0 ? 'updated' : 'unchanged', datasetId: existing.id, tablesUpdated, requests };
}

/** Earliest createdDate wins, ties (or no date) by lowest id: the same answer for every racer. */
export function pickWinner<T extends { id: string; createdDate?: string }>(list: readonly T[]): T | undefined {
  const time = (d: T): number => {
    const t = d.createdDate ? Date.parse(d.createdDate) : Number.NaN;
    return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
  };
  return [...list].sort((a, b) => time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0];
}

// Comparison keys: columns by name and type, measures by name and expression (what GET tables
// reliably returns); type names compared case-insensitively with the documented `bool` alias.
interface Shape { columns: [string, string][]; measures: [string, string][] }

function normType(t: unknown): string {
  const s = String(t ?? '').toLowerCase();
  return s === 'bool' ? 'boolean' : s;
}
const normExpr = (e: unknown): string => String(e ?? '').replace(/\r\n/g, '\n').trim();

function normalizeLiveTables(raw: unknown[]): Map<string, Shape> {
  const out = new Map<string, Shape>();
  for (const item of raw) {
    if (typeof item !== 'object' || item === null) continue;
    const t = item as { name?: unknown; columns?: unknown; measures?: unknown };
    if (typeof t.name !== 'string') continue;
    const cols = Array.isArray(t.columns) ? (t.columns as { name?: unknown; dataType?: unknown }[]) : [];
    const ms = Array.isArray(t.measures) ? (t.measures as { name?: unknown; expression?: unknown }[]) : [];
    out.set(t.name, {
      columns: cols.map((c) => [String(c.name), normType(c.dataType)]),
      measures: ms.map((m) => [String(m.name), normExpr(m.expression)]),
    });
  }
  return out;
}

function shapeKey(s: Shape): string {
  const sort = (a: [string, string][]): [string, string][] => [...a].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return JSON.stringify({ c: sort(s.columns), m: sort(s.measures) });
}
const liveKey = (s: Shape | undefined): string => (s ? shapeKey(s) : '');
const plannedKey = (t: PushTable): string =>
  shapeKey({
    columns: t.columns.map((c) => [c.name, normType(c.dataType)]),
    measures: (t.measures ?? []).map((m) => [m.name, normExpr(m.expression)]),
  });

function relationshipsKey(rels: readonly PushRelationship[] | undefined): string {
  return JSON.stringify(
    (rels ?? [])
      .map((r) => [r.name, r.fromTable, r.fromColumn, r.toTable, r.toColumn, r.crossFilteringBehavior ?? 'OneDirection'])
      .sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1)),
  );
}

/** JSON with sorted keys, so two equal objects built in different orders compare equal. */
function stable(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : val,
  );
}
