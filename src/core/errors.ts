// The typed error taxonomy. Every error the tool reports on purpose is one of these; src/cli.ts
// maps them to exit codes in one place (docs/architecture.md#command-line: 0 ok, 1 work failed, 2 usage/config,
// 3 auth/permission, 130 interrupted). Each carries a one-sentence message and a hint.

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  auth: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class FabricSyncError extends Error {
  abstract readonly exitCode: ExitCode;
  /** What the user should check or do next. */
  readonly hint: string | undefined;

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }

  /** Plain data for `--json` output. Never contains secrets: messages are built from safe parts. */
  toJSON(): Record<string, unknown> {
    return { error: this.name, message: this.message, hint: this.hint, exitCode: this.exitCode };
  }
}

/** Bad command-line usage (unknown flag, conflicting options). */
export class UsageError extends FabricSyncError {
  readonly exitCode = ExitCode.usage;
}

/** Invalid configuration; `issues` lists every problem as `path: problem`. */
export class ConfigError extends FabricSyncError {
  readonly exitCode = ExitCode.usage;
  readonly issues: string[];
  constructor(message: string, issues: string[] = [], options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.issues = issues;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** A model file or folder that cannot be read: names the file, the line and the offending text. */
export class InputError extends FabricSyncError {
  readonly exitCode = ExitCode.usage;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly text: string | undefined;
  constructor(
    message: string,
    where: { file?: string; line?: number; text?: string } = {},
    options: { hint?: string; cause?: unknown } = {},
  ) {
    const loc = where.file ? ` (${where.file}${where.line ? `, line ${where.line}` : ''})` : '';
    const shown = where.text !== undefined ? `: ${JSON.stringify(truncate(where.text, 120))}` : '';
    super(`${message}${loc}${shown}`, options);
    this.file = where.file;
    this.line = where.line;
    this.text = where.text;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), file: this.file, line: this.line };
  }
}

/** Entra ID / Snowflake login failed, or the principal lacks a permission. */
export class AuthError extends FabricSyncError {
  readonly exitCode = ExitCode.auth;
}

export interface ApiErrorDetails {
  status: number;
  url: string;
  method: string;
  /** Fabric `errorCode` or Power BI `error.code`. */
  errorCode?: string;
  requestId?: string;
  isRetriable?: boolean;
}

/** A Fabric or Power BI REST call failed. 401/403 map to exit code 3, the rest to 1. */
export class ApiError extends FabricSyncError {
  readonly status: number;
  readonly url: string;
  readonly method: string;
  readonly errorCode: string | undefined;
  readonly requestId: string | undefined;
  readonly isRetriable: boolean | undefined;
  constructor(message: string, details: ApiErrorDetails, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.status = details.status;
    this.url = details.url;
    this.method = details.method;
    this.errorCode = details.errorCode;
    this.requestId = details.requestId;
    this.isRetriable = details.isRetriable;
  }
  get exitCode(): ExitCode {
    return this.status === 401 || this.status === 403 ? ExitCode.auth : ExitCode.failed;
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      url: this.url,
      errorCode: this.errorCode,
      requestId: this.requestId,
    };
  }
}

/** A host asked us to wait longer than the operation's time budget allows. */
export class ThrottledError extends ApiError {
  /** Epoch ms at which the host said requests may resume. */
  readonly until: number;
  constructor(message: string, details: ApiErrorDetails & { until: number }, options: { hint?: string } = {}) {
    super(message, details, options);
    this.until = details.until;
  }
}

/** A warehouse statement or connection failed (Snowflake code and SQL state when known). */
export class WarehouseError extends FabricSyncError {
  readonly exitCode = ExitCode.failed;
  readonly code: string | undefined;
  readonly sqlState: string | undefined;
  constructor(message: string, details: { code?: string; sqlState?: string } = {}, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.code = details.code;
    this.sqlState = details.sqlState;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), code: this.code, sqlState: this.sqlState };
  }
}

/** The push conversion lost something while `--strict` was set, or a conversion is impossible. */
export class ConversionError extends FabricSyncError {
  readonly exitCode = ExitCode.failed;
}

/** Another process holds the state lock. */
export class LockedError extends FabricSyncError {
  readonly exitCode = ExitCode.usage;
}

