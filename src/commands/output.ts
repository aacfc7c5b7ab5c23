// Rendering for every command (docs/architecture.md#command-line): with --json, stdout carries exactly one JSON document
// (monitor: one object per line) and nothing else; progress, spinners and colour go to stderr and only
// on a TTY; -q prints only errors; --verbose adds debug lines and stacks. CI annotations for GitHub
// Actions and Azure DevOps are written when those runners are detected. Every line and document
// passes one gate on its way out (issue 13 items 7 and 8): secrets scrubbed (src/core/redact.ts),
// control characters escaped and CI log commands broken (safe-text.ts).
import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/context.js';
import { createRedactor, redactDeep } from '../core/redact.js';
import { startSpinner, type SpinnerStream } from './progress.js';
import { escapeControl, neutralizeCommands, safeJsonStringify } from './safe-text.js';

/** The styles commands use, as the SGR codes that switch them on and off (16-colour terminals). */
const STYLES = { green: [32, 39], yellow: [33, 39], red: [31, 39], dim: [2, 22], bold: [1, 22] } as const;
export type Colours = Record<keyof typeof STYLES, (text: string) => string>;

/**
 * Colours are marked, not written: `c.red(x)` wraps x in private-use markers carrying a random
 * per-process nonce, and the Ui turns markers into SGR sequences only after every other control
 * character of the line has been escaped. So a model name holding its own escape sequence can never
 * pass as one of our colours, and no render function has to remember to escape data first.
 */
