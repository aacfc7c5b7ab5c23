// Shared by the reliability suite (issue 9): a seedable random source, small in-memory models, the
// stand-ins, the environment that points the built CLI at them, and the warehouse/push invariants
// every area checks ("each model exactly once, with the right counts; exactly one push twin").
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFabricEmulator, type EmulatorOptions, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { startSnowflakeStandIn, type SnowflakeStandIn, type StandInOptions } from '../support/snowflake-standin/index.js';
import { standInEnv } from '../support/stand-in-env.js';

export const TOKEN = 'reliability-token';
export const SF_USER = 'FABRIC_SYNC';
export const SF_PASSWORD = 'reliability-sf-password';

export { prng } from '../support/stand-in-env.js';

export interface SmallModel {
  name: string;
  /** Table names (each gets Id, Name and Amount columns); default three tables. */
  tables?: string[];
  /** Expression of the `Total` measure on the first table. */
  measure?: string;
  /** Column names to use instead of Id/Name/Amount (hostile-name tests). */
  columns?: string[];
}

/** A small Import model as getDefinition answers it in TMSL (`model.bim` + `definition.pbism`). */
export function modelParts(spec: SmallModel): { path: string; text: string }[] {
  const tables = spec.tables ?? ['Sales', 'Products', 'Customers'];
  const columns = spec.columns ?? ['Id', 'Name', 'Amount'];
  const bim = {
    name: spec.name,
    compatibilityLevel: 1567,
    model: {
      culture: 'en-US',
      tables: tables.map((t, i) => ({
        name: t,
        columns: columns.map((c, j) => ({ name: c, dataType: j === 0 ? 'int64' : j === 2 ? 'decimal' : 'string', sourceColumn: c, summarizeBy: 'none' })),
        partitions: [{ name: `${t}-p`, mode: 'import', source: { type: 'm', expression: 'let Source = #table({"Id"}, {}) in Source' } }],
        ...(i === 0 ? { measures: [{ name: 'Total', expression: spec.measure ?? 'SUM(Sales[Amount])' }] } : {}),
      })),
    },
  };
  return [
    { path: 'model.bim', text: JSON.stringify(bim, null, 2) },
    { path: 'definition.pbism', text: JSON.stringify({ version: '4.0', settings: {} }) },
  ];
}

/** Replaces the measure expression of a `model.bim` part made by `modelParts`. */
export function withMeasure(text: string, expression: string): string {
  const bim = JSON.parse(text);
  bim.model.tables[0].measures[0].expression = expression;
  return JSON.stringify(bim, null, 2);
}

export interface World {
  emu: FabricEmulator;
  standIn: SnowflakeStandIn;
  close(): Promise<void>;
}

export async function startWorld(emuOptions: EmulatorOptions = {}, sfOptions: StandInOptions = {}): Promise<World> {
  const emu = await startFabricEmulator({ acceptTokens: [TOKEN], lroPolls: 1, lroRetryAfter: 0, ...emuOptions });
  const standIn = await startSnowflakeStandIn({ users: { [SF_USER]: SF_PASSWORD }, ...sfOptions });
  const world: World = {
    emu,
    standIn,
    // The current stand-in: a test may restart it over the same file.
    async close() {
      await world.emu.close();
      await world.standIn.close();
    },
  };
  return world;
}

/** Environment of a spawned CLI pointed at the emulator and (unless `duckdb`) the Snowflake stand-in. */
export function cliEnv(world: World, workspaces: string[], extra: Record<string, string> = {}): Record<string, string> {
  return standInEnv({ emu: world.emu, token: TOKEN, workspaces, snowflake: { standIn: world.standIn, user: SF_USER, password: SF_PASSWORD }, extra });
}

/** A fresh working folder, optionally with a `fabric-sync.config.json` (small timeouts for fault runs). */
export function workdir(prefix: string, config?: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), `fs-rel-${prefix}-`));
  if (config !== undefined) writeFileSync(path.join(dir, 'fabric-sync.config.json'), JSON.stringify(config, null, 2));
  return dir;
}

/**
 * Config that keeps every wait short: a fault run must end in seconds, not minutes. The timeout is
 * the whole of one attempt (send to last byte), and the budget bounds a whole operation too (a
 * getDefinition that is answered at once still takes two polls), so both leave room for a CI machine
 * running a dozen CLIs at once: at 3 s, a healthy operation on a starved machine ran out of budget.
 */
