import { z } from 'zod';
import { invalidOptions } from './option-errors.js';
import { defined, type Bind, type Command } from './context.js';
import { runLocations } from './locations.js';
import { needsResolving } from '../core/names/fabric-names.js';
import { renderConvert } from './render-convert.js';
import { reportFormatOf, writeConversionReport } from './report-file.js';

const Options = z
  .object({
    datasetId: z.string().min(1).optional(),
    datasetName: z.string().min(1).optional(),
    workspace: z.array(z.string().min(1)).optional(),
    auto: z.boolean().optional(),
    source: z.string().min(1).optional(),
    dryRun: z.boolean().optional(),
    out: z.string().min(1).optional(),
    push: z.boolean(),
    semanticView: z.boolean().optional(),
    warehouse: z.boolean(),
    target: z.enum(['snowflake', 'duckdb']).optional(),
    strict: z.boolean().optional(),
    onIncompatible: z.enum(['recreate', 'fail']).optional(),
    createTables: z.boolean().optional(),
    concurrency: z.coerce.number().int().min(1).max(32).optional(),
    report: z.string().min(1).optional(),
  })
  .refine((o) => [o.datasetId, o.auto, o.source].filter(Boolean).length === 1, {
    message: 'give exactly one of --dataset-id <id>, --auto or --source <path>',
  });

export function registerConvert(program: Command, bind: Bind): void {
  program
    .command('convert')
    .description('convert models to Push API datasets ({Model}_PushSync) and write their metadata to the warehouse')
    .option('--dataset-id <id|name>', 'one Fabric semantic model: its id, its name, or Workspace/Model as `fab` writes it')
    .option('--dataset-name <name>', 'name to publish under (default: the model name)')
    .option('--workspace <id|name...>', 'workspace id(s) or name(s) (default: FABRIC_WORKSPACE_ID)')
    .option('--auto', 'every model that has no up-to-date push/warehouse copy')
    .option('--source <path>', 'a local model.bim, PBIP *.SemanticModel or TMDL folder instead of Fabric')
    .option('--dry-run', 'print the plan (requests, SQL, dropped objects); send and write nothing')
    .option('--out <dir>', 'where the {Model}.{key}_push_api.json files go (default ./push-definitions)')
    .option('--no-push', 'skip the push dataset')
    .option('--no-warehouse', 'skip the warehouse step')
    .option('--target <target>', 'warehouse: snowflake | duckdb (default: snowflake when SNOWFLAKE_ACCOUNT is set)')
    .option('--strict', 'fail a model when the conversion drops or changes anything')
    .option('--on-incompatible <mode>', 'recreate | fail, when relationships or the table set changed (default recreate)')
    .option('--semantic-view', 'also publish each model as a Snowflake semantic view (semanticView.enabled)')
    .option('--create-tables', 'also create physical tables mirroring each model table (additive only)')
    .option('--concurrency <n>', 'models processed at once with --auto (default 4)')
    .option('--report <file>', 'also write a conversion report: every changed or dropped object and why (.md or .html)')
    .addHelpText(
      'after',
      `
Examples:
  $ fabric-sync convert --source ./Sales.SemanticModel                 # local model → push JSON + DuckDB file
  $ fabric-sync convert --source ./model.bim --dry-run                 # print the plan only
  $ fabric-sync convert --dataset-id 6f1c…e2 --workspace 1a2b…9f        # one Fabric model
  $ fabric-sync convert --dataset-id "Finance/Sales Analytics"         # the same, by name (fab path)
  $ fabric-sync convert --auto --json                                  # every model lacking an up-to-date copy
  $ fabric-sync convert --auto --no-push --target snowflake            # metadata only
  $ fabric-sync convert --source ./model.bim --report conversion.html  # a readable report of what was dropped`,
    )
    .action(
      bind(async (ctx, rawOptions) => {
        const parsed = Options.safeParse(rawOptions);
        if (!parsed.success) throw invalidOptions(parsed.error, 'convert');
        const o = parsed.data;
        // Names and `fab` paths become ids first (the configuration holds ids only).
        if (needsResolving({ workspaces: o.workspace, datasetId: o.datasetId })) {
          const { config: base } = await ctx.config({});
          const { resolveFabricRefs } = await import('./resolve-names.js');
          const ids = await resolveFabricRefs(ctx, base, { workspaces: o.workspace, datasetId: o.datasetId });
          if (ids.workspaces) o.workspace = ids.workspaces;
          if (ids.datasetId) o.datasetId = ids.datasetId;
        }
        const { config } = await ctx.config({
          fabric: defined({ workspaces: o.workspace }),
          push: defined({ outDir: o.out, strict: o.strict, onIncompatible: o.onIncompatible }),
          warehouse: defined({ target: o.target, createTables: o.createTables }),
          semanticView: defined({ enabled: o.semanticView ? true : undefined }),
          monitor: defined({ concurrency: o.concurrency }),
        });
        if (o.report) reportFormatOf(o.report);
        const { executeConvert } = await import('./convert-run.js');
        const summary = await executeConvert(ctx, config, {
          request: o.source
            ? { mode: 'source', source: o.source, datasetName: o.datasetName, workspaceId: o.workspace?.[0] }
            : o.datasetId
              ? { mode: 'dataset', datasetId: o.datasetId, datasetName: o.datasetName }
              : { mode: 'auto', concurrency: config.monitor.concurrency, include: config.monitor.include, exclude: config.monitor.exclude, skipSystemModels: config.monitor.skipSystemModels },
          push: o.push && config.push.enabled,
          warehouse: o.warehouse,
          dryRun: Boolean(o.dryRun),
        });
        const locations = runLocations(config, { warehouse: o.warehouse });
        const reportFile = o.report ? await writeConversionReport(o.report, summary.models, { generatedAt: new Date().toISOString(), version: ctx.version, dryRun: Boolean(o.dryRun) }) : undefined;
        return renderConvert(ctx, summary, Boolean(o.dryRun), { locations, ...(reportFile ? { reportFile } : {}) });
      }),
    );
}
