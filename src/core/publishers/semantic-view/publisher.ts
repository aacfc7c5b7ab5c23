// The semantic-view publisher (docs/semantic-view.md, issue 16): each model as a Snowflake semantic
// view over the Snowflake objects its tables read. It runs before the warehouse publisher: its plan
// traces the lineage and translates the measures, and hands both to the warehouse publisher
// (RunFacts.semantic), which writes them in its one model transaction (_SEMANTIC_LINEAGE, the
// translation columns of _SEMANTIC_MEASURES). Its apply writes `{Model}.{key}_semantic_view.sql`
// beside the push definition and, on Snowflake, runs it. A view that fails (a missing grant) fails
// this publisher's outcome only after the warehouse has written the model's rows.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config/schema.js';
import { AuthError, ConfigError, FabricSyncError, WarehouseError, storageErrorFrom } from '../../errors.js';
import type { SemanticViewPlan } from '../../semantic-view/plan.js';
import { quoteIdentifier } from '../../semantic-view/quote.js';
import { createHash } from 'node:crypto';
import { resolveIdentifier } from '../../warehouse/names.js';
import { outputFileKey, outputFileName } from '../output-files.js';
import { isSkipped, type Applied, type PlanContext, type Publisher, type RunFlags, type SemanticFacts } from '../publisher.js';
import { describeOutcome, factsOf, outcomeOf, type SemanticViewOutcome } from './outcome.js';

export interface SemanticViewSettings {
  enabled: boolean;
  target: RunFlags['target'];
  /** Where the view is created (semanticView.database/schema, else the warehouse's), as Snowflake names them. */
  database: string | null;
  schema: string | null;
  tables: Record<string, string>;
  includeApproximate: boolean;
  /** push.outDir: the file goes beside the push definition. */
  outDir: string | null;
  dryRun: boolean;
}

export interface SemanticViewPublisherPlan {
  plan: SemanticViewPlan;
  /** The model the view is of (a view name is claimed by one model per run; see claimView). */
  model: { id: string; name: string };
  facts: SemanticFacts;
  fileName: string;
}

export const FILE_SUFFIX = '_semantic_view.sql';

/**
 * Short fingerprint of the settings that shape the view (null when the view is off), recorded in the
 * state at each sync: turning the view on, or changing where it goes or what it reads, publishes
 * every model again on the next run, not only the models whose definition changed.
 */
export function semanticViewSettingsKey(settings: SemanticViewSettings): string | null {
  if (!settings.enabled) return null;
  const tables = Object.keys(settings.tables)
    .sort()
    .map((k) => [k, settings.tables[k]]);
  const shape = JSON.stringify(['semanticView', settings.target, settings.database, settings.schema, tables, settings.includeApproximate]);
  return createHash('sha256').update(shape).digest('hex').slice(0, 16);
}

