// Wires `monitor` to the core loop: runtime, the locked state file, events rendered as lines (or
// NDJSON with --json), and the exit code: --once exits 1 when a model or a workspace failed, 3 when
// no workspace could be listed for authorisation reasons; an interrupt exits
// 130 (SIGINT) or 0 (SIGTERM, a normal service stop).
import type { Config } from '../core/config/schema.js';
import { realSleep, systemClock } from '../core/context.js';
import { ExitCode } from '../core/errors.js';
import { openStateStore } from '../core/state/store.js';
import { runMonitor, type MonitorEvent } from '../core/sync/monitor.js';
import { createRemoteRunner } from '../core/sync/remote.js';
import { createRuntime } from '../core/sync/runtime.js';
import type { CommandContext } from './context.js';
import { renderSharedEvent } from './progress.js';
import { cycleStatusLine, stoppedLine } from './render-monitor.js';

export interface ExecuteMonitorOptions {
  once: boolean;
  maxCycles?: number;
  push: boolean;
  warehouse: boolean;
  /** Seconds, possibly fractional (tests use 1). */
  intervalSeconds?: number;
}

export async function executeMonitor(ctx: CommandContext, config: Config, options: ExecuteMonitorOptions): Promise<number> {
  const logger = ctx.ui.logger();
  const store = await openStateStore(config.state.path, { clock: systemClock, lock: true, logger, redact: (t) => ctx.ui.redact(t) });
  const runtime = createRuntime(config, {
    clock: systemClock,
    sleep: realSleep,
    logger,
    version: ctx.version,
    verbose: ctx.globals.verbose,
    push: options.push,
    warehouse: options.warehouse,
    dryRun: false,
    fabric: true,
    signal: requestSignal(ctx.signal),
  });
  const runner = createRemoteRunner(runtime.api!, store, runtime.pipeline, runtime.settings, runtime.remote);
  const intervalMs = (options.intervalSeconds ?? config.monitor.intervalSeconds) * 1000;
  if (!ctx.globals.json) {
    ctx.ui.info(
      `fabric-sync ${ctx.version} monitoring ${config.fabric.workspaces.length ? `${config.fabric.workspaces.length} workspace(s)` : 'every visible workspace'}` +
        `${options.once ? ' (one cycle)' : `, every ${intervalMs / 1000} s`} · warehouse ${runtime.target} · state ${config.state.path}`,
    );
  }
  try {
    const totals = await runMonitor(
      {
        store,
        list: runner.list,
        sync: runner.sync,
        markDeleted: runner.markDeleted,
        clock: systemClock,
        sleep: realSleep,
        logger,
        onEvent: (e) => (ctx.globals.json ? ctx.ui.event(e as unknown as Record<string, unknown>) : renderEvent(ctx, e, nextCycleAt(e, options, intervalMs))),
      },
      {
        intervalMs,
        once: options.once,
        maxCycles: options.maxCycles,
        concurrency: config.monitor.concurrency,
        budget: config.monitor.recheckBudget,
        minRecheckAgeMs: config.monitor.minRecheckAgeSeconds * 1000,
        include: config.monitor.include,
        exclude: config.monitor.exclude,
        suffix: config.push.suffix,
        prune: config.monitor.prune,
        skipSystemModels: config.monitor.skipSystemModels,
        signal: ctx.signal,
      },
    );
    if (totals.interrupted) {
      ctx.ui.print(stoppedLine(totals, isTerm(ctx.signal) ? 'SIGTERM' : 'SIGINT', config.state.path));
      return isTerm(ctx.signal) ? ExitCode.ok : ExitCode.interrupted;
    }
    // One cycle that left a model or a workspace undone is a failed run (a workspace refused for
    // authorisation reasons among others that were listed included; issue 13).
    return options.once && (totals.failed > 0 || totals.listFailures > 0) ? ExitCode.failed : ExitCode.ok;
  } finally {
    await runtime.close();
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
    if (!isTerm(signal)) requests.abort(signal.reason);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return requests.signal;
}

function isTerm(signal: AbortSignal): boolean {
  return String(signal.reason).includes('SIGTERM');
}

/** When the cycle after this one starts; null when none follows. */
function nextCycleAt(e: MonitorEvent, options: ExecuteMonitorOptions, intervalMs: number): Date | null {
  if (e.type !== 'cycle-end' || e.interrupted || options.once || (options.maxCycles !== undefined && e.cycle >= options.maxCycles)) return null;
  return new Date(Date.now() + intervalMs);
}

function renderEvent(ctx: CommandContext, e: MonitorEvent, nextAt: Date | null): void {
  const { ui } = ctx;
  switch (e.type) {
    case 'detected':
      if (e.new > 0) ui.info(`New models detected: ${e.new}`);
      if (e.deleted > 0) ui.info(`Deleted models detected: ${e.deleted}`);
      break;
    case 'model-changed':
      ui.info(`Changed: ${e.name}`);
      break;
    case 'model-synced':
      ui.print(`${ui.c.green('✔')} ${e.name} → ${e.publishedName} synced (${e.reason}, sync #${e.syncCount})${e.detail ? `: ${e.detail}` : ''}`);
      // A recreated twin has a new id (bound reports break): said where it happens, and in CI logs.
      for (const w of e.warnings ?? []) {
        ui.warn(`${e.name}: ${w}`);
        if (e.pushAction === 'recreated') ui.annotate('warning', `fabric-sync: ${e.name}: ${w}`);
      }
      break;
    case 'model-failed':
      {
        const text = `${e.name}: ${e.error} (failure ${e.failures}${e.nextRetryAt ? `, next try after ${e.nextRetryAt}` : ''})`;
        // -q prints only errors: a failed model is one, on stderr; otherwise a result line on stdout.
        if (ui.quiet) ui.error(text);
        else ui.print(`${ui.c.red('✖')} ${text}`);
      }
      ui.annotate('error', `fabric-sync: ${e.name}: ${e.error}`);
      break;
    case 'cycle-end':
      // Human output on stdout, as convert's: one status line per cycle, short when nothing changed.
      ui.print(cycleStatusLine(e, nextAt));
      ui.debug(`cycle ${e.cycle}: ${e.counts.listed} models listed, ${e.counts.checked} checked (${(e.durationMs / 1000).toFixed(1)} s)`);
      break;
    default:
      renderSharedEvent(ui, e);
      break;
  }
}
