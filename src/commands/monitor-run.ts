// Wires `monitor` to the core loop: runtime, the locked state file, events rendered as lines (or
// NDJSON with --json), and the exit code: --once exits 1 when a model or a workspace failed, 3 when
// no workspace could be listed for authorisation reasons; an interrupt exits
// 130 (SIGINT) or 0 (SIGTERM, a normal service stop).
import type { Config } from '../core/config/schema.js';
import { ExitCode, isServiceStop } from '../core/errors.js';
import { monitorWithConfig } from '../core/run/monitor.js';
import type { MonitorEvent } from '../core/sync/monitor.js';
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
  const intervalMs = (options.intervalSeconds ?? config.monitor.intervalSeconds) * 1000;
  const totals = await monitorWithConfig(config, {
    once: options.once,
    maxCycles: options.maxCycles,
    disabled: [...(options.push ? [] : ['push']), ...(options.warehouse ? [] : ['warehouse'])],
    intervalMs,
    logger: ctx.ui.logger(),
    version: ctx.version,
    verbose: ctx.globals.verbose,
    signal: ctx.signal,
    pauses: ctx.pauses,
    redact: (t) => ctx.ui.redact(t),
    onStart: ({ target }) => {
      if (ctx.globals.json) return;
      ctx.ui.info(
        `fabric-sync ${ctx.version} monitoring ${config.fabric.workspaces.length ? `${config.fabric.workspaces.length} workspace(s)` : 'every visible workspace'}` +
          `${options.once ? ' (one cycle)' : `, every ${intervalMs / 1000} s`} · warehouse ${target} · state ${config.state.path}`,
      );
    },
    onEvent: (e) => (ctx.globals.json ? ctx.ui.event(e as unknown as Record<string, unknown>) : renderEvent(ctx, e, nextCycleAt(e, options, intervalMs))),
  });
  if (totals.interrupted) {
    const term = isServiceStop(ctx.signal);
    ctx.ui.print(stoppedLine(totals, term ? 'SIGTERM' : 'SIGINT', config.state.path));
    return term ? ExitCode.ok : ExitCode.interrupted;
  }
  // One cycle that left a model or a workspace undone is a failed run (a workspace refused for
  // authorisation reasons among others that were listed included; issue 13).
  return options.once && (totals.failed > 0 || totals.listFailures > 0) ? ExitCode.failed : ExitCode.ok;
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
      ui.print(`${ui.c.green('✔')} ${e.name}${e.publishedName === e.name ? '' : ` → ${e.publishedName}`} synced (${e.reason}, sync #${e.syncCount})${e.detail ? `: ${e.detail}` : ''}`);
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
