// The data `validate` returns (issue 7 item 1): one Check per line of the checklist, and the one rule
// that turns a checklist into an exit code. Commands render it; nothing here prints.
import type { Clock } from '../context.js';
import { ApiError, AuthError, ExitCode, type FabricSyncError, isFabricSyncError } from '../errors.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';
export type CheckArea = 'config' | 'entra' | 'fabric' | 'push' | 'warehouse' | 'state';
/**
 * Why a check failed; decides the exit code. `permission`: a credential or a right is missing
 * (Entra login, workspace role, tenant setting, Snowflake login or grant, a directory we may not
 * write). `other`: anything else (a host that cannot be reached, a locked state file).
 */
export type FailureKind = 'config' | 'permission' | 'other';

export interface Check {
  /** Stable id, e.g. `entra.fabric`, `fabric.role:<workspaceId>`, `snowflake.privileges`. */
  id: string;
  area: CheckArea;
  status: CheckStatus;
  /** One line: what was checked and what was found. */
  message: string;
  /** One line: how to fix it (fail/warn), or what was not covered. */
  hint?: string;
  /** Extra lines (the `path: problem` list of an invalid config). */
  details?: string[];
  /** Set on failed checks only. */
  failure?: FailureKind;
  durationMs: number;
}

export interface CheckSummary {
  ok: number;
  warn: number;
  fail: number;
  skip: number;
}

export interface ValidationReport {
  /** No check failed. */
  ok: boolean;
  exitCode: ExitCode;
  summary: CheckSummary;
  checks: Check[];
}

/**
 * The exit-code rule of `validate` (README "validate: checking permissions"): 2 when the config is
 * invalid, else 3 when any check failed for a missing credential or permission, else 1 when any
 * other check failed, else 0. Warnings never change the exit code.
 */
export function exitCodeFor(checks: readonly Check[]): ExitCode {
  const fails = checks.filter((c) => c.status === 'fail');
  if (fails.some((c) => c.failure === 'config')) return ExitCode.usage;
  if (fails.some((c) => c.failure === 'permission')) return ExitCode.auth;
  if (fails.length > 0) return ExitCode.failed;
  return ExitCode.ok;
}

export function summarise(checks: readonly Check[]): ValidationReport {
  const summary: CheckSummary = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) summary[c.status] += 1;
  return { ok: summary.fail === 0, exitCode: exitCodeFor(checks), summary, checks: [...checks] };
}

/** What a probe returns when it did not throw. */
export type Outcome = Pick<Check, 'status' | 'message'> & Partial<Pick<Check, 'hint' | 'details' | 'failure'>>;

/** Runs one probe, timing it; a thrown error becomes a `fail` classified by its type. */
export async function probe(id: string, area: CheckArea, clock: Clock, run: () => Promise<Outcome>, describe?: (e: unknown) => Outcome | undefined): Promise<Check> {
  const started = clock.now();
  let outcome: Outcome;
  try {
    outcome = await run();
  } catch (e) {
    outcome = describe?.(e) ?? failOf(e);
  }
  return { id, area, ...outcome, durationMs: Math.max(0, clock.now() - started) };
}

export function skip(id: string, area: CheckArea, message: string, hint?: string): Check {
  return { id, area, status: 'skip', message, ...(hint ? { hint } : {}), durationMs: 0 };
}

/** A failed outcome from an error: its one-line message, its hint, and whether it is a permission problem. */
export function failOf(e: unknown, prefix?: string): Outcome {
  const text = firstLine(e instanceof Error ? e.message : String(e));
  const hint = isFabricSyncError(e) ? (e as FabricSyncError).hint : undefined;
  return { status: 'fail', message: prefix ? `${prefix}: ${text}` : text, ...(hint ? { hint } : {}), failure: failureKind(e) };
}

export function failureKind(e: unknown): FailureKind {
  if (e instanceof AuthError) return 'permission';
  if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return 'permission';
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'permission';
  return 'other';
}

export function firstLine(s: string): string {
  const line = (s.split('\n')[0] ?? s).trim();
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}
