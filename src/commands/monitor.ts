import { z } from 'zod';
import { invalidOptions } from './option-errors.js';
import { defined, type Bind, type Command } from './context.js';
import { needsResolving } from '../core/names/fabric-names.js';

const Options = z.object({
  interval: z.coerce.number().positive('must be a positive number of seconds').optional(),
  once: z.boolean().optional(),
  maxCycles: z.coerce.number().int().positive().optional(),
  concurrency: z.coerce.number().int().min(1).max(32).optional(),
  workspace: z.array(z.string().min(1)).optional(),
  prune: z.boolean().optional(),
  push: z.boolean(),
  semanticView: z.boolean().optional(),
  warehouse: z.boolean(),
});

export function registerMonitor(program: Command, bind: Bind): void {
  program
    .command('monitor')
    .description('watch workspaces and sync new and changed models, cycle after cycle')
    .option('--interval <seconds>', 'seconds between cycles (default 300)')
    .option('--once', 'run one cycle and exit (cron, Task Scheduler, CI); exit 1 when a model failed')
    .option('--max-cycles <n>', 'stop after n cycles')
    .option('--concurrency <n>', 'models processed at once (default 4)')
    .option('--workspace <id|name...>', 'workspace id(s) or name(s) (default: FABRIC_WORKSPACE_ID)')
    .option('--prune', 'delete the push twin of a model deleted in Fabric')
    .option('--no-push', 'skip push datasets (metadata only)')
    .option('--semantic-view', 'also publish each model as a Snowflake semantic view (semanticView.enabled)')
    .option('--no-warehouse', 'skip the warehouse step')
    .addHelpText(
      'after',
      `
Examples:
  $ fabric-sync monitor --interval 120                 # long-running (systemd, a container)
  $ fabric-sync monitor --once                         # one cycle: cron, Task Scheduler, CI
  $ fabric-sync monitor --once --json | jq -c .        # NDJSON events: cycle-start, model-new, model-synced, …

Signals: SIGTERM (a service stop) starts no new model, lets the models in flight finish (up to 30 s),
saves the state and exits 0. SIGINT (Ctrl-C) stops their requests at once, saves the state and exits
130; unfinished models are synced on the next run. A second signal stops at once.

Output: one line per synced or failed model and one status line per cycle on stdout (progress and
logs on stderr); --json prints NDJSON events instead (cycle-end carries "interrupted": true when a
signal ended the cycle).`,
    )
    .action(
      bind(async (ctx, rawOptions) => {
        const parsed = Options.safeParse(rawOptions);
        if (!parsed.success) throw invalidOptions(parsed.error, 'monitor');
        const o = parsed.data;
        if (needsResolving({ workspaces: o.workspace })) {
          const { config: base } = await ctx.config({});
          const { resolveFabricRefs } = await import('./resolve-names.js');
          o.workspace = (await resolveFabricRefs(ctx, base, { workspaces: o.workspace })).workspaces;
        }
        const { config } = await ctx.config({
          fabric: defined({ workspaces: o.workspace }),
          semanticView: defined({ enabled: o.semanticView ? true : undefined }),
          monitor: defined({ intervalSeconds: o.interval === undefined ? undefined : Math.ceil(o.interval), concurrency: o.concurrency, prune: o.prune }),
        });
        const { executeMonitor } = await import('./monitor-run.js');
        return executeMonitor(ctx, config, { once: Boolean(o.once), maxCycles: o.maxCycles, push: o.push && config.push.enabled, warehouse: o.warehouse, intervalSeconds: o.interval });
      }),
    );
}
