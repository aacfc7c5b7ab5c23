// The pure warehouse planner (issue 5 item 1): statement order, quoting, binds only for Power BI
// strings, chunking, and a statement count that does not grow with the model.
import { describe, expect, it } from 'vitest';
import { canonicalModel } from '../../src/core/schema/canonical.js';
import { fingerprint } from '../../src/core/schema/fingerprint.js';
import { loadModel } from '../../src/core/schema/load.js';
import type { Column, SemanticModel, Table } from '../../src/core/schema/model.js';
import type { Dialect } from '../../src/core/warehouse/dialect.js';
import { quoteIdent } from '../../src/core/warehouse/dialect.js';
import { INSERT_CHUNK_ROWS, planMarkDeleted, planModelSync, type Statement, type SyncContext } from '../../src/core/warehouse/plan.js';
import { modelEntries } from '../support/paths.js';

const HOSTILE = ['x"; DROP TABLE _SEMANTIC_METADATA; --', "O'Brien", 'Ünïcödé 表', 'L'.repeat(299) + 'Z'];

function column(name: string, extra: Partial<Column> = {}): Column {
  return { name, dataType: 'string', kind: 'data', isHidden: false, isKey: false, ...extra };
}
function table(name: string, columns: Column[], extra: Partial<Table> = {}): Table {
  return { name, isHidden: false, kind: 'data', storageMode: 'import', partitions: [], columns, measures: [], hierarchies: [], ...extra };
}
function model(name: string, tables: Table[], extra: Partial<SemanticModel> = {}): SemanticModel {
  return { name, tables, relationships: [], roles: [], perspectives: [], cultures: [], expressions: [], functions: [], dataSources: 0, ...extra };
}
function ctx(m: SemanticModel, id = 'model-1'): SyncContext {
  return {
    modelId: id,
    publishedName: `${m.name}_PushSync`,
    sourceName: m.name,
    workspaceId: null,
    pushDatasetId: null,
    sourceFormat: 'BIM',
    storageMode: 'import',
    fingerprint: fingerprint(m),
    definition: canonicalModel(m),
    syncedAt: new Date('2026-01-02T03:04:05.678Z'),
    runId: 'run',
    toolVersion: '0.1.0',
  };
}

function hostileModel(): SemanticModel {
  const [a, b, c, d] = HOSTILE as [string, string, string, string];
  return model(a, [
    table(b, [column(a), column(b), column(c, { dataType: 'int64' }), column(d)], {
      measures: [
        { name: a, expression: 'SUM(1)', isHidden: false },
        { name: c, expression: `"${b}"`, isHidden: true, displayFolder: d },
      ],
    }),
    table(c, [column(d)]),
    table(d, [column(c)]),
  ], {
    relationships: [{ name: a, fromTable: b, fromColumn: c, toTable: c, toColumn: d, fromCardinality: 'many', toCardinality: 'one', crossFilteringBehavior: 'oneDirection', isActive: true }],
    description: b,
  });
}

/** Removes string literals and quoted identifiers; what is left must be SQL words we wrote. */
function bareWords(sql: string): string[] {
  const stripped = sql.replace(/'(?:[^']|'')*'/g, ' ').replace(/"(?:[^"]|"")*"/g, ' ');
  return stripped.match(/[A-Za-z_][A-Za-z0-9_$]*/g) ?? [];
}

const SQL_WORDS = new Set(
  ('CREATE TABLE TEMPORARY IF NOT EXISTS NULL COMMENT ON IS VARCHAR NUMBER BOOLEAN TIMESTAMP_NTZ VARIANT BIGINT TIMESTAMP JSON ' +
    'BEGIN COMMIT DELETE FROM INSERT INTO VALUES MERGE USING SELECT AS CAST PARSE_JSON JSON_EXTRACT_PATH_TEXT WHERE AND OR ' +
    'WHEN MATCHED THEN UPDATE SET DISTINCT CASE ELSE END t s l COLUMN').split(' '),
);

const all = (plans: { ddl: Statement[]; transaction: Statement[] }): Statement[] => [...plans.ddl, ...plans.transaction];

