// The warehouse publisher (docs/architecture.md#warehouse): the model's metadata as rows of the
// _SEMANTIC_* tables in Snowflake or the embedded DuckDB file, in one transaction per model, and with
// `--create-tables` one empty physical table per model table. It never depends on the push dataset
// existing (push creation ends on 31 Oct 2027): the twin's id is recorded when there is one.
import type { Config } from '../../config/schema.js';
import { canonicalModel } from '../../schema/canonical.js';
import type { LoadedModel, SemanticModel } from '../../schema/model.js';
import type { WarehousePool } from '../../warehouse/pool.js';
import { isSkipped, type PlanContext, type Publisher, type RunFlags } from '../publisher.js';
import type { ConversionReport } from '../report.js';
import { physicalTablesStep } from './physical-tables.js';
import type { SyncContext } from './plan.js';
import { WarehouseSession, type ModelWriteOptions, type ModelWriteResult } from './session.js';

export interface WarehouseSettings extends ModelWriteOptions {
  target: 'snowflake' | 'duckdb' | 'none';
  enabled: boolean;
}

export interface WarehousePublisherPlan {
  model: SemanticModel;
  report: ConversionReport | null;
  context: SyncContext;
}

/** The writer of each run's pool: the schema check and the physical schemas are once per run. */
const sessions = new WeakMap<WarehousePool, WarehouseSession>();

function sessionOf(pool: WarehousePool): WarehouseSession {
  let session = sessions.get(pool);
  if (!session) {
    session = new WarehouseSession({ pool, physicalTables: physicalTablesStep(pool.dialect, pool.namespace) });
    sessions.set(pool, session);
  }
  return session;
}

export const warehousePublisher: Publisher<WarehouseSettings, WarehousePublisherPlan, ModelWriteResult> = {
  name: 'warehouse',

  settings(config: Config, flags: RunFlags): WarehouseSettings {
    return {
      target: flags.target,
      enabled: flags.target !== 'none' && !flags.disabled.has('warehouse'),
      dryRun: flags.dryRun,
      createTables: config.warehouse.createTables,
      tablesSchema: config.warehouse.tablesSchema,
    };
  },

  enabled: (settings) => settings.enabled,
  disabled: () => ({ skipped: 'warehouse disabled (--no-warehouse)' }),

  plan(model, ctx: PlanContext<WarehouseSettings>): WarehousePublisherPlan {
    const { target, facts } = ctx;
    return {
      model,
      report: facts.report,
      context: {
        modelId: target.modelId,
        publishedName: facts.publishedName,
        sourceName: model.name,
        workspaceId: target.workspaceId,
        pushDatasetId: facts.twin?.datasetId || null,
        sourceFormat: ctx.loaded.source.format,
        storageMode: storageModeOf(ctx.loaded),
        fingerprint: ctx.fingerprint,
        definition: canonicalModel(model),
        syncedAt: ctx.now,
        runId: ctx.runId,
        toolVersion: ctx.toolVersion,
        semantic: facts.semantic ?? null,
      },
    };
  },

  async apply(plan, session, settings) {
    if (!session.warehouse) return { outcome: { skipped: 'warehouse disabled (--no-warehouse)' } };
    const outcome = await sessionOf(session.warehouse).syncModel(plan.model, plan.report, plan.context, settings);
    return { outcome };
  },

  async deleted({ entry, at }, session, settings) {
    if (!session.warehouse || settings.dryRun) return;
    await sessionOf(session.warehouse).markDeleted(entry.id, at);
  },

  describe(o, form) {
    if (isSkipped(o)) return form === 'table' ? 'no warehouse' : 'warehouse skipped';
    if (form === 'table') return o.sql ? `${o.sql.length} statements planned` : `${o.statements} statements`;
    return `warehouse ${o.statements} statements`;
  },

  planLines: (o) => (!isSkipped(o) && o.sql ? o.sql.map((s) => `  ${s.length > 160 ? `${s.slice(0, 157)}…` : s}`) : []),
};

/** The model's storage mode: the tables' common mode, `mixed` (composite) when they differ. */
function storageModeOf(loaded: LoadedModel): string {
  const modes = new Set(loaded.model.tables.filter((t) => t.kind === 'data').map((t) => t.storageMode));
  if (modes.size === 0) return loaded.model.defaultMode ?? 'import';
  return modes.size === 1 ? [...modes][0]! : 'mixed';
}