const NONCE = randomBytes(6).toString('hex');
const MARK = new RegExp(`\uE000${NONCE}(\\d+)\uE001`, 'g');
const mark = (code: number) => `\uE000${NONCE}${code}\uE001`;
const COLOURS: Colours = Object.fromEntries(
  Object.entries(STYLES).map(([name, [on, off]]) => [name, (text: string) => `${mark(on)}${text}${mark(off)}`]),
) as Colours;

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
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
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
  readonly c: Colours = COLOURS;
  readonly interactive: boolean;
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly options: UiOptions;
  private readonly redactor = createRedactor();
  private readonly colour: boolean;
  private eventsWritten = false;

  constructor(options: UiOptions) {
    this.options = options;
    this.json = options.json;
    this.verbose = options.verbose;
    this.quiet = options.quiet;
    this.interactive = options.interactive && !options.json && !options.quiet;
    this.colour = options.color && !options.json;
    this.out = options.stdout ?? process.stdout;
    this.err = options.stderr ?? process.stderr;
  }

  /** Where questions are asked (stderr, so that stdout stays the result). */
  get errorStream(): NodeJS.WritableStream {
    return this.err;
  }

  /** Whether stderr is a terminal (someone can be asked). */
  get onTerminal(): boolean {
    return Boolean(this.err.isTTY);
  }

  /** Secret values (from the loaded configuration) scrubbed from everything printed from now on. */
  protect(secrets: Iterable<string>): void {
    for (const s of secrets) this.redactor.add(s);
  }

  /** Scrubs secrets and token shapes from one text (for callers that keep text, e.g. the state file). */
  redact(text: string): string {
    return this.redactor(text);
  }

  /** The command's result: one JSON document with --json, else the human rendering on stdout. */
  result(doc: unknown, human: () => string): void {
    // After NDJSON events (monitor --json) a closing document, such as the error that ended the run,
    // is one line too, so the stream stays one JSON object per line.
    if (this.json) this.out.write(`${safeJsonStringify(redactDeep(doc, this.redactor), this.eventsWritten ? undefined : 2)}\n`);
    else if (!this.quiet) {
      const text = human();
      if (text) this.out.write(`${this.block(text.endsWith('\n') ? text.slice(0, -1) : text)}\n`);
    }
  }

  /** One NDJSON line (monitor --json). */
  event(doc: Record<string, unknown>): void {
    this.eventsWritten = true;
    this.out.write(`${safeJsonStringify(redactDeep(doc, this.redactor))}\n`);
  }

  /** One line of human output on stdout (a result as it happens, e.g. monitor's per-model lines); nothing with --json or -q. */
  print(message: string): void {
    if (!this.json && !this.quiet) this.out.write(`${this.line(message)}\n`);
  }

  info(message: string): void {
    if (!this.quiet) this.err.write(`${this.line(message)}\n`);
  }
  success(message: string): void {
    if (!this.quiet) this.err.write(`${this.line(`${this.c.green('✔')} ${message}`)}\n`);
  }
  warn(message: string): void {
    if (!this.quiet) this.err.write(`${this.line(`${this.c.yellow('warning:')} ${message}`)}\n`);
  }
  error(message: string): void {
    // `error:` as commander writes its own usage errors, so every error line starts alike.
    this.err.write(`${this.line(`${this.c.red('error:')} ${message}`)}\n`);
  }
  debug(message: string): void {
    if (this.verbose) this.err.write(`${this.line(this.c.dim(message))}\n`);
  }
  /** Several lines at --verbose (a stack trace): each line made safe, the line breaks kept. */
  debugBlock(text: string): void {
    if (this.verbose) this.err.write(`${this.block(text.split('\n').map((l) => this.c.dim(l)).join('\n'))}\n`);
  }

  /** A GitHub Actions / Azure DevOps annotation for a failed or lossy object; no-op elsewhere. */
  annotate(level: 'error' | 'warning', message: string): void {
    // The payload is one line with every control character escaped and no command prefix of its own.
    const line = neutralizeCommands(escapeControl(this.redactor(message.replace(MARK, ''))));
    const stream = this.json ? this.err : this.out;
    if (this.options.githubActions) stream.write(`::${level}::${escapeGithub(line)}\n`);
    if (this.options.azureDevOps) stream.write(`##vso[task.logissue type=${level}]${line.replace(/[\];]/g, ' ')}\n`);
  }

  /**
   * One line of human output: secrets scrubbed, every control character escaped, CI log commands
   * broken; then our colour markers become SGR sequences (or nothing without colour).
   */
  private line(message: string): string {
    return neutralizeCommands(escapeControl(this.redactor(message)).replace(MARK, (_m, code: string) => (this.colour ? `\u001b[${code}m` : '')));
  }

  /** Several lines (a table, a report, a stack): each made safe, the line breaks between them kept. */
  private block(text: string): string {
    return text
      .split('\n')
      .map((l) => this.line(l))
      .join('\n');
  }

  /** A spinner on a TTY; otherwise silent until the final line (one summary line per model). */
  async spinner(initial: string): Promise<Spinner> {
    if (!this.interactive) {
      return {
        text: () => {},
        succeed: (m) => void (!this.quiet && this.err.write(`${this.line(`${this.c.green('✔')} ${m}`)}\n`)),
        fail: (m) => this.err.write(`${this.line(`${this.c.red('✖')} ${m}`)}\n`),
        warn: (m) => void (!this.quiet && this.err.write(`${this.line(`${this.c.yellow('!')} ${m}`)}\n`)),
        stop: () => {},
      };
    }
    return startSpinner(this.err as SpinnerStream, initial, (m) => this.line(m));
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
    // A cell is one line: a name holding a line break must not start a row of its own.
    const cells = [headers, ...rows.map((r) => r.map((v) => escapeControl(String(v))))];
    const widths = headers.map((_, i) => Math.max(...cells.map((r) => visibleLength(r[i] ?? ''))));
    const line = (r: string[]) => r.map((v, i) => v + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(v)))).join('  ').trimEnd();
    return [this.c.bold(line(headers)), ...cells.slice(1).map(line)].join('\n');
  }
}

function visibleLength(s: string): number {
  return s.replace(MARK, '').length;
}

function escapeGithub(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
