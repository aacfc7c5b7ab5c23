// Wires `convert` to the core: builds the runtime from the config, opens the state file (waiting
// briefly for another run that holds it), shows progress, and always closes what it opened.
import type { LoadedConfig } from '../core/config/load.js';
import type { Config } from '../core/config/schema.js';
import { realSleep, systemClock } from '../core/context.js';
import { runConvert, type ConvertRequest, type ConvertSummary } from '../core/sync/convert.js';
import { createRuntime } from '../core/sync/runtime.js';
import { openStateForRun } from './state-open.js';
import type { CommandContext } from './context.js';
import { progressReporter } from './progress.js';

export interface ExecuteConvertOptions {
  request: ConvertRequest;
  push: boolean;
  warehouse: boolean;
  dryRun: boolean;
}

export async function executeConvert(ctx: CommandContext, config: Config, _runtime: LoadedConfig['runtime'], options: ExecuteConvertOptions): Promise<ConvertSummary> {
  const logger = ctx.ui.logger();
  const needsFabric = options.request.mode !== 'source' || Boolean(options.request.workspaceId);
  const runtime = createRuntime(config, {
    clock: systemClock,
    sleep: realSleep,
    logger,
    version: ctx.version,
    verbose: ctx.globals.verbose,
    push: options.push,
    warehouse: options.warehouse,
    dryRun: options.dryRun,
    fabric: needsFabric,
    signal: ctx.signal,
  });
  const store = await openStateForRun(config.state.path, { dryRun: options.dryRun, logger, sleep: realSleep, signal: ctx.signal, redact: (t) => ctx.ui.redact(t) });
  const progress = await progressReporter(ctx.ui, options.dryRun ? 'planning' : 'converting');
  try {
    return await runConvert(options.request, {
      api: runtime.api,
      store,
      pipeline: runtime.pipeline,
      settings: runtime.settings,
      remote: runtime.remote,
      clock: systemClock,
      sleep: realSleep,
      logger,
      signal: ctx.signal,
      onEvent: progress.onEvent,
    });
  } finally {
    progress.stop();
    await runtime.close();
    await store.close();
  }
}