export const FAST_CONFIG = { fabric: { timeoutSeconds: 5, maxRetries: 2, throttleBudgetSeconds: 8 } };

/** Adds `n` small models named `${prefix} NN` to a new workspace; returns the workspace and id → name. */
export function seedWorkspace(emu: FabricEmulator, prefix: string, n: number): { ws: string; models: Map<string, string> } {
  const ws = emu.addWorkspace({ name: `ws-${prefix}` });
  const models = new Map<string, string>();
  for (let i = 1; i <= n; i++) {
    const name = `${prefix} ${String(i).padStart(2, '0')}`;
    models.set(emu.addModel(ws, { name, parts: modelParts({ name }) }), name);
  }
  return { ws, models };
}

/**
 * The warehouse invariants for the given models (id → source name): each exactly once in
 * `_SEMANTIC_METADATA`, with `tables` rows in `_SEMANTIC_TABLES` and `tables × 3` in
 * `_SEMANTIC_COLUMNS`. `partialOk`: models may be missing, but none may be half written.
 * Returns the problems found (empty when all hold).
 */
export async function warehouseProblems(standIn: SnowflakeStandIn, models: Map<string, string>, options: { tables?: number; partialOk?: boolean } = {}): Promise<string[]> {
  const tables = options.tables ?? 3;
  const problems: string[] = [];
  const ids = [...models.keys()];
  const inList = ids.map((id) => `'${id}'`).join(', ');
  // A run killed between two CREATE TABLEs leaves only some of the tables (DDL commits at once).
  const existing = new Set((await standIn.query(`SELECT table_name FROM information_schema.tables`)).map((r) => String(r.table_name)));
  if (!existing.has('_SEMANTIC_METADATA')) return options.partialOk ? [] : ['no _SEMANTIC_METADATA table'];
  const countBy = async (table: string) =>
    existing.has(table) ? standIn.query(`SELECT MODEL_ID, count(*) AS n FROM ${table} WHERE MODEL_ID IN (${inList}) GROUP BY MODEL_ID`) : [];
  const meta = await countBy('_SEMANTIC_METADATA');
  const t = await countBy('_SEMANTIC_TABLES');
  const c = await countBy('_SEMANTIC_COLUMNS');
  const count = (rows: Record<string, unknown>[]) => new Map(rows.map((r) => [String(r.MODEL_ID), Number(r.n)]));
  const [m, tt, cc] = [count(meta), count(t), count(c)];
  for (const id of ids) {
    const name = models.get(id);
    const n = m.get(id) ?? 0;
    if (n > 1) problems.push(`${name}: ${n} metadata rows`);
    if (n === 0) {
      if (!options.partialOk) problems.push(`${name}: missing from _SEMANTIC_METADATA`);
      if ((tt.get(id) ?? 0) > 0 || (cc.get(id) ?? 0) > 0) problems.push(`${name}: table/column rows without a metadata row (partial write)`);
      continue;
    }
    if ((tt.get(id) ?? 0) !== tables) problems.push(`${name}: ${tt.get(id) ?? 0} table rows, expected ${tables}`);
    if ((cc.get(id) ?? 0) !== tables * 3) problems.push(`${name}: ${cc.get(id) ?? 0} column rows, expected ${tables * 3}`);
  }
  return problems;
}

/** Push twins in a workspace whose name occurs more than once, or twins of models that are not expected. */
export function twinProblems(emu: FabricEmulator, ws: string, models: Map<string, string>, options: { partialOk?: boolean } = {}): string[] {
  const names = emu.pushDatasets(ws).map((d) => d.name);
  const problems: string[] = [];
  const expected = new Set([...models.values()].map((n) => `${n}_PushSync`));
  for (const n of new Set(names)) {
    const k = names.filter((x) => x === n).length;
    if (k > 1) problems.push(`${n}: ${k} push datasets`);
    if (!expected.has(n)) problems.push(`${n}: unexpected push dataset`);
  }
  if (!options.partialOk) for (const n of expected) if (!names.includes(n)) problems.push(`${n}: missing push dataset`);
  return problems;
}
