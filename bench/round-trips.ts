// Benchmarks 2 and 6 (issue 8): round trips of one model sync through the built CLI, for the
// smallest and the largest model (of the corpus; without it, the smallest synthetic model and a
// generated one of about the largest corpus model's size) — Fabric requests and Snowflake statements when the model is
// new (its push twin does not exist yet) and when its push twin is up to date — and the shape of the
// Snowflake load for the largest model (rows per INSERT, bytes per request, statement count).
import path from 'node:path';
import { startFabricEmulator } from '../tests/support/fabric-emulator/index.js';
import { hasCorpus, type ModelEntry } from '../tests/support/paths.js';
import { runCli } from '../tests/support/run-cli.js';
import { startSnowflakeStandIn } from '../tests/support/snowflake-standin/index.js';
import { SF_PASSWORD, SF_USER, TOKEN, benchModels, bytesOf, classifyStatements, cliEnv, figure, isLroRequest, rowsOf, tempDir, type BenchOptions, type Figure } from './common.js';
import { writeGeneratedModel, type GeneratedModelSpec } from './generate-model.js';

interface RunCounts {
  fabric: number;
  lro: number;
  byRoute: Record<string, number>;
  statements: ReturnType<typeof classifyStatements>;
  logins: number;
}

/** A generated model of about the largest corpus model's size (916 metadata rows): one INSERT chunk. */
const GENERATED_LARGEST: GeneratedModelSpec = { tables: 24, columnsPerTable: 30, measuresPerTable: 8 };

/**
 * Smallest and largest model by column count (EXPECTED.json is the oracle). Without the corpus the
 * synthetic models are all small, so the largest is generated (bench/generate-model.ts).
 */
export function modelExtremes(): { smallest: ModelEntry; largest: ModelEntry } {
  const entries = benchModels().entries.sort((a, b) => Number(a.expected.columns) - Number(b.expected.columns) || a.id.localeCompare(b.id));
  if (hasCorpus) return { smallest: entries[0]!, largest: entries.at(-1)! };
  const gen = writeGeneratedModel(tempDir('rt-generated'), GENERATED_LARGEST);
  const largest: ModelEntry = {
    id: `generated-${GENERATED_LARGEST.tables}`,
    dir: gen.tmdlDir,
    tier: 'synthetic',
    expected: { format: 'TMDL', ...gen.counts },
  };
  return { smallest: entries[0]!, largest };
}

export async function benchRoundTrips(o: BenchOptions): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const { smallest, largest } = modelExtremes();
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  const stmts: Record<string, number> = {};
  for (const [label, entry] of [['smallest', smallest], ['largest', largest]] as const) {
    const r = await measureModel(entry, smallest, o);
    details[label] = { model: entry.id, columns: entry.expected.columns, new: { ...r.fresh.counts, sql: r.fresh.sql }, upToDate: r.again.counts, loadShape: r.loadShape, firstRunOnEmptyDatabase: r.firstRun };
    o.log(`  ${label} (${entry.id}): new ${r.fresh.counts.fabric} requests (${r.fresh.counts.lro} LRO), ${r.fresh.counts.statements.total} statements; up to date ${r.again.counts.fabric} requests, ${r.again.counts.statements.total} statements`);
    const b = '2 round trips';
    const name = `${label} (${entry.id})`;
    figures.push(figure(b, `${name}: Fabric requests, up to date, excl. LRO`, r.again.counts.fabric - r.again.counts.lro, 'req', { op: '<=', value: 3, text: '≤ 3 + LRO polls' }, { gating: true, note: `${r.again.counts.lro} LRO requests on top` }));
    figures.push(figure(b, `${name}: Fabric requests, new, excl. LRO`, r.fresh.counts.fabric - r.fresh.counts.lro, 'req', { op: '<=', value: 5, text: '≤ 5 + LRO polls' }, { gating: true, note: `${r.fresh.counts.lro} LRO requests on top` }));
    // A run's first model on a connection to existing tables: ALTER SESSION (lock and statement
    // timeouts) + the schema-version check + the session's load table, then the model's 14.
    figures.push(figure(b, `${name}: Snowflake statements, new`, r.fresh.counts.statements.total, 'stmt', { op: '<=', value: 17 }, {
      gating: true,
      note: `${r.fresh.counts.statements.ddl} DDL/ALTER SESSION + ${r.fresh.counts.statements.other} other; tables already exist`,
    }));
    figures.push(figure(b, `${name}: Snowflake statements per model transaction (BEGIN … COMMIT)`, r.fresh.perModel, 'stmt', { op: '<=', value: 14 }, { gating: true }));
    figures.push(figure(b, `${name}: Snowflake statements, up to date`, r.again.counts.statements.total, 'stmt', { op: '<=', value: 17 }, { gating: true }));
    stmts[label] = r.fresh.counts.statements.total;
    stmts[`${label}-model`] = r.fresh.perModel;
    if (label === 'largest') {
      const s = r.loadShape;
      const b6 = '6 load shape';
      figures.push(figure(b6, `largest (${entry.id}): INSERT statements`, s.inserts, 'stmt', undefined, { note: `${s.rows} rows in all` }));
      figures.push(figure(b6, 'largest: max rows per INSERT', s.maxRowsPerInsert, 'rows', { op: '<=', value: 1000 }));
      figures.push(figure(b6, 'largest: max bytes per statement request', s.maxBytes, 'bytes', { op: '<', value: 16 * 1024 * 1024, text: '< 16 MB' }));
      figures.push(figure(b6, 'largest: statements per model sync (as item 2)', r.fresh.counts.statements.total, 'stmt', { op: '<=', value: 17 }));
    }
  }
  const first = (details['smallest'] as { firstRunOnEmptyDatabase: { total: number; ddl: number } }).firstRunOnEmptyDatabase;
  figures.push(figure('2 round trips', 'Snowflake statements, first run on an empty database (smallest)', first.total, 'stmt', undefined, { note: `${first.ddl} DDL, once per installation` }));
  figures.push(figure('2 round trips', 'statements per model: largest − smallest (constant in size)', stmts['largest']! - stmts['smallest']!, 'stmt', { op: '==', value: 0 }, { gating: true }));
  return { figures, details };
}

