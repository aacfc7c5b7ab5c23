// Rendering for every command (docs/architecture.md#command-line): with --json, stdout carries exactly one JSON document
// (monitor: one object per line) and nothing else; progress, spinners and colour go to stderr and only
// on a TTY; -q prints only errors; --verbose adds debug lines and stacks. CI annotations for GitHub
// Actions and Azure DevOps are written when those runners are detected.
import { Chalk, type ChalkInstance } from 'chalk';
import type { Logger } from '../core/context.js';
import { startSpinner, type SpinnerStream } from './progress.js';

export interface UiOptions {
  json: boolean;
  verbose: boolean;
  quiet: boolean;
  /** false with --no-color, NO_COLOR, or a non-TTY stderr (unless FORCE_COLOR). */
  color: boolean;
  /** A spinner may run on stderr (progress.ts spinnerAllowed: a terminal with a width, colour allowed). */
  interactive: boolean;
  githubActions: boolean;
  azureDevOps: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export interface Spinner {
  text(message: string): void;
  succeed(message: string): void;
  fail(message: string): void;
  warn(message: string): void;
  stop(): void;
}

export class Ui {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly quiet: boolean;
  readonly c: ChalkInstance;
  readonly interactive: boolean;
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream;
  private readonly options: UiOptions;

  constructor(options: UiOptions) {
    this.options = options;
    this.json = options.json;
    this.verbose = options.verbose;
    this.quiet = options.quiet;
    this.interactive = options.interactive && !options.json && !options.quiet;
    this.c = new Chalk({ level: options.color && !options.json ? 1 : 0 });
    this.out = options.stdout ?? process.stdout;
    this.err = options.stderr ?? process.stderr;
  }

  /** The command's result: one JSON document with --json, else the human rendering on stdout. */
  result(doc: unknown, human: () => string): void {
    if (this.json) this.out.write(`${JSON.stringify(doc, null, 2)}\n`);
    else if (!this.quiet) {
      const text = human();
      if (text) this.out.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  /** One NDJSON line (monitor --json). */
  event(doc: Record<string, unknown>): void {
    this.out.write(`${JSON.stringify(doc)}\n`);
  }

  info(message: string): void {
    if (!this.quiet) this.err.write(`${message}\n`);
  }
  success(message: string): void {
    if (!this.quiet) this.err.write(`${this.c.green('✔')} ${message}\n`);
  }
  warn(message: string): void {
    if (!this.quiet) this.err.write(`${this.c.yellow('warning')} ${message}\n`);
  }
  error(message: string): void {
    this.err.write(`${this.c.red('error')} ${message}\n`);
  }
  debug(message: string): void {
    if (this.verbose) this.err.write(`${this.c.dim(message)}\n`);
  }

  /** A GitHub Actions / Azure DevOps annotation for a failed or lossy object; no-op elsewhere. */
  annotate(level: 'error' | 'warning', message: string): void {
    const line = message.replace(/\r?\n/g, ' ');
    const stream = this.json ? this.err : this.out;
    if (this.options.githubActions) stream.write(`::${level}::${escapeGithub(line)}\n`);
    if (this.options.azureDevOps) stream.write(`##vso[task.logissue type=${level}]${line.replace(/[\]\r\n;]/g, ' ')}\n`);
  }

  /** A spinner on a TTY; otherwise silent until the final line (one summary line per model). */
  async spinner(initial: string): Promise<Spinner> {
    if (!this.interactive) {
      return {
        text: () => {},
        succeed: (m) => this.info(`${this.c.green('✔')} ${m}`),
        fail: (m) => this.err.write(`${this.c.red('✖')} ${m}\n`),
        warn: (m) => this.info(`${this.c.yellow('!')} ${m}`),
        stop: () => {},
      };
    }
    return startSpinner(this.err as SpinnerStream, initial);
  }

  /** A Logger for core code: debug with --verbose, info/warn unless -q, errors always; all on stderr. */
  logger(): Logger {
    const fmt = (m: string, data?: Record<string, unknown>) =>
      data && Object.keys(data).length ? `${m} ${Object.entries(data).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}` : m;
    return {
      debug: (m, d) => this.debug(fmt(m, d)),
      info: (m, d) => this.info(fmt(m, d)),
      warn: (m, d) => this.warn(fmt(m, d)),
      error: (m, d) => this.error(fmt(m, d)),
    };
  }

  /** A plain aligned table (no borders) for human output. */
  table(headers: string[], rows: Array<Array<string | number>>): string {
    const cells = [headers, ...rows.map((r) => r.map(String))];
    const widths = headers.map((_, i) => Math.max(...cells.map((r) => visibleLength(r[i] ?? ''))));
    const line = (r: string[]) => r.map((v, i) => v + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(v)))).join('  ').trimEnd();
    return [this.c.bold(line(headers)), ...cells.slice(1).map(line)].join('\n');
  }
}

function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}

function escapeGithub(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