describe.each(['snowflake', 'duckdb'] as Dialect[])('planModelSync (%s)', (dialect) => {
  const m = hostileModel();
  const plan = planModelSync(m, null, ctx(m), dialect);

  it('puts every DDL statement before BEGIN and ends with COMMIT', () => {
    expect(plan.ddl.every((s) => /^(CREATE|COMMENT ON) /.test(s.sql))).toBe(true);
    expect(plan.ddl.some((s) => s.sql.startsWith('CREATE TEMPORARY TABLE IF NOT EXISTS "_SEMANTIC_LOAD"'))).toBe(true);
    expect(plan.transaction[0]?.sql).toBe('BEGIN');
    expect(plan.transaction[1]?.sql).toMatch(/^INSERT INTO "_SEMANTIC_LOAD" \("BATCH", /);
    expect(plan.transaction.at(-1)?.sql).toBe('COMMIT');
    expect(plan.transaction.some((s) => /^(CREATE|ALTER|DROP|COMMENT)\b/.test(s.sql))).toBe(false);
    expect(plan.transaction.map((s) => s.sql.split(' ')[0])).toEqual([
      'BEGIN', 'INSERT', 'MERGE', 'MERGE', 'DELETE', 'MERGE', 'DELETE', 'MERGE', 'DELETE', 'MERGE', 'DELETE', 'COMMIT',
    ]);
  });

  it('quotes every identifier: only SQL words and the aliases t, s, l are bare', () => {
    for (const st of all(plan)) {
      const unknown = bareWords(st.sql).filter((w) => !SQL_WORDS.has(w) && !SQL_WORDS.has(w.toUpperCase()));
      expect(unknown, st.sql.slice(0, 120)).toEqual([]);
    }
  });

  it('sends hostile Power BI names only as bind values', () => {
    const text = all(plan).map((s) => s.sql).join('\n');
    for (const name of HOSTILE) expect(text).not.toContain(name);
    expect(text).not.toContain('Brien');
    expect(text).not.toContain('表');
    const binds = JSON.stringify(all(plan).map((s) => s.binds ?? []));
    for (const name of HOSTILE) expect(binds).toContain(JSON.stringify(name).slice(1, -1));
  });

  it('uses one MATCHED and one NOT MATCHED clause per MERGE, and no JSON parsing inside VALUES', () => {
    const merges = plan.transaction.filter((s) => s.sql.startsWith('MERGE'));
    expect(merges).toHaveLength(5);
    for (const st of merges) {
      expect(st.sql.match(/WHEN MATCHED/g)).toHaveLength(1);
      expect(st.sql.match(/WHEN NOT MATCHED/g)).toHaveLength(1);
      expect(st.sql).toMatch(/WHEN MATCHED AND \(.*IS DISTINCT FROM/);
    }
    for (const st of plan.transaction.filter((s) => s.sql.startsWith('INSERT'))) {
      expect(st.sql).not.toMatch(/PARSE_JSON|CAST/);
      const placeholders = (st.sql.match(/\?/g) ?? []).length;
      expect(Array.isArray(st.binds?.[0])).toBe(true);
      for (const row of st.binds as unknown[][]) expect(row).toHaveLength(placeholders);
    }
  });

  it('binds exactly one value per placeholder in scalar statements', () => {
    for (const st of plan.transaction.filter((s) => !s.sql.startsWith('INSERT'))) {
      expect((st.sql.match(/\?/g) ?? []).length, st.purpose).toBe((st.binds ?? []).length);
    }
  });

  it('updates SYNC_COUNT and LAST_SYNCED_AT only when the fingerprint changed', () => {
    const merge = plan.transaction.find((s) => s.sql.startsWith('MERGE INTO "_SEMANTIC_METADATA"'))!.sql;
    expect(merge).toContain('"SYNC_COUNT" = t."SYNC_COUNT" + CASE WHEN t."FINGERPRINT" IS DISTINCT FROM s."FINGERPRINT" THEN 1 ELSE 0 END');
    expect(merge).toContain('"LAST_SYNCED_AT" = CASE WHEN t."FINGERPRINT" IS DISTINCT FROM s."FINGERPRINT" THEN s."LAST_SYNCED_AT" ELSE t."LAST_SYNCED_AT" END');
    // Bookkeeping columns are not compared, or every run would rewrite the row.
    const condition = /WHEN MATCHED AND \((.*?)\) THEN/.exec(merge)![1]!;
    for (const c of ['RUN_ID', 'TOOL_VERSION', 'LAST_SYNCED_AT', 'SYNC_COUNT', 'FIRST_SYNCED_AT']) expect(condition).not.toContain(`"${c}"`);
  });

  it('chunks the load INSERT at 1,000 rows', () => {
    const cols = Array.from({ length: 2 * INSERT_CHUNK_ROWS + 499 }, (_, i) => column(`c${i}`));
    const big = model('big', [table('t', cols)]);
    const inserts = planModelSync(big, null, ctx(big), dialect).transaction.filter((s) => s.sql.startsWith('INSERT'));
    // 2,499 columns + 1 table row = 2,500 load rows.
    expect(inserts.map((s) => (s.binds as unknown[][]).length)).toEqual([1000, 1000, 500]);
  });

  it('marks a deleted model without erasing it', () => {
    const p = planMarkDeleted('model-1', new Date('2026-02-03T04:05:06.007Z'), dialect);
    expect(p.transaction).toHaveLength(1);
    expect(p.transaction[0]!.sql).toMatch(/^UPDATE "_SEMANTIC_METADATA" SET "DELETED_AT" = CAST\(\? AS TIMESTAMP(_NTZ)?\) WHERE "MODEL_ID" = \? AND "DELETED_AT" IS NULL$/);
    expect(p.transaction[0]!.binds).toEqual(['2026-02-03 04:05:06.007', 'model-1']);
  });
});

describe('statement count', () => {
  it('is the same for every model, smallest to largest (one INSERT chunk up to 1,000 objects)', async () => {
    const counts: Record<string, { ddl: number; transaction: number; loadRows: number }> = {};
    for (const entry of modelEntries()) {
      const { model: m } = await loadModel(entry.dir);
      const plan = planModelSync(m, null, ctx(m, entry.id), 'snowflake');
      const rows = plan.transaction.filter((s) => s.sql.startsWith('INSERT')).reduce((n, s) => n + (s.binds as unknown[][]).length, 0);
      counts[entry.id] = { ddl: plan.ddl.length, transaction: plan.transaction.length, loadRows: rows };
    }
    const values = Object.values(counts);
    expect(new Set(values.map((v) => v.transaction))).toEqual(new Set([12]));
    expect(new Set(values.map((v) => v.ddl))).toEqual(new Set([6]));
    // One load row per table, column, measure and relationship.
    for (const e of modelEntries()) {
      const x = (k: string) => Number(e.expected[k]);
      expect(counts[e.id]!.loadRows, e.id).toBe(x('tables') + x('columns') + x('measures') + x('relationships'));
    }
  });

  it('DuckDB has the same statement count, its COMMENT ONs riding in the CREATE request', () => {
    const m = hostileModel();
    const sf = planModelSync(m, null, ctx(m), 'snowflake');
    const dd = planModelSync(m, null, ctx(m), 'duckdb');
    expect(dd.transaction).toHaveLength(sf.transaction.length);
    expect(dd.ddl).toHaveLength(sf.ddl.length);
    expect(sf.ddl.every((s) => !s.sql.includes(';'))).toBe(true);
    expect(sf.ddl[0]!.sql).toContain(`"MODEL_ID" VARCHAR NOT NULL COMMENT 'Id of the source semantic model`);
    expect(dd.ddl[0]!.sql).toContain(`; COMMENT ON COLUMN "_SEMANTIC_METADATA"."MODEL_ID" IS 'Id of the source semantic model`);
    // The temporary load table carries no comments on either side.
    expect(dd.ddl.at(-1)!.sql).not.toContain('COMMENT');
  });
});

describe('quoteIdent', () => {
  it.each([
    ['plain', '"plain"'],
    ['a"b', '"a""b"'],
    ['x"; DROP TABLE _SEMANTIC_METADATA; --', '"x""; DROP TABLE _SEMANTIC_METADATA; --"'],
  ])('%s → %s', (name, quoted) => expect(quoteIdent(name)).toBe(quoted));
});