export const semanticViewPublisher: Publisher<SemanticViewSettings, SemanticViewPublisherPlan, SemanticViewOutcome> = {
  name: 'semanticView',

  settings(config: Config, flags: RunFlags): SemanticViewSettings {
    const sv = config.semanticView;
    const database = sv.database ?? config.snowflake.database;
    const schema = sv.schema ?? config.snowflake.schema;
    return {
      enabled: sv.enabled,
      target: flags.target,
      database: database ? resolveIdentifier(database) : null,
      schema: schema ? resolveIdentifier(schema) : null,
      tables: sv.tables,
      includeApproximate: sv.includeApproximate,
      outDir: config.push.outDir,
      dryRun: flags.dryRun,
    };
  },

  enabled: (settings) => settings.enabled,
  disabled: () => ({ skipped: 'semantic view not enabled (--semantic-view or semanticView.enabled)' }),

  async plan(model, ctx: PlanContext<SemanticViewSettings>): Promise<SemanticViewPublisherPlan> {
    const { settings, target } = ctx;
    // The M parser and the planner load only when a view is planned: a run without the view does
    // not pay for loading them.
    const { lineageRows, MParseCache, traceModel } = await import('../../lineage/index.js');
    const { planFromLineage } = await import('../../semantic-view/plan.js');
    const lineage = await traceModel(model, { tables: settings.tables }, new MParseCache());
    const plan = planFromLineage(model, lineage, {
      database: settings.database ?? '',
      schema: settings.schema ?? '',
      tables: settings.tables,
      includeApproximate: settings.includeApproximate,
    });
    const noTarget =
      settings.database === null || settings.schema === null
        ? 'no database or schema for the view: set semanticView.database and semanticView.schema (or snowflake.database and snowflake.schema)'
        : undefined;
    return {
      plan: noTarget ? { ...plan, ddl: undefined, ddlReason: noTarget } : plan,
      model: { id: target.modelId, name: model.name },
      facts: factsOf(plan, lineageRows(lineage, model.name)),
      fileName: outputFileName(model.name, FILE_SUFFIX, outputFileKey(target.workspaceId, target.modelId)),
    };
  },

  async apply(planned, session, settings): Promise<Applied<SemanticViewOutcome>> {
    const { plan } = planned;
    const base = outcomeOf(plan);
    const facts = { semantic: planned.facts };
    const warnings = plan.warnings.map((w) => `semantic view: ${w}`);
    const ddl = plan.ddl;
    if (ddl === undefined) {
      warnings.push(`semantic view ${plan.view.name} not published: ${plan.ddlReason ?? 'nothing to publish'}`);
      return { outcome: { ...base, file: null, executed: false, note: plan.ddlReason ?? 'nothing to publish' }, facts, warnings };
    }
    const taken = claimView(session, plan.viewName, planned.model);
    if (taken) return { outcome: { ...base, file: null, executed: false, note: taken.message }, facts, warnings, error: taken };
    if (settings.dryRun) return { outcome: { ...base, file: null, executed: false, note: 'dry run: nothing written or executed' }, facts, warnings };
    const file = settings.outDir ? await writeViewFile(settings.outDir, planned.fileName, ddl) : null;
    if (settings.target !== 'snowflake' || !session.warehouse || session.warehouse.dialect !== 'snowflake') {
      const note = settings.target === 'duckdb' ? 'DuckDB has no semantic views: the DDL is in the file only' : 'no Snowflake target: the DDL is in the file only';
      return { outcome: { ...base, file, executed: false, note }, facts, warnings };
    }
    try {
      await session.warehouse.withConnection((backend) => backend.execute(ddl));
      return { outcome: { ...base, file, executed: true }, facts, warnings };
    } catch (e) {
      const error = viewError(e, plan, base.grants);
      return { outcome: { ...base, file, executed: false, note: error.message }, facts, warnings, error };
    }
  },

  async deleted({ entry, prune, others }, session, settings) {
    releaseViews(session, entry.id);
    // With monitor.prune, the view of a model deleted in Fabric goes too — unless another live model
    // of the same name publishes to the same view.
    const name = entry.source_name ?? entry.name;
    const shared = others.some((e) => e.id !== entry.id && !e.deleted_at && (e.source_name ?? e.name) === name);
    if (!prune || shared || settings.dryRun || !settings.database || !settings.schema || session.warehouse?.dialect !== 'snowflake') return;
    const { defaultViewName } = await import('../../semantic-view/plan.js');
    const view = [settings.database, settings.schema, defaultViewName(name)].map(quoteIdentifier).join('.');
    await session.warehouse.withConnection((backend) => backend.execute(`DROP SEMANTIC VIEW IF EXISTS ${view}`));
  },

  describe(o, form) {
    if (isSkipped(o)) return form === 'table' ? 'no semantic view' : 'semantic view skipped';
    return describeOutcome(o);
  },

  planLines: (o) => (isSkipped(o) ? [] : o.ddl ? [`semantic view ${o.view}:`, ...o.ddl.split('\n').map((l) => `  ${l}`)] : [`semantic view ${o.view}: ${o.ddlReason ?? o.note ?? 'not published'}`]),
};

/** Writes the DDL atomically (a temporary file renamed over the previous one). */
async function writeViewFile(dir: string, name: string, ddl: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  const tmp = path.join(dir, `.semantic-view-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, `${ddl};\n`, 'utf8');
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw storageErrorFrom(e, 'write the semantic view', file, 'the previous file is unchanged') ?? e;
  }
  return file;
}

/** The failure of CREATE SEMANTIC VIEW, naming the grants it needs; a missing privilege stays an AuthError (exit 3). */
/**
 * The views published in one run (one monitor process), by fully qualified name: the first model to
 * publish a view owns it. The view is named after the model, so two models of one name (in two
 * workspaces, or a local file and a Fabric model) would replace each other's view on every change;
 * the second is failed with both names instead. A model renamed or deleted gives its name back.
 */
const viewOwners = new WeakMap<object, Map<string, { id: string; name: string }>>();

function claimView(session: object, view: string, model: { id: string; name: string }): ConfigError | undefined {
  let owners = viewOwners.get(session);
  if (!owners) viewOwners.set(session, (owners = new Map()));
  const owner = owners.get(view);
  if (owner && owner.id !== model.id) {
    return new ConfigError(`Semantic view ${view} is already published by model "${owner.name}" (${owner.id}) in this run: model "${model.name}" (${model.id}) would replace it, so its view was not published.`, [], {
      hint: 'A view is named after its model: rename one of the models (convert --dataset-name for a one-off), or publish one of them with its own configuration file and another semanticView.schema.',
    });
  }
  releaseViews(session, model.id);
  owners.set(view, model);
  return undefined;
}

function releaseViews(session: object, modelId: string): void {
  const owners = viewOwners.get(session);
  for (const [view, owner] of owners ?? []) if (owner.id === modelId) owners!.delete(view);
}

function viewError(e: unknown, plan: SemanticViewPlan, grants: string[]): FabricSyncError {
  const text = e instanceof Error ? e.message : String(e);
  const message = `Could not create semantic view ${plan.viewName}: ${text}`;
  const hint = `The model's warehouse rows were written. The role needs ${grants.join(', ')}; then re-run.`;
  if (e instanceof AuthError) return new AuthError(message, { hint, cause: e });
  const details = e instanceof WarehouseError ? { ...(e.code ? { code: e.code } : {}), ...(e.sqlState ? { sqlState: e.sqlState } : {}) } : {};
  return new WarehouseError(message, details, { hint, cause: e });
}
