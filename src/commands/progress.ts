// Progress of a run: on a terminal one spinner (models done / total, current model, elapsed);
// elsewhere one line per finished model. Fed by the monitor loop's events, so convert and monitor
// share it. Also decides where a spinner may run at all (spinnerAllowed) and starts it (startSpinner).
import type { MonitorEvent } from '../core/sync/monitor.js';
import type { Spinner, Ui } from './output.js';

/** The parts of a stream a spinner depends on (a tty.WriteStream has them all). */
export interface SpinnerStream extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
  on(event: 'resize', listener: () => void): this;
  off(event: 'resize', listener: () => void): this;
}

/**
 * A spinner redraws its line in place, so it needs a terminal that reports a usable width. A pty
 * whose width is 0 (`stty cols 0`, common in CI containers) made ora compute the lines to erase as
 * text width ÷ 0 = Infinity: the process erased lines for ever, ignored SIGINT and SIGTERM (the event
 * loop never came back) and wrote hundreds of MB. Without a spinner, progress is one line per model.
 * NO_COLOR and --no-color turn it off as well (it is cursor-control output like colour), and so do CI
 * and TERM=dumb.
 */
export function spinnerAllowed(stream: { isTTY?: boolean; columns?: number }, env: Record<string, string | undefined>, noColor: boolean): boolean {
  if (!stream.isTTY || noColor) return false;
  if (typeof stream.columns !== 'number' || !(stream.columns > 0)) return false;
  if (env.CI !== undefined || env.TERM === 'dumb') return false;
  return true;
}

/**
 * An ora spinner on `stream`. Should the terminal shrink to zero width while it runs, the spinner
 * stops before its next frame and stays stopped (the resize event comes before any redraw).
 */
export async function startSpinner(stream: SpinnerStream, initial: string, format: (text: string) => string = (t) => t): Promise<Spinner> {
  const { default: ora } = await import('ora');
  const s = ora({ text: format(initial), stream, color: 'cyan' }).start();
  let live = true;
  const onResize = () => {
    if (live && !(typeof stream.columns === 'number' && stream.columns > 0)) end(() => s.stop());
  };
  const end = (finish: () => void) => {
    if (!live) return;
    live = false;
    stream.off('resize', onResize);
    finish();
  };
  stream.on('resize', onResize);
  return {
    text: (m) => void (live && (s.text = format(m))),
    succeed: (m) => end(() => s.succeed(format(m))),
    fail: (m) => end(() => s.fail(format(m))),
    warn: (m) => end(() => s.warn(format(m))),
    stop: () => end(() => s.stop()),
  };
}

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
