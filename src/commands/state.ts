import type { Bind, Command } from './context.js';
import { notAvailable } from './not-yet.js';

export function registerState(program: Command, bind: Bind): void {
  const state = program.command('state').description('show or edit the sync state file');
  state.command('show', { isDefault: true }).description('list synced models').action(bind(async () => notAvailable('state show')));
  state.command('forget').argument('<datasetId>').description('forget one model (it is synced again next run)').action(bind(async () => notAvailable('state forget')));
  state.command('reset').option('--yes', 'confirm').description('forget every model').action(bind(async () => notAvailable('state reset')));
}
