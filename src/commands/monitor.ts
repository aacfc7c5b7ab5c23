import type { Bind, Command } from './context.js';
import { notAvailable } from './not-yet.js';

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
    .action(bind(async () => notAvailable('monitor')));
}
