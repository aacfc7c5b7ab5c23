// Wires `convert` to the core: progress while the models are converted, and the summary returned
// for rendering (render-convert.ts).
import type { Config } from '../core/config/schema.js';
import { convertWithConfig } from '../core/run/convert.js';
import type { ConvertRequest, ConvertSummary } from '../core/sync/convert.js';
import type { CommandContext } from './context.js';
import { progressReporter } from './progress.js';

export interface ExecuteConvertOptions {
  request: ConvertRequest;
  push: boolean;
  warehouse: boolean;
  dryRun: boolean;
}

export async function executeConvert(ctx: CommandContext, config: Config, options: ExecuteConvertOptions): Promise<ConvertSummary> {
  const progress = await progressReporter(ctx.ui, options.dryRun ? 'planning' : 'converting');
  try {
    return await convertWithConfig(config, {
      request: options.request,
      disabled: [...(options.push ? [] : ['push']), ...(options.warehouse ? [] : ['warehouse'])],
      dryRun: options.dryRun,
      logger: ctx.ui.logger(),
      version: ctx.version,
      verbose: ctx.globals.verbose,
      signal: ctx.signal,
      pauses: ctx.pauses,
      redact: (t) => ctx.ui.redact(t),
      onEvent: progress.onEvent,
    });
  } finally {
    progress.stop();
  }
}
