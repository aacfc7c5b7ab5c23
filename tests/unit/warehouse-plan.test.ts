// The pure warehouse planner (issues 5 and 12): statement order, quoting, fully qualified names,
// binds only for Power BI strings, explicit timestamp formats, chunking under the stage-binding
// threshold, a statement count that does not grow with the model, and the install/upgrade plan.
import { describe, expect, it } from 'vitest';
import { canonicalModel } from '../../src/core/schema/canonical.js';
import { fingerprint } from '../../src/core/schema/fingerprint.js';
import { loadModel } from '../../src/core/schema/load.js';
import type { Column, SemanticModel, Table } from '../../src/core/schema/model.js';
import type { Dialect } from '../../src/core/warehouse/dialect.js';
import { quoteIdent } from '../../src/core/warehouse/dialect.js';
import { identifierProblem, resolveIdentifier } from '../../src/core/warehouse/names.js';
import { INSERT_CHUNK_ROWS, loadChunkRows, planMarkDeleted, planModelSync, type SyncContext } from '../../src/core/publishers/warehouse/plan.js';
import { STAGE_BINDING_THRESHOLD, arrayBindValues, type Statement } from '../../src/core/warehouse/statement.js';
import { CURRENT_SCHEMA_VERSION, planUpgrade } from '../../src/core/publishers/warehouse/schema.js';
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
    'WHEN MATCHED THEN UPDATE SET DISTINCT CASE ELSE END t s l d m v COLUMN TO_TIMESTAMP_NTZ STRPTIME').split(' '),
);

/** A schema name that needs quoting, so any unquoted or unqualified use shows. */
const NS = { database: 'FABRIC_DB', schema: 'My "Schema"' };
const Q_NS = '"FABRIC_DB"."My ""Schema"""';
const nsOf = (dialect: Dialect) => (dialect === 'snowflake' ? NS : undefined);
const all = (plans: { ddl: Statement[]; transaction: Statement[] }): Statement[] => [...plans.ddl, ...plans.transaction];
const TS_SF = "TO_TIMESTAMP_NTZ(?, 'YYYY-MM-DD HH24:MI:SS.FF3')";
const TS_DD = "STRPTIME(?, '%Y-%m-%d %H:%M:%S.%g')";

