// The push publisher (docs/architecture.md#push-conversion): the model converted to a Push API
// dataset `{Model}{suffix}` in the model's workspace, and the request written to
// `{Model}.{key}_push_api.json`. It always plans — the conversion report and the definition file are
// wanted with --no-push too, and the warehouse rows record the report — and `--no-push` only keeps
// the dataset from being published.
import type { Config } from '../../config/schema.js';
import { ApiError } from '../../errors.js';
import { globToRegExp } from '../../glob.js';
import type { SemanticModel } from '../../schema/model.js';
import { isSkipped, type Applied, type PlanContext, type Publisher, type RunFlags, type Skipped } from '../publisher.js';
import { pushFileKey, writePushDefinition } from './files.js';
import { assertStrict, planPushDataset, type PushPlan } from './plan.js';
import { publishPushDataset, type PublishResult } from './publish.js';
import type { CreateDatasetRequest } from './request.js';

export interface PushSettings {
  suffix: string;
  strict: boolean;
  onIncompatible: 'recreate' | 'fail';
  /** Per-model modes (`push.perModel`): the first entry whose pattern matches the name or id wins. */
  onIncompatibleFor?: ReadonlyArray<{ match: string; onIncompatible: 'recreate' | 'fail' }>;
  retention: 'None' | 'basicFIFO';
  /** Where `{Model}.{key}_push_api.json` goes; null = do not write it. */
  outDir: string | null;
  /** Publish the dataset (false with --no-push or `push.enabled: false`). */
  publish: boolean;
  dryRun: boolean;
}

export interface PushPublisherPlan {
  /** Null when the source already is a push dataset (no conversion, no twin). */
  push: PushPlan | null;
  workspaceId: string | null;
  modelId: string;
  pushBlocked?: string;
  previousRequest?: CreateDatasetRequest;
  onIncompatible: 'recreate' | 'fail';
}

export type PushOutcome = PublishResult & { name: string };

export const pushPublisher: Publisher<PushSettings, PushPublisherPlan, PushOutcome> = {
  name: 'push',

  settings(config: Config, flags: RunFlags): PushSettings {
    return {
      suffix: config.push.suffix,
      strict: config.push.strict,
      onIncompatible: config.push.onIncompatible,
      onIncompatibleFor: config.push.perModel,
      retention: config.push.retention,
      outDir: config.push.outDir,
      publish: !flags.disabled.has('push'),
      dryRun: flags.dryRun,
    };
  },

  enabled: () => true,
  disabled: () => ({ skipped: 'push disabled (--no-push)' }),

  plan(model: SemanticModel, ctx: PlanContext<PushSettings>): PushPublisherPlan {
    const { target, settings } = ctx;
    // A push dataset source is already in push form: no conversion, no twin.
    const push = target.isPushDataset ? null : planPushDataset(model, { suffix: settings.suffix });
    if (push && settings.strict) assertStrict(push);
    return {
      push,
      workspaceId: target.workspaceId,
      modelId: target.modelId,
      ...(target.pushBlocked ? { pushBlocked: target.pushBlocked } : {}),
      ...(target.previousRequest ? { previousRequest: target.previousRequest as CreateDatasetRequest } : {}),
      onIncompatible: push ? onIncompatibleFor(settings, push.report.model, target.modelId) : settings.onIncompatible,
    };
  },

  async apply(plan, session, settings): Promise<Applied<PushOutcome>> {
    const { push } = plan;
    const warnings: string[] = [];
    // The push twin's name only when this model may have one.
    const facts = { report: push?.report ?? null, ...(push && !plan.pushBlocked ? { publishedName: push.request.name } : {}) };
    const outcome = await publish(plan, session.fabric, settings);
    if (isSkipped(outcome) && (push?.empty || plan.pushBlocked)) warnings.push(outcome.skipped);
    if (!isSkipped(outcome) && outcome.replaced) warnings.push(recreatedWarning(outcome.name, outcome.replaced, outcome.datasetId, settings.dryRun));
    // Written after a successful publish: the file is the last published request, which the next run
    // compares relationships with; a failed publish must not make it look published. A plan with no
    // table is no request at all: no file (the warning above says why).
    let definitionFile: string | null = null;
    if (push && !push.empty && settings.outDir && !settings.dryRun) {
      definitionFile = await writePushDefinition(settings.outDir, push, pushFileKey(plan.workspaceId, plan.modelId));
    }
    const twin = isSkipped(outcome)
      ? null
      : { datasetId: outcome.datasetId, name: outcome.name, action: outcome.action, ...(outcome.replaced ? { replacedDatasetId: outcome.replaced.datasetId } : {}) };
    return { outcome, facts: { ...facts, twin, definitionFile }, warnings };
  },

  async deleted({ entry, prune, others }, session, settings) {
    // Never prune a twin another live model records as its own (state written before twins were keyed).
    const shared = others.some((e) => e.id !== entry.id && !e.deleted_at && e.push_dataset_id === entry.push_dataset_id);
    if (!prune || !entry.push_dataset_id || !entry.workspace_id || shared || settings.dryRun || !session.fabric) return;
    await session.fabric.deleteDataset(entry.workspace_id, entry.push_dataset_id).catch((e: unknown) => {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    });
  },

  describe(o, form) {
    if (isSkipped(o)) return 'push skipped';
    const n = o.tablesUpdated.length;
    if (form === 'table') return `push ${o.action}${n ? ` (${o.tablesUpdated.join(', ')})` : ''}`;
    return `push ${o.action}${n ? ` (${n} table${n === 1 ? '' : 's'})` : ''}`;
  },

  planLines: (o) => (isSkipped(o) ? [`push: ${o.skipped}`] : o.requests.map((q) => `${q.method} ${q.path}`)),
};

async function publish(plan: PushPublisherPlan, fabric: Parameters<typeof publishPushDataset>[0] | null, settings: PushSettings): Promise<PushOutcome | Skipped> {
  const { push } = plan;
  if (!push) return { skipped: 'the source is a push dataset; synced without conversion' };
  if (push.empty) return { skipped: `no push dataset and no push definition file: ${push.report.skipReason}; the warehouse still gets the model` };
  if (!settings.publish) return { skipped: 'push disabled (--no-push)' };
  if (plan.pushBlocked) return { skipped: plan.pushBlocked };
  if (!fabric || !plan.workspaceId) return { skipped: `no Fabric workspace for a local source (the push definition file ${settings.dryRun || !settings.outDir ? 'is not written' : 'was written'})` };
  const result = await publishPushDataset(fabric, plan.workspaceId, push, {
    onIncompatible: plan.onIncompatible,
    dryRun: settings.dryRun,
    previous: plan.previousRequest,
    retention: settings.retention,
  });
  return { ...result, name: push.request.name };
}

/** The mode for one model: its `push.perModel` entry when one matches (name or id, `*`/`?`), else the default. */
export function onIncompatibleFor(settings: Pick<PushSettings, 'onIncompatible' | 'onIncompatibleFor'>, name: string, id: string): 'recreate' | 'fail' {
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
