// Progress of a run: on a TTY one spinner (models done / total, current model, elapsed); elsewhere
// one line per finished model. Fed by the monitor loop's events, so convert and monitor share it.
import type { MonitorEvent } from '../core/sync/monitor.js';
import type { Spinner, Ui } from './output.js';

export type ProgressEvent = MonitorEvent | { type: 'model-start'; name: string };

export interface Progress {
  onEvent(event: ProgressEvent): void;
  stop(): void;
}

export async function progressReporter(ui: Ui, verb: string): Promise<Progress> {
  const started = Date.now();
  const spinner: Spinner | null = ui.interactive ? await ui.spinner(`${verb}…`) : null;
  let total = 0;
  let done = 0;
  let current = '';
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
  const refresh = () => spinner?.text(`${verb} ${done}/${total || '?'}${current ? ` · ${current}` : ''} · ${elapsed()}`);
  const timer = spinner ? setInterval(refresh, 1000) : null;
  timer?.unref();

  const line = (kind: 'ok' | 'fail', text: string) => {
    if (spinner) {
      spinner.stop();
      if (kind === 'ok') ui.success(text);
      else ui.error(text);
      refresh();
    } else if (kind === 'ok') ui.success(text);
    else ui.error(text);
  };

  return {
    onEvent(e) {
      switch (e.type) {
        case 'model-start':
          current = e.name;
          total = Math.max(total, 1);
          break;
        case 'detected':
          total = e.new + e.recheck;
          break;
        case 'model-new':
        case 'model-changed':
          current = e.name;
          break;
        case 'model-synced':
          done += 1;
          line('ok', `${e.name} → ${e.publishedName}${e.detail ? `: ${e.detail}` : ''} (${Math.round(e.durationMs)} ms)`);
          break;
        case 'model-failed':
          done += 1;
          line('fail', `${e.name}: ${e.error}${e.nextRetryAt ? ` (retry after ${e.nextRetryAt})` : ''}`);
          ui.annotate('error', `fabric-sync: ${e.name}: ${e.error}`);
          break;
        default:
          renderSharedEvent(ui, e);
          break;
      }
      refresh();
    },
    stop() {
      if (timer) clearInterval(timer);
      spinner?.stop();
    },
  };
}

/** Lines convert and monitor print alike: deletions and listing failures. */
export function renderSharedEvent(ui: Ui, e: MonitorEvent): void {
  switch (e.type) {
    case 'model-deleted':
      ui.info(`${e.name} is no longer in Fabric: marked deleted${e.pruned ? ', push twin removed' : ''}`);
      break;
    case 'workspace-failed':
      ui.warn(`workspace ${e.workspaceId} could not be listed: ${e.error}`);
      break;
    case 'list-failed':
      ui.error(`listing failed: ${e.error}`);
      break;
    default:
      break;
  }
}