/** The run finished but at least one model failed (the others were still done). */
export class PartialFailureError extends FabricSyncError {
  readonly exitCode = ExitCode.failed;
}

/**
 * The reason a run's signal is aborted with (src/cli.ts): which process signal stopped it. SIGINT
 * (Ctrl-C) ends the requests in flight at once; SIGTERM (a service stop) lets them finish.
 */
export class StopRequest extends Error {
  override readonly name = 'StopRequest';
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super(`received ${signal}`);
  }
}

/** True when `signal` was aborted by a service stop (SIGTERM). */
export function isServiceStop(signal: AbortSignal): boolean {
  return signal.reason instanceof StopRequest && signal.reason.signal === 'SIGTERM';
}

/** SIGINT/SIGTERM stopped the run after the in-flight work was saved. */
export class InterruptedError extends FabricSyncError {
  readonly exitCode = ExitCode.interrupted;
}

/**
 * A file could not be written: the disk is full (ENOSPC, EDQUOT), read-only, or failing (issue 13
 * item 5). Exit code 1, so a service manager restarts the run once space is freed; what was already
 * saved (the state file, the warehouse rows) is left as it was.
 */
export class StorageError extends FabricSyncError {
  readonly exitCode = ExitCode.failed;
  readonly code: string;
  readonly path: string;
  constructor(message: string, details: { code: string; path: string }, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.code = details.code;
    this.path = details.path;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), code: this.code, path: this.path };
  }
}

const STORAGE_PROBLEMS: Record<string, string> = {
  ENOSPC: 'no space is left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EFBIG: 'the file would be too large',
  EROFS: 'the file system is read-only',
  EIO: 'the device reported an input/output error',
  EACCES: 'permission was denied',
  EPERM: 'the operation is not permitted',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
};

/**
 * A file-system failure of ours (`action` on `path`) as a StorageError with one clear sentence, or
 * undefined when `e` is not such a failure. `kept` says what was left intact.
 */
export function storageErrorFrom(e: unknown, action: string, path: string, kept = 'nothing already saved was changed'): StorageError | undefined {
  if (e instanceof FabricSyncError) return undefined;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const problem = code ? STORAGE_PROBLEMS[code] : undefined;
  if (!code || !problem) return undefined;
  const full = code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';
  return new StorageError(`Could not ${action} ${path}: ${problem} (${code}); ${kept}.`, { code, path }, {
    hint: full
      ? 'Free space on the disk that holds this file (df -h), then run again: the run picks up where it stopped.'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'Run as a user that may write there, or point the setting (state.path, push.outDir, warehouse.duckdbPath) at a writable location.'
        : 'Check the disk, then run again.',
    cause: e,
  });
}

/** A bug: something that should not happen. */
export class InternalError extends FabricSyncError {
  readonly exitCode = ExitCode.failed;
}

export function isFabricSyncError(e: unknown): e is FabricSyncError {
  return e instanceof FabricSyncError;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** A refusal for authorisation reasons: no usable token, or a 401/403 answer. */
export function isAuthRefusal(e: unknown): boolean {
  return e instanceof AuthError || (e instanceof ApiError && (e.status === 401 || e.status === 403));
}

/** What each publisher reported for a model whose publishing failed, by the error it failed with. */
const failedOutcomes = new WeakMap<object, Record<string, object>>();

/** Remember the publishers' outcomes (one key per publisher) of the model that failed with `error`. */
export function recordFailedOutcomes(error: object, outcomes: Record<string, object>): void {
  failedOutcomes.set(error, outcomes);
}

/** The publishers' outcomes recorded for `error`, when it ended a model's publishing. */
export function outcomesOfFailure(error: unknown): Record<string, object> | undefined {
  return typeof error === 'object' && error !== null ? failedOutcomes.get(error) : undefined;
}

/** The error (or one it wraps) says the disk is full: our own files (StorageError) or the warehouse file's engine. */
export function isOutOfSpace(e: unknown): boolean {
  for (let at: unknown = e, depth = 0; at instanceof Error && depth < 5; at = at.cause, depth++) {
    if (at instanceof StorageError && OUT_OF_SPACE_CODES.has(at.code)) return true;
    if (/No space left on device|disk quota exceeded|no space is left on the device/i.test(at.message)) return true;
  }
  return false;
}

const OUT_OF_SPACE_CODES = new Set(['ENOSPC', 'EDQUOT']);
