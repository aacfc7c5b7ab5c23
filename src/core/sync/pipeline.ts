// One model end to end (docs/architecture.md#the-flow): SemanticModel → push plan (pure) → {Model}.{key}_push_api.json →
// push dataset in Fabric → warehouse rows. Used by `convert` (all three forms) and by `monitor`.
// The push publisher and the warehouse publisher are independent: either can be off, and the
// warehouse never depends on the push dataset existing (push creation ends on 31 Oct 2027).
import type { Clock, Logger } from '../context.js';
import { pushFileKey, writePushDefinition } from '../push/files.js';
import { assertStrict, planPushDataset, type PushPlan } from '../push/plan.js';
import { publishPushDataset, type PublishResult, type PushApi } from '../push/publish.js';
import { summarizeReport, type ReportSummary } from '../push/report.js';
import type { CreateDatasetRequest } from '../push/request.js';
import { canonicalModel } from '../schema/canonical.js';
import { fingerprint } from '../schema/fingerprint.js';
import type { LoadedModel } from '../schema/model.js';
import { globToRegExp } from './detect.js';
import type { WarehouseSession } from './warehouse-session.js';

export interface PipelineSettings {
  suffix: string;
  strict: boolean;
  onIncompatible: 'recreate' | 'fail';
  /** Per-model modes (`push.perModel`): the first entry whose pattern matches the name or id wins. */
  onIncompatibleFor?: ReadonlyArray<{ match: string; onIncompatible: 'recreate' | 'fail' }>;
  retention: 'None' | 'basicFIFO';
  /** Where `{Model}.{key}_push_api.json` goes; null = do not write it. */
  outDir: string | null;
  push: boolean;
  warehouse: boolean;
  createTables: boolean;
  tablesSchema: string;
  dryRun: boolean;
}

export interface PipelineDeps {
  /** Null for a local source run without Fabric. */
  push: PushApi | null;
  warehouse: WarehouseSession | null;
  clock: Clock;
  logger: Logger;
  runId: string;
  toolVersion: string;
}

export interface ModelTarget {
  /** Stable id: the Fabric item id, or `local:<resolved path>` for a local source. */
  modelId: string;
  workspaceId: string | null;
  /** The source already is a push dataset: synced without conversion. */
  isPushDataset: boolean;
  /** The request last published for this model, when known (relationships are compared with it). */
  previousRequest?: CreateDatasetRequest;
  /** Why this model must not touch its push twin (another model owns a dataset of that name). */
  pushBlocked?: string;
}

export interface PipelineResult {
  modelId: string;
  sourceName: string;
  /** The name users see in the warehouse: the push twin's name when one was planned. */
  publishedName: string;
  fingerprint: string;
  format: string;
  report: ReportSummary | null;
  lossy: boolean;
  definitionFile: string | null;
  push: (PublishResult & { name: string }) | { skipped: string };
  warehouse: { statements: number; rowsChanged: number; sql?: string[] } | { skipped: string };
  warnings: string[];
}

export async function runPipeline(
  loaded: LoadedModel,
  target: ModelTarget,
  deps: PipelineDeps,
  settings: PipelineSettings,
): Promise<PipelineResult> {
  const { model } = loaded;
  const fp = fingerprint(model);
  const warnings = [...loaded.warnings];

  // A push dataset source is already in push form: no conversion, no twin.
  const plan: PushPlan | null = target.isPushDataset ? null : planPushDataset(model, { suffix: settings.suffix });
  if (plan && settings.strict) assertStrict(plan);
  // The push twin's name only when this model may have one.
  const publishedName = plan && !target.pushBlocked ? plan.request.name : model.name;

  const push = await publish(plan, target, deps, settings);
  if ('skipped' in push && (plan?.empty || target.pushBlocked)) warnings.push(push.skipped);
  if ('replaced' in push && push.replaced) warnings.push(recreatedWarning(push.name, push.replaced, push.datasetId, settings.dryRun));

  // Written after a successful publish: the file is the last published request, which the next run
  // compares relationships with; a failed publish must not make it look published. A plan with no
  // table is no request at all: no file (the warning above says why).
  let definitionFile: string | null = null;
  if (plan && !plan.empty && settings.outDir && !settings.dryRun) {
    definitionFile = await writePushDefinition(settings.outDir, plan, pushFileKey(target.workspaceId, target.modelId));
  }

  const warehouse = await writeWarehouse(loaded, plan, target, fp, publishedName, push, deps, settings);

  return {
    modelId: target.modelId,
    sourceName: model.name,
    publishedName,
    fingerprint: fp,
    format: loaded.source.format,
    report: plan ? summarizeReport(plan.report) : null,
    lossy: plan?.report.lossy ?? false,
    definitionFile,
    push,
    warehouse,
    warnings,
  };
}

