// Monitor's human lines (issue 14 item 9): after every cycle one status line — models, synced,
// failed, and when the next cycle starts — a short one for a quiet cycle, and on an interrupt what
// was finished before it. Pure text; monitor-run.ts prints it.
import type { MonitorEvent, MonitorTotals } from '../core/sync/monitor.js';

type CycleEnd = Extract<MonitorEvent, { type: 'cycle-end' }>;

/** HH:MM in local time, as a person reading the log next to a clock expects. */
export function clockTime(at: Date): string {
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}

/** `nextAt`: when the next cycle starts; null when none follows (--once, the last of --max-cycles, an interrupt). */
export function cycleStatusLine(e: CycleEnd, nextAt: Date | null): string {
  const c = e.counts;
  const next = nextAt ? ` · next cycle at ${clockTime(nextAt)}` : '';
  const secs = `${(e.durationMs / 1000).toFixed(1)} s`;
  const models = `${c.listed} model${c.listed === 1 ? '' : 's'}`;
  const failedWs = e.workspaces.failed > 0 ? ` · ${e.workspaces.failed} workspace${e.workspaces.failed === 1 ? '' : 's'} not listed` : '';
  if (e.interrupted) return `cycle ${e.cycle} interrupted · ${c.synced} synced, ${c.failed} failed before the stop (${secs})`;
  const busy = c.synced + c.failed + c.deleted + c.new > 0;
  if (!busy && failedWs === '') return `cycle ${e.cycle} · ${models} · nothing changed${next}`;
  return `cycle ${e.cycle} · ${models} · ${c.synced} synced · ${c.failed} failed${c.deleted ? ` · ${c.deleted} deleted` : ''}${failedWs} (${secs})${next}`;
}

/** Printed when a signal ends the monitor: what it finished, and that the rest is done next time. */
export function stoppedLine(totals: MonitorTotals, signal: 'SIGINT' | 'SIGTERM', statePath: string): string {
  return `Stopped by ${signal} after ${totals.cycles} cycle${totals.cycles === 1 ? '' : 's'}: ${totals.synced} synced, ${totals.failed} failed, ${totals.deleted} deleted; state saved to ${statePath}. Models not finished are synced on the next run.`;
}