describe.each(['snowflake', 'duckdb'] as Dialect[])('planModelSync (%s)', (dialect) => {
  const m = hostileModel();
  const plan = planModelSync(m, null, ctx(m), dialect, nsOf(dialect));
  const load = dialect === 'snowflake' ? `${Q_NS}."_SEMANTIC_LOAD"` : '"_SEMANTIC_LOAD"';

  it('creates only the session load table before BEGIN, and ends with COMMIT', () => {
    expect(plan.ddl).toHaveLength(1);
    expect(plan.ddl[0]!.sql.startsWith(`CREATE TEMPORARY TABLE IF NOT EXISTS ${load} (`)).toBe(true);
    expect(plan.transaction[0]?.sql).toBe('BEGIN');
    expect(plan.transaction[1]?.sql.startsWith(`INSERT INTO ${load} ("BATCH", `)).toBe(true);
    expect(plan.transaction.at(-1)?.sql).toBe('COMMIT');
    expect(plan.transaction.some((s) => /^(CREATE|ALTER|DROP|COMMENT)\b/.test(s.sql))).toBe(false);
    expect(plan.transaction.map((s) => s.sql.split(' ')[0])).toEqual([
      'BEGIN', 'INSERT', 'MERGE', 'INSERT', 'MERGE', 'DELETE', 'MERGE', 'DELETE', 'MERGE', 'DELETE', 'MERGE', 'DELETE', 'COMMIT',
    ]);
  });

  it.runIf(dialect === 'snowflake')('names every object "DATABASE"."SCHEMA"."TABLE", never through the session context', () => {
    for (const st of all(plan)) {
      const names = st.sql.match(/"_SEMANTIC_[A-Z_]+"/g) ?? [];
      const full = st.sql.split(`${Q_NS}."_SEMANTIC_`).length - 1;
      expect(full, st.sql.slice(0, 100)).toBe(names.length);
    }
  });

  it('quotes every identifier: only SQL words and the aliases t, s, l, d, m, v are bare', () => {
    for (const st of all(plan)) {
      const unknown = bareWords(st.sql).filter((w) => !SQL_WORDS.has(w));
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
    for (const st of plan.transaction.filter((s) => s.sql.startsWith('INSERT') && s.sql.includes(' VALUES ('))) {
      expect(st.sql).not.toMatch(/PARSE_JSON|CAST/);
      const placeholders = (st.sql.match(/\?/g) ?? []).length;
      expect(Array.isArray(st.binds?.[0])).toBe(true);
      for (const row of st.binds as unknown[][]) expect(row).toHaveLength(placeholders);
    }
  });

  it('binds exactly one value per placeholder in scalar statements', () => {
    for (const st of plan.transaction.filter((s) => !Array.isArray(s.binds?.[0]))) {
      expect((st.sql.match(/\?/g) ?? []).length, st.purpose).toBe((st.binds ?? []).length);
    }
  });

  it('parses every bound timestamp with an explicit format, never the session TIMESTAMP_INPUT_FORMAT', () => {
    const st = plan.transaction.find((s) => s.purpose === 'merge _SEMANTIC_METADATA')!;
    const parse = dialect === 'snowflake' ? TS_SF : TS_DD;
    expect(st.sql.split(parse).length - 1).toBe(3); // FIRST_SYNCED_AT, LAST_SYNCED_AT, DELETED_AT
    expect(st.sql).not.toMatch(/CAST\(\? AS TIMESTAMP/);
    const stamps = (st.binds as unknown[]).filter((b) => typeof b === 'string' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/.test(b));
    expect(stamps).toEqual(['2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678']);
  });

  it('updates SYNC_COUNT and LAST_SYNCED_AT only when the fingerprint changed', () => {
    const merge = plan.transaction.find((s) => s.purpose === 'merge _SEMANTIC_METADATA')!.sql;
    expect(merge).toContain('"SYNC_COUNT" = t."SYNC_COUNT" + CASE WHEN t."FINGERPRINT" IS DISTINCT FROM s."FINGERPRINT" THEN 1 ELSE 0 END');
    expect(merge).toContain('"LAST_SYNCED_AT" = CASE WHEN t."FINGERPRINT" IS DISTINCT FROM s."FINGERPRINT" THEN s."LAST_SYNCED_AT" ELSE t."LAST_SYNCED_AT" END');
    const condition = merge.slice(merge.indexOf('WHEN MATCHED AND'), merge.indexOf('THEN UPDATE'));
    for (const c of ['RUN_ID', 'TOOL_VERSION', 'LAST_SYNCED_AT', 'SYNC_COUNT', 'FIRST_SYNCED_AT']) expect(condition).not.toContain(`"${c}"`);
  });

  it('records the model version only when its (MODEL_ID, FINGERPRINT) is new, copying the merged row', () => {
    const version = plan.transaction.find((s) => s.purpose.startsWith('record the model version'))!;
    expect(version.sql).toMatch(/^INSERT INTO .*"_SEMANTIC_MODEL_VERSIONS" \(.*\) SELECT .* FROM .*"_SEMANTIC_METADATA" m WHERE m\."MODEL_ID" = \? AND NOT EXISTS \(SELECT 1 FROM .*"_SEMANTIC_MODEL_VERSIONS" v WHERE v\."MODEL_ID" = m\."MODEL_ID" AND v\."FINGERPRINT" = m\."FINGERPRINT"\)$/);
    expect(version.binds).toEqual(['model-1']);
  });

  it('chunks the load INSERT at 1,000 rows, within the stage-binding threshold', () => {
    const cols = Array.from({ length: 2 * INSERT_CHUNK_ROWS + 499 }, (_, i) => column(`c${i}`));
    const big = model('big', [table('t', cols)]);
    const inserts = planModelSync(big, null, ctx(big), dialect, nsOf(dialect)).transaction.filter((s) => s.sql.startsWith(`INSERT INTO ${load}`));
    // 2,499 columns + 1 table row = 2,500 load rows.
    expect(inserts.map((s) => (s.binds as unknown[][]).length)).toEqual([1000, 1000, 500]);
    for (const st of inserts) expect(arrayBindValues(st.binds)).toBeLessThanOrEqual(STAGE_BINDING_THRESHOLD);
  });

  it('marks a deleted model without erasing it', () => {
    const p = planMarkDeleted('model-1', new Date('2026-02-03T04:05:06.007Z'), dialect, nsOf(dialect));
    expect(p.transaction).toHaveLength(1);
    const table = dialect === 'snowflake' ? `${Q_NS}."_SEMANTIC_METADATA"` : '"_SEMANTIC_METADATA"';
    const ts = dialect === 'snowflake' ? TS_SF : TS_DD;
    expect(p.transaction[0]!.sql).toBe(`UPDATE ${table} SET "DELETED_AT" = ${ts} WHERE "MODEL_ID" = ? AND "DELETED_AT" IS NULL`);
    expect(p.transaction[0]!.binds).toEqual(['2026-02-03 04:05:06.007', 'model-1']);
  });
});

describe('the stage-binding guard', () => {
  it('keeps rows × values of an array bind at or under the threshold the driver is pinned to', () => {
    expect(loadChunkRows(5)).toBe(1000);
    expect(loadChunkRows(200)).toBe(500);
    expect(loadChunkRows(5, 3000)).toBe(600);
    expect(arrayBindValues([['a', 'b'], ['c', 'd']])).toBe(4);
    expect(arrayBindValues(['a', 'b'])).toBe(0);
  });
});

describe('statement count', () => {
  it('is the same for every model, smallest to largest (one INSERT chunk up to 1,000 objects)', async () => {
    const counts: Record<string, { ddl: number; transaction: number; loadRows: number }> = {};
    for (const entry of modelEntries()) {
      const { model: m } = await loadModel(entry.dir);
      const plan = planModelSync(m, null, ctx(m, entry.id), 'snowflake', NS);
      const rows = plan.transaction.filter((s) => s.sql.includes('"_SEMANTIC_LOAD" (')).reduce((n, s) => n + (s.binds as unknown[][]).length, 0);
      counts[entry.id] = { ddl: plan.ddl.length, transaction: plan.transaction.length, loadRows: rows };
    }
    const values = Object.values(counts);
    expect(new Set(values.map((v) => v.transaction))).toEqual(new Set([13]));
    expect(new Set(values.map((v) => v.ddl))).toEqual(new Set([1]));
    // One load row per table, column, measure and relationship.
    for (const e of modelEntries()) {
      const x = (k: string) => Number(e.expected[k]);
      expect(counts[e.id]!.loadRows, e.id).toBe(x('tables') + x('columns') + x('measures') + x('relationships'));
    }
  });

  it('DuckDB has the same statement count', () => {
    const m = hostileModel();
    const sf = planModelSync(m, null, ctx(m), 'snowflake', NS);
    const dd = planModelSync(m, null, ctx(m), 'duckdb');
    expect(dd.transaction).toHaveLength(sf.transaction.length);
    expect(dd.ddl).toHaveLength(sf.ddl.length);
    // The temporary load table carries no comments on either side.
    expect(dd.ddl.at(-1)!.sql).not.toContain('COMMENT');
  });
});

describe('install and upgrade plan', () => {
  const at = new Date('2026-03-01T00:00:00.000Z');
  const sql = (from: number, present: string[], dialect: Dialect) =>
    planUpgrade(from, new Set(present), { dialect, ...(dialect === 'snowflake' ? { namespace: NS } : {}), toolVersion: '0.2.0', at }).map((s) => s.sql);
  const V1 = ['_SEMANTIC_METADATA', '_SEMANTIC_TABLES', '_SEMANTIC_COLUMNS', '_SEMANTIC_MEASURES', '_SEMANTIC_RELATIONSHIPS', '_SEMANTIC_SYNC_LOCK'];

  it('installs every table with comments and informational RELY constraints on Snowflake, then the view and the version row', () => {
    const fresh = sql(0, [], 'snowflake');
    expect(fresh.filter((s) => s.startsWith('CREATE TABLE IF NOT EXISTS'))).toHaveLength(9);
    expect(fresh.find((s) => s.includes('"_SEMANTIC_LINEAGE" ('))).toContain('PRIMARY KEY ("MODEL_ID", "TABLE_NAME", "COLUMN_NAME") RELY');
    const metadata = fresh[0]!;
    expect(metadata).toContain(`"MODEL_ID" VARCHAR NOT NULL COMMENT 'Id of the source semantic model`);
    expect(metadata).toContain('CONSTRAINT "PK_SEMANTIC_METADATA" PRIMARY KEY ("MODEL_ID") RELY');
    const columns = fresh.find((s) => s.includes('"_SEMANTIC_COLUMNS" ('))!;
    expect(columns).toContain(`CONSTRAINT "FK_SEMANTIC_COLUMNS_MODEL" FOREIGN KEY ("MODEL_ID") REFERENCES ${Q_NS}."_SEMANTIC_METADATA" ("MODEL_ID") RELY`);
    expect(fresh.find((s) => s.includes('"_SEMANTIC_MODEL_VERSIONS" ('))).toContain('PRIMARY KEY ("MODEL_ID", "FINGERPRINT") RELY');
    expect(fresh.at(-3)!.startsWith(`CREATE OR REPLACE VIEW ${Q_NS}."_SEMANTIC_CURRENT_MODELS" COPY GRANTS COMMENT = '`)).toBe(true);
    expect(fresh.at(-3)!.endsWith(' WHERE "DELETED_AT" IS NULL')).toBe(true);
    expect(fresh.at(-1)).toMatch(/^INSERT INTO .*"_SEMANTIC_SCHEMA_VERSION" .* SELECT CAST\(\? AS NUMBER\(38,0\)\), CAST\(\? AS NUMBER\(38,0\)\), CAST\(\? AS VARCHAR\), TO_TIMESTAMP_NTZ\(\?, 'YYYY-MM-DD HH24:MI:SS.FF3'\)$/);
    expect(fresh.some((s) => s.startsWith('ALTER'))).toBe(false);
  });

  it('upgrades a version-1 installation additively: new tables, ADD COLUMN IF NOT EXISTS, constraints, changed comments', () => {
    const up = sql(1, V1, 'snowflake');
    expect(up.filter((s) => s.startsWith('CREATE TABLE'))).toHaveLength(3); // MODEL_VERSIONS, LINEAGE, SCHEMA_VERSION
    expect(up.filter((s) => s.includes('ADD COLUMN')).map((s) => /^ALTER TABLE .*?\."(_SEMANTIC_\w+)" ADD COLUMN IF NOT EXISTS "(\w+)"/.exec(s)?.slice(1).join('.'))).toEqual([
      '_SEMANTIC_TABLES.PHYSICAL_TABLE',
      '_SEMANTIC_MEASURES.SQL_EXPRESSION',
      '_SEMANTIC_MEASURES.TRANSLATION_GRADE',
      '_SEMANTIC_MEASURES.TRANSLATION_REASON',
    ]);
    expect(up.filter((s) => s.startsWith('COMMENT ON COLUMN')).map((s) => /"(_SEMANTIC_[A-Z]+)"\."IN_PUSH"/.exec(s)?.[1])).toEqual([
      '_SEMANTIC_TABLES', '_SEMANTIC_COLUMNS', '_SEMANTIC_MEASURES', '_SEMANTIC_RELATIONSHIPS',
    ]);
    expect(up.filter((s) => s.includes('ADD CONSTRAINT'))).toHaveLength(5 + 4);
    expect(up.some((s) => /\bDROP\b|ALTER COLUMN|SET DATA TYPE|RENAME/.test(s))).toBe(false);
    expect(CURRENT_SCHEMA_VERSION).toBe(3);
  });

  it('upgrades a version-2 installation to 3: _SEMANTIC_LINEAGE and the measures\' translation columns, nothing else', () => {
    const V2 = [...V1, '_SEMANTIC_MODEL_VERSIONS', '_SEMANTIC_SCHEMA_VERSION'];
    const up = sql(2, V2, 'snowflake');
    expect(up.filter((s) => s.startsWith('CREATE TABLE')).map((s) => /"(_SEMANTIC_\w+)" \(/.exec(s)?.[1])).toEqual(['_SEMANTIC_LINEAGE']);
    expect(up.filter((s) => s.includes('ADD COLUMN')).map((s) => /ADD COLUMN IF NOT EXISTS "(\w+)"/.exec(s)?.[1])).toEqual(['SQL_EXPRESSION', 'TRANSLATION_GRADE', 'TRANSLATION_REASON']);
    expect(up.some((s) => s.includes('ADD CONSTRAINT') || s.startsWith('COMMENT ON'))).toBe(false);
    expect(up.some((s) => /\bDROP\b|ALTER COLUMN|SET DATA TYPE|RENAME/.test(s))).toBe(false);
  });

  it('declares no constraints on DuckDB, which would enforce them', () => {
    expect(sql(0, [], 'duckdb').some((s) => s.includes('CONSTRAINT'))).toBe(false);
    expect(sql(1, V1, 'duckdb').some((s) => s.includes('CONSTRAINT'))).toBe(false);
  });
});

describe('configured names (Snowflake identifier rules)', () => {
  it.each([
    ['analytics', 'ANALYTICS'],
    ['Analytics_1$', 'ANALYTICS_1$'],
    ['"Analytics"', 'Analytics'],
    ['"my ""quoted"" db"', 'my "quoted" db'],
  ])('%s resolves to %s', (text, name) => {
    expect(identifierProblem(text)).toBeUndefined();
    expect(resolveIdentifier(text)).toBe(name);
  });

  it.each(['my db', '1abc', '$x', '"unclosed', 'a.b', `"${'x'.repeat(256)}"`])('%s is refused', (text) => expect(identifierProblem(text)).toBeDefined());
});

describe('quoteIdent', () => {
  it.each([
    ['plain', '"plain"'],
    ['a"b', '"a""b"'],
    ['x"; DROP TABLE _SEMANTIC_METADATA; --', '"x""; DROP TABLE _SEMANTIC_METADATA; --"'],
  ])('%s → %s', (name, quoted) => expect(quoteIdent(name)).toBe(quoted));
});

describe('configured names reach the login, the namespace and the grants alike', () => {
  it('resolves unquoted names upper-case and keeps quoted ones, everywhere', async () => {
    const { validateConfig } = await import('../../src/core/config/load.js');
    const { snowflakeNamespace, snowflakeOptions } = await import('../../src/core/config/warehouse-options.js');
    const { grantsFor } = await import('../../src/core/warehouse/snowflake-errors.js');
    const { silentLogger } = await import('../../src/core/context.js');
    const r = validateConfig({ snowflake: { account: 'a', user: 'u', password: 'p', database: 'analytics', schema: '"Power BI"', role: 'sync_role', warehouse: 'wh' } });
    expect(r.issues).toEqual([]);
    const config = r.config!;
    expect(snowflakeNamespace(config)).toEqual({ database: 'ANALYTICS', schema: 'Power BI' });
    expect(snowflakeOptions(config, { queryTag: 't', verbose: false, logger: silentLogger })).toMatchObject({ database: 'ANALYTICS', schema: 'Power BI', role: 'SYNC_ROLE', warehouse: 'WH', lockTimeoutSeconds: 900, statementTimeoutSeconds: 1800 });
    expect(grantsFor({ ...snowflakeNamespace(config), role: 'SYNC_ROLE' })).toContain('GRANT USAGE ON SCHEMA "ANALYTICS"."Power BI" TO ROLE "SYNC_ROLE";');
    const bad = validateConfig({ snowflake: { account: 'a', user: 'u', password: 'p', database: 'my db', schema: 's' } });
    expect(bad.issues.join('\n')).toMatch(/snowflake\.database: must be a Snowflake identifier/);
  });
});
