// Shared pieces of the benchmark suite (issue 8): figures with their targets, the run options, the
// stand-ins' environment for the spawned CLI, and small measuring helpers.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FabricEmulator } from '../tests/support/fabric-emulator/index.js';
import { corpusEntries, hasCorpus, syntheticEntries, type ModelEntry } from '../tests/support/paths.js';
import type { RecordedStatement, SnowflakeStandIn } from '../tests/support/snowflake-standin/index.js';
import { standInEnv } from '../tests/support/stand-in-env.js';

/**
 * The models benchmarks sync: the corpus's real models when ../shared is present (CI, and the figures
 * in README), otherwise the repository's synthetic ones, so `npm run bench` works in a fresh clone.
 * `label` names the set in figure names and logs.
 */
export function benchModels(): { label: 'corpus' | 'synthetic models'; entries: ModelEntry[] } {
  return hasCorpus ? { label: 'corpus', entries: corpusEntries() } : { label: 'synthetic models', entries: syntheticEntries() };
}

export interface BenchOptions {
  quick: boolean;
  /** Injected latency of every Fabric / Power BI request (default 80 ms). */
  fabricLatencyMs: number;
  /** Injected latency of every Snowflake statement (default 60 ms). */
  snowflakeLatencyMs: number;
  /** Benchmarks to run (1–7); all when empty. */
  only: number[];
  log: (line: string) => void;
}

export type Op = '<=' | '<' | '>=' | '>' | '==';

export interface Target {
  op: Op;
  value: number;
  /** How the target reads in the table when it is not just `op value` (e.g. `≤ 3 + LRO polls`). */
  text?: string;
}

export interface Figure {
  /** Benchmark number and name, e.g. `2 round trips`. */
  bench: string;
  name: string;
  value: number;
  unit: string;
  target?: Target;
  pass?: boolean;
  /** A deterministic count target: `--quick` fails when it is missed (issue 8, Must show). */
  gating?: boolean;
  note?: string;
}

export function check(value: number, t: Target): boolean {
  switch (t.op) {
    case '<=': return value <= t.value;
    case '<': return value < t.value;
    case '>=': return value >= t.value;
    case '>': return value > t.value;
    default: return value === t.value;
  }
}

export function figure(bench: string, name: string, value: number, unit: string, target?: Target, extra: { gating?: boolean; note?: string } = {}): Figure {
  return { bench, name, value, unit, ...(target ? { target, pass: check(value, target) } : {}), ...extra };
}

export function targetText(t: Target): string {
  return t.text ?? `${{ '<=': '≤', '<': '<', '>=': '≥', '>': '>', '==': '=' }[t.op]} ${t.value}`;
}

export const TOKEN = 'bench-token';
export const SF_USER = 'FABRIC_SYNC';
export const SF_PASSWORD = 'bench-secret';

/** Environment that points the built CLI at the stand-ins (only variables a user would set). */
export function cliEnv(emu: FabricEmulator, workspaces: string[], standIn: SnowflakeStandIn | null, extra: Record<string, string> = {}): Record<string, string> {
  return standInEnv({ emu, token: TOKEN, workspaces, ...(standIn ? { snowflake: { standIn, user: SF_USER, password: SF_PASSWORD } } : { target: 'none' }), extra });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `fabric-sync-bench-${prefix}-`));
}

/** Requests to the Fabric long-running-operation endpoints (state polls and the result fetch). */
export function isLroRequest(p: string): boolean {
  return p.startsWith('/v1/operations/');
}

/** Statements of a recording, split into per-connection DDL and the per-model rest. */
export function classifyStatements(statements: readonly RecordedStatement[]): { ddl: number; other: number; total: number } {
  const ddl = statements.filter((s) => /^\s*(CREATE|ALTER|COMMENT|DROP)\b/i.test(s.sqlText)).length;
  return { ddl, other: statements.length - ddl, total: statements.length };
}

/** Rows carried by one recorded statement: the length of its array binds, or 1 with scalar binds. */
export function rowsOf(s: RecordedStatement): number {
  const binds = s.binds as Record<string, { value: unknown }> | undefined;
  if (!binds) return 0;
  const first = Object.values(binds)[0];
  if (!first) return 0;
  return Array.isArray(first.value) ? first.value.length : 1;
}

/** Bytes of the statement's query-request body as the driver sends it (sqlText + bindings, JSON). */
export function bytesOf(s: RecordedStatement): number {
  return Buffer.byteLength(JSON.stringify({ sqlText: s.sqlText, bindings: s.binds ?? undefined }));
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}
