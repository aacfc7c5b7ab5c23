import { createInterface } from 'node:readline/promises';
import { systemClock } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import type { StateEntry } from '../core/state/store.js';
import type { Bind, Command, CommandContext } from './context.js';

export function registerState(program: Command, bind: Bind): void {
  const state = program
    .command('state')
    .description('show or edit the sync state file')
    .addHelpText('after', `
Examples:
  $ fabric-sync state                       # table of synced models
  $ fabric-sync state show --json
  $ fabric-sync state forget 6f1c…e2        # sync that model again on the next run
  $ fabric-sync state reset --yes           # forget every model`);
  state
    .command('show', { isDefault: true })
    .description('list synced models: name, push twin, last sync, count, fingerprint, failures, next retry')
    .action(bind(async (ctx) => show(ctx)));
  state
    .command('forget')
    .argument('<datasetId>', 'the model id (as `state show` lists it)')
    .description('forget one model (it is synced again on the next run)')
    .action(
      bind(async (ctx, id) => {
        const store = await open(ctx, true);
        try {
          const known = store.forget(String(id));
          if (!known) throw new UsageError(`No model with id ${String(id)} in ${store.path}.`, { hint: 'Run `fabric-sync state` to see the ids.' });
          await store.save();
          ctx.ui.result({ forgotten: String(id), path: store.path }, () => `Forgot ${String(id)}; the next run syncs it again.`);
          return 0;
        } finally {
          await store.close();
        }
      }),
    );
  state
    .command('reset')
    .option('--yes', 'do not ask for confirmation (required when not on a terminal)')
    .description('forget every model')
    .action(
      bind(async (ctx, options) => {
        const yes = Boolean((options as { yes?: boolean }).yes);
        if (!yes && !(ctx.stdin.isTTY && ctx.ui.onTerminal)) {
          throw new UsageError('state reset needs --yes when not run from a terminal.', { hint: 'Run `fabric-sync state reset --yes`.' });
        }
        const store = await open(ctx, true);
        try {
          const count = store.list().length;
          if (!yes && !(await confirm(ctx, `Forget all ${count} models in ${store.path}? [y/N] `))) {
            ctx.ui.info('Nothing changed.');
            return 0;
          }
          store.reset();
          await store.save();
          ctx.ui.result({ reset: true, forgotten: count, path: store.path }, () => `Forgot ${count} model${count === 1 ? '' : 's'}.`);
          return 0;
        } finally {
          await store.close();
        }
      }),
    );
}

async function open(ctx: CommandContext, lock: boolean) {
  const { config } = await ctx.config();
  const { openStateStore } = await import('../core/state/store.js');
  const store = await openStateStore(config.state.path, { clock: systemClock, lock, logger: ctx.ui.logger() });
  return store;
}

async function show(ctx: CommandContext): Promise<number> {
  const store = await open(ctx, false);
  try {
    const models = store.list().sort((a, b) => a.name.localeCompare(b.name));
    const snap = store.snapshot();
    ctx.ui.result({ path: store.path, lastCheck: snap.lastCheck, models: models.map(toJson) }, () => {
      if (models.length === 0) return `No models synced yet (${store.path}).`;
      const rows = models.map((m) => [
        m.name,
        m.id,
        m.push_dataset_id ?? '-',
        m.last_sync_time ?? '-',
        m.sync_count,
        m.fingerprint ? m.fingerprint.slice(0, 12) : '-',
        m.failures ? ctx.ui.c.red(String(m.failures)) : '0',
        m.next_retry_at ?? (m.deleted_at ? `deleted ${m.deleted_at}` : '-'),
      ]);
      return `${ctx.ui.table(['model', 'id', 'push twin', 'last sync', 'count', 'fingerprint', 'failures', 'next retry'], rows)}\n${models.length} model(s) · last check ${snap.lastCheck ?? 'never'} · ${store.path}`;
    });
    return 0;
  } finally {
    await store.close();
  }
}

function toJson(m: StateEntry): Record<string, unknown> {
  return { ...m };
}

async function confirm(ctx: CommandContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.ui.errorStream });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