async function publish(
  plan: PushPlan | null,
  target: ModelTarget,
  deps: PipelineDeps,
  settings: PipelineSettings,
): Promise<PipelineResult['push']> {
  if (!plan) return { skipped: 'the source is a push dataset; synced without conversion' };
  if (plan.empty) return { skipped: `no push dataset and no push definition file: ${plan.report.skipReason}; the warehouse still gets the model` };
  if (!settings.push) return { skipped: 'push disabled (--no-push)' };
  if (target.pushBlocked) return { skipped: target.pushBlocked };
  if (!deps.push || !target.workspaceId) return { skipped: `no Fabric workspace for a local source (the push definition file ${settings.dryRun || !settings.outDir ? 'is not written' : 'was written'})` };
  const result = await publishPushDataset(deps.push, target.workspaceId, plan, {
    onIncompatible: onIncompatibleFor(settings, plan.report.model, target.modelId),
    dryRun: settings.dryRun,
    previous: target.previousRequest,
    retention: settings.retention,
  });
  return { ...result, name: plan.request.name };
}

async function writeWarehouse(
  loaded: LoadedModel,
  plan: PushPlan | null,
  target: ModelTarget,
  fp: string,
  publishedName: string,
  push: PipelineResult['push'],
  deps: PipelineDeps,
  settings: PipelineSettings,
): Promise<PipelineResult['warehouse']> {
  if (!settings.warehouse || !deps.warehouse) return { skipped: 'warehouse disabled (--no-warehouse)' };
  const pushDatasetId = 'datasetId' in push && push.datasetId ? push.datasetId : null;
  const context = {
    modelId: target.modelId,
    publishedName,
    sourceName: loaded.model.name,
    workspaceId: target.workspaceId,
    pushDatasetId,
    sourceFormat: loaded.source.format,
    storageMode: storageModeOf(loaded),
    fingerprint: fp,
    definition: canonicalModel(loaded.model),
    syncedAt: new Date(deps.clock.now()),
    runId: deps.runId,
    toolVersion: deps.toolVersion,
  };
  return deps.warehouse.syncModel(loaded.model, plan?.report ?? null, context, {
    dryRun: settings.dryRun,
    createTables: settings.createTables,
    tablesSchema: settings.tablesSchema,
  });
}

/** The mode for one model: its `push.perModel` entry when one matches (name or id, `*`/`?`), else the default. */
export function onIncompatibleFor(settings: Pick<PipelineSettings, 'onIncompatible' | 'onIncompatibleFor'>, name: string, id: string): 'recreate' | 'fail' {
  for (const rule of settings.onIncompatibleFor ?? []) {
    const re = globToRegExp(rule.match);
    if (re.test(name) || re.test(id)) return rule.onIncompatible;
  }
  return settings.onIncompatible;
}

/** Said wherever a twin is recreated (human output, --json, NDJSON): its id changes (issue 13 item 3). */
function recreatedWarning(name: string, replaced: { datasetId: string; reason: string }, newId: string, dryRun: boolean): string {
  const head = dryRun
    ? `push dataset '${name}' would be deleted and recreated because ${replaced.reason}: it would get a new id (now ${replaced.datasetId})`
    : `push dataset '${name}' was deleted and recreated because ${replaced.reason}: its id changed from ${replaced.datasetId} to ${newId}`;
  return `${head}; reports and dashboards bound to it must be rebound to the new dataset, and rows pushed into it are lost (push.onIncompatible or a push.perModel entry set to fail stops instead)`;
}

/** The model's storage mode: the tables' common mode, `mixed` (composite) when they differ. */
function storageModeOf(loaded: LoadedModel): string {
  const modes = new Set(loaded.model.tables.filter((t) => t.kind === 'data').map((t) => t.storageMode));
  if (modes.size === 0) return loaded.model.defaultMode ?? 'import';
  return modes.size === 1 ? [...modes][0]! : 'mixed';
}
