// `monitor` from the loaded configuration: the run composed (compose.ts), the state file locked for
// good, the loop run (src/core/sync/monitor.ts) over the Fabric source, and everything closed again.
import type { HostPauses } from '../http/index.js';
import type { Config } from '../config/schema.js';
import { realSleep, systemClock, type Logger } from '../context.js';
import { isServiceStop } from '../errors.js';
import { openStateStore } from '../state/store.js';
import { runMonitor, type MonitorEvent, type MonitorTotals } from '../sync/monitor.js';
import { createRemoteRunner } from '../sync/remote.js';
import { composeRun } from './compose.js';

export interface MonitorRunOptions {
  once: boolean;
  maxCycles?: number;
  /** Publishers turned off (`--no-push`, `--no-warehouse`). */
  disabled: string[];
  intervalMs: number;
  logger: Logger;
  version: string;
  verbose: boolean;
  signal: AbortSignal;
  /** Retry-After pauses per host, shared by every Fabric client of one command line (main.ts makes it). */
  pauses: HostPauses;
  redact: (text: string) => string;
  /** Called once the run is composed, before the first cycle (the command's banner). */
  onStart?(facts: { target: string }): void;
  onEvent(event: MonitorEvent): void;
}

export async function monitorWithConfig(config: Config, o: MonitorRunOptions): Promise<MonitorTotals> {
  const { logger } = o;
  const store = await openStateStore(config.state.path, { clock: systemClock, lock: true, logger, redact: o.redact });
  const run = composeRun(config, {
    clock: systemClock,
    sleep: realSleep,
    logger,
    version: o.version,
    verbose: o.verbose,
    disabled: o.disabled,
    dryRun: false,
    fabric: true,
    signal: requestSignal(o.signal),
  });
  const runner = createRemoteRunner(run.fabricSource(store), store, run.pipeline, run.remote);
  o.onStart?.({ target: run.target });
  try {
    return await runMonitor(
      { store, list: runner.list, sync: runner.sync, markDeleted: runner.markDeleted, clock: systemClock, sleep: realSleep, logger, onEvent: o.onEvent },
      {
        intervalMs: o.intervalMs,
        once: o.once,
        maxCycles: o.maxCycles,
        concurrency: config.monitor.concurrency,
        budget: config.monitor.recheckBudget,
        minRecheckAgeMs: config.monitor.minRecheckAgeSeconds * 1000,
        include: config.monitor.include,
        exclude: config.monitor.exclude,
        suffix: config.push.suffix,
        prune: config.monitor.prune,
        skipSystemModels: config.monitor.skipSystemModels,
        settings: run.remote.settings ?? null,
        signal: o.signal,
      },
    );
  } finally {
    await run.close();
    await store.close();
  }
}

/**
 * What ends the requests of the models in flight. Ctrl-C (SIGINT) ends them at once, throttling
 * pauses and backoff included. SIGTERM is a service stop (systemd, a container, Task Scheduler): the
 * loop starts no new model, but the ones in flight finish and are recorded (issue 6 item 3), within
 * the loop's grace period; a second signal still stops the process at once (cli.ts).
 */
function requestSignal(signal: AbortSignal): AbortSignal {
  const requests = new AbortController();
  const onAbort = () => {
    if (!isServiceStop(signal)) requests.abort(signal.reason);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return requests.signal;
}
