import type { Bind, Command } from './context.js';
import { notAvailable } from './not-yet.js';

export function registerValidate(program: Command, bind: Bind): void {
  program
    .command('validate')
    .description('check config, Entra tokens, workspace access, Snowflake access and the state file')
    .action(bind(async () => notAvailable('validate')));
}
