// `convert` from the loaded configuration: the run composed (compose.ts), the state file opened
// (waiting briefly for another run that holds it), the models converted, and everything that was
// opened closed again, whatever happened.
import type { HostPauses } from '../http/index.js';
import type { Config } from '../config/schema.js';
import { realSleep, systemClock, type Logger } from '../context.js';
import type { MonitorEvent } from '../sync/monitor.js';
import { runConvert, type ConvertRequest, type ConvertSummary } from '../sync/convert.js';
import { composeRun } from './compose.js';
import { openStateForRun } from './state.js';

export interface ConvertRunOptions {
  request: ConvertRequest;
  /** Publishers turned off (`--no-push`, `--no-warehouse`). */
  disabled: string[];
  dryRun: boolean;
  logger: Logger;
  version: string;
  verbose: boolean;
  signal: AbortSignal;
  /** Retry-After pauses per host, shared by every Fabric client of one command line (main.ts makes it). */
  pauses: HostPauses;
  redact: (text: string) => string;
  onEvent(event: MonitorEvent | { type: 'model-start'; name: string }): void;
}

export async function convertWithConfig(config: Config, o: ConvertRunOptions): Promise<ConvertSummary> {
  const { logger } = o;
  const needsFabric = o.request.mode !== 'source' || Boolean(o.request.workspaceId);
  const run = composeRun(config, {
    clock: systemClock,
    sleep: realSleep,
    logger,
    version: o.version,
    verbose: o.verbose,
    disabled: o.disabled,
    dryRun: o.dryRun,
    fabric: needsFabric,
    signal: o.signal,
    pauses: o.pauses,
  });
  try {
    const store = await openStateForRun(config.state.path, { dryRun: o.dryRun, logger, sleep: realSleep, signal: o.signal, redact: o.redact });
    try {
      return await runConvert(o.request, {
        // A one-shot run looks at every watched workspace, whatever the monitor's detection mode.
        fabric: run.api ? () => run.fabricSource(store, 'listing') : null,
        store,
        pipeline: run.pipeline,
        remote: run.remote,
        dryRun: o.dryRun,
        clock: systemClock,
        sleep: realSleep,
        logger,
        signal: o.signal,
        onEvent: o.onEvent,
      });
    } finally {
      await store.close();
    }
  } finally {
    await run.close();
  }
}
