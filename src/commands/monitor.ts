import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { defined, type Bind, type Command } from './context.js';

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
    .option('--workspace <id...>', 'workspace id(s) (default: FABRIC_WORKSPACE_ID)')
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

Signals: SIGINT/SIGTERM finish the models in flight, save the state and exit (130 / 0).`,
    )
    .action(
      bind(async (ctx, rawOptions) => {
        const parsed = Options.safeParse(rawOptions);
        if (!parsed.success) throw new UsageError(`Invalid options: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}.`);
        const o = parsed.data;
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