async function measureModel(entry: ModelEntry, warmup: ModelEntry, o: BenchOptions) {
  const emu = await startFabricEmulator({ acceptTokens: [TOKEN], latencyMs: o.fabricLatencyMs, lroPolls: 1, lroRetryAfter: 0, validateResponses: false });
  const standIn = await startSnowflakeStandIn({ users: { [SF_USER]: SF_PASSWORD }, delayMs: o.snowflakeLatencyMs });
  try {
    const ws = emu.addWorkspace({ name: `bench-${entry.id}` });
    emu.addModel(ws, { name: path.basename(entry.id), path: entry.dir });
    const cwd = tempDir('rt');
    const env = cliEnv(emu, [ws], standIn);
    // The first run against an empty database also creates the metadata tables, once per
    // installation; every later run finds them. A warm-up run of another model in another
    // workspace takes that one-time cost, so the figures are those of an ordinary run.
    const warmWs = emu.addWorkspace({ name: 'bench-warmup' });
    emu.addModel(warmWs, { name: `warmup ${warmup.id}`, path: warmup.dir });
    const firstAt = standIn.statements.length;
    const first = await runCli(['convert', '--auto', '--json'], { cwd: tempDir('rt-warmup'), env: cliEnv(emu, [warmWs], standIn), timeoutMs: 300_000 });
    if (first.code !== 0) throw new Error(`warm-up convert --auto exited ${first.code}: ${first.stderr.slice(0, 2000)}`);
    const firstRun = classifyStatements(standIn.statements.slice(firstAt));
    const run = async () => {
      const logAt = emu.requestLog.length;
      const stAt = standIn.statements.length;
      const loginsAt = standIn.logins;
      const r = await runCli(['convert', '--auto', '--json'], { cwd, env, timeoutMs: 300_000 });
      if (r.code !== 0) throw new Error(`convert --auto exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
      const log = emu.requestLog.slice(logAt);
      const byRoute: Record<string, number> = {};
      for (const x of log) {
        const key = `${x.method} ${x.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, '{id}')}`;
        byRoute[key] = (byRoute[key] ?? 0) + 1;
      }
      const statements = standIn.statements.slice(stAt);
      const counts: RunCounts = {
        fabric: log.length,
        lro: log.filter((x) => isLroRequest(x.path)).length,
        byRoute,
        statements: classifyStatements(statements),
        logins: standIn.logins - loginsAt,
      };
      const begin = statements.findIndex((s) => s.sqlText === 'BEGIN');
      const perModel = begin < 0 ? 0 : statements.slice(begin).findIndex((s) => s.sqlText === 'COMMIT') + 1;
      return { counts, perModel, statements, sql: statements.map((s) => s.sqlText.replace(/\s+/g, ' ').slice(0, 90)), doc: JSON.parse(r.stdout) as { synced: number; unchanged: number } };
    };
    const fresh = await run();
    if (fresh.doc.synced !== 1) throw new Error(`expected the first run to sync the model, got ${JSON.stringify(fresh.doc).slice(0, 300)}`);
    const again = await run();
    if (again.doc.unchanged !== 1) throw new Error(`expected the second run to find the model up to date, got ${JSON.stringify(again.doc).slice(0, 300)}`);
    // Load statements: INSERTs that carry bound rows (not the one-row lock seeding).
    const inserts = fresh.statements.filter((s) => /^\s*INSERT\b[^]*\bVALUES\s*\(/i.test(s.sqlText));
    const loadShape = {
      inserts: inserts.length,
      rows: inserts.reduce((n, s) => n + rowsOf(s), 0),
      maxRowsPerInsert: Math.max(0, ...inserts.map(rowsOf)),
      maxBytes: Math.max(0, ...fresh.statements.map(bytesOf)),
      totalBytes: fresh.statements.reduce((n, s) => n + bytesOf(s), 0),
    };
    return { fresh, again, loadShape, firstRun };
  } finally {
    await emu.close();
    await standIn.close();
  }
}
