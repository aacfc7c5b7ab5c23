// Shared by the monitor end-to-end tests (issue 6 "Must show"): a small in-memory model, the env
// that points the built CLI at the Fabric emulator and the Snowflake stand-in, and a spawned
// `monitor` whose stdout is read line by line so a test can act on events as they arrive instead
// of sleeping blind.
import type { ChildProcess } from 'node:child_process';
import type { FabricEmulator } from '../support/fabric-emulator/index.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import type { SnowflakeStandIn } from '../support/snowflake-standin/index.js';
import { standInEnv } from '../support/stand-in-env.js';

export const TOKEN = 'e2e-monitor-token';

export interface ModelSpec {
  name: string;
  /** Tables with their columns; the first column of each is its key. */
  tables?: Record<string, string[]>;
  /** Expression of the `Total Sales` measure on the first table (change it to change the model). */
  measure?: string;
}

const SALES_TABLES: Record<string, string[]> = {
  Sales: ['SaleId', 'ProductId', 'CustomerId', 'Amount'],
  Products: ['ProductId', 'ProductName'],
  Customers: ['CustomerId', 'CustomerName'],
};

/** A small Import model as getDefinition returns it in TMSL: `model.bim` + `definition.pbism`. */
export function bimParts(spec: ModelSpec): { path: string; text: string }[] {
  const tables = spec.tables ?? SALES_TABLES;
  const names = Object.keys(tables);
  const first = names[0]!;
  const bim = {
    name: spec.name,
    compatibilityLevel: 1567,
    model: {
      culture: 'en-US',
      defaultPowerBIDataSourceVersion: 'powerBI_V3',
      tables: names.map((t, i) => ({
        name: t,
        columns: tables[t]!.map((c) => ({ name: c, dataType: /Amount/.test(c) ? 'decimal' : /Id$/.test(c) ? 'int64' : 'string', sourceColumn: c, summarizeBy: 'none' })),
        partitions: [{ name: t, mode: 'import', source: { type: 'm', expression: `let Source = #table({${tables[t]!.map((c) => `"${c}"`).join(', ')}}, {}) in Source` } }],
        ...(i === 0 ? { measures: [{ name: 'Total Sales', expression: spec.measure ?? `SUM('${first}'[${tables[first]!.at(-1)}])` }] } : {}),
      })),
      relationships: names.slice(1).flatMap((t) => {
        const key = tables[t]![0]!;
        return tables[first]!.includes(key) ? [{ name: `${first}_${t}`, fromTable: first, fromColumn: key, toTable: t, toColumn: key }] : [];
      }),
    },
  };
  return [
    { path: 'model.bim', text: JSON.stringify(bim, null, 2) },
    { path: 'definition.pbism', text: JSON.stringify({ version: '4.0', settings: {} }) },
  ];
}

/** Replaces the measure expression inside an existing `model.bim` part. */
export function withMeasure(text: string, expression: string): string {
  const bim = JSON.parse(text);
  bim.model.tables[0].measures[0].expression = expression;
  return JSON.stringify(bim, null, 2);
}

export const STANDIN_USER = 'FABRIC_SYNC';
export const STANDIN_PASSWORD = 'e2e-secret';

export function monitorEnv(emu: FabricEmulator, workspaces: string[], standIn?: SnowflakeStandIn, extra: Record<string, string> = {}): Record<string, string> {
  return standInEnv({ emu, token: TOKEN, workspaces, ...(standIn ? { snowflake: { standIn, user: STANDIN_USER, password: STANDIN_PASSWORD } } : {}), extra });
}

export type MonitorEventJson = Record<string, unknown> & { type: string; cycle: number };

export interface SpawnedMonitor {
  child: ChildProcess;
  /** Every NDJSON event so far (with --json), in order. */
  events: MonitorEventJson[];
  /** Every line of stdout and stderr so far. */
  lines: string[];
  /** Resolves with the first event (after index `from`) matching `pred`; rejects after `timeoutMs` or when the process ends first. */
  waitFor(pred: (e: MonitorEventJson) => boolean, timeoutMs?: number, from?: number): Promise<MonitorEventJson>;
  /** Resolves with the first output line matching `re`. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  done: Promise<CliResult>;
}

/** Spawns the built CLI and follows its output incrementally. */
export function spawnMonitor(args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs?: number }): SpawnedMonitor {
  const events: MonitorEventJson[] = [];
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let child!: ChildProcess;
  let ended = false;
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  const follow = (stream: NodeJS.ReadableStream | null, isStdout: boolean) => {
    let buf = '';
    stream?.on('data', (d: Buffer | string) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (isStdout && line.startsWith('{')) {
          try {
            const e = JSON.parse(line) as MonitorEventJson;
            if (typeof e.type === 'string') events.push(e);
          } catch {
            /* not an event line */
          }
        }
      }
      notify();
    });
  };
  const done = runCli(args, {
    cwd: options.cwd,
    env: options.env,
    timeoutMs: options.timeoutMs ?? 80_000,
    onSpawn: (c) => {
      child = c;
      follow(c.stdout, true);
      follow(c.stderr, false);
    },
  }).finally(() => {
    ended = true;
    notify();
  });
  const wait = <T>(probe: () => T | undefined, what: string, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const hit = probe();
        if (hit !== undefined) {
          cleanup();
          resolve(hit);
        } else if (ended) {
          cleanup();
          reject(new Error(`monitor ended before ${what}; output:\n${lines.join('\n')}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; output:\n${lines.join('\n')}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return {
    get child() {
      return child;
    },
    events,
    lines,
    waitFor: (pred, timeoutMs = 20_000, from = 0) => wait(() => events.slice(from).find(pred), 'an event', timeoutMs),
    waitForLine: (re, timeoutMs = 20_000) => wait(() => lines.find((l) => re.test(l)), `a line matching ${re}`, timeoutMs),
    done,
  };
}

/** The emulator's successful write requests (push dataset create/update/delete), from a request-log index on. */
export function pushWrites(emu: FabricEmulator, since: number): string[] {
  return emu.requestLog
    .slice(since)
    .filter((r) => r.method !== 'GET' && r.status < 300 && !/getDefinition|executeQueries/.test(r.path))
    .map((r) => `${r.method} ${r.path}`);
}

/** Statements the stand-in ran after `since` (a statements-array length). */
export function statementsSince(standIn: SnowflakeStandIn, since: number): string[] {
  return standIn.statements.slice(since).map((s) => s.sqlText);
}
