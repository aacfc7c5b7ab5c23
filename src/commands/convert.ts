import type { Bind, Command } from './context.js';
import { notAvailable } from './not-yet.js';

export function registerConvert(program: Command, bind: Bind): void {
  program
    .command('convert')
    .description('convert models to Push API datasets ({Model}_PushSync) and write their metadata to the warehouse')
    .option('--dataset-id <id>', 'one Fabric semantic model')
    .option('--dataset-name <name>', 'name to publish under (default: the model name)')
    .option('--workspace <id...>', 'workspace id(s) (default: FABRIC_WORKSPACE_ID)')
    .option('--auto', 'every model that has no up-to-date push/warehouse copy')
    .option('--source <path>', 'a local model.bim, PBIP *.SemanticModel or TMDL folder instead of Fabric')
    .option('--dry-run', 'print the plan (requests, SQL, dropped objects); send and write nothing')
    .option('--out <dir>', 'where {Model}_push_api.json files go (default ./push-definitions)')
    .option('--no-push', 'skip the push dataset')
    .option('--no-warehouse', 'skip the warehouse step')
    .option('--target <target>', 'warehouse: snowflake | duckdb')
    .option('--strict', 'fail a model when the conversion drops or changes anything')
    .option('--on-incompatible <mode>', 'recreate | fail, when relationships or the table set changed')
    .option('--create-tables', 'also create physical tables mirroring each model table (additive only)')
    .option('--concurrency <n>', 'models processed at once with --auto')
    .action(bind(async () => notAvailable('convert')));
}
