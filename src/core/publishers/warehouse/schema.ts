// Install and additive upgrade of the warehouse tables (issue 12 item 3). The tables carry a schema
// version (_SEMANTIC_SCHEMA_VERSION, one row per install or upgrade); on first use a run reads it —
// one statement — and, when it is older than this release's, brings the tables up to date before
// any model is written, so a MERGE never meets a missing column. Every step is idempotent (IF NOT
// EXISTS, OR REPLACE, NOT EXISTS), so two runs upgrading at once, or a run killed half-way, are
// harmless: the version row is written last.
//
//   version 1  release bc11fdd: _SEMANTIC_METADATA, _TABLES, _COLUMNS, _MEASURES, _RELATIONSHIPS,
//              _SYNC_LOCK; no version table (an installation with _SEMANTIC_METADATA and no version
//              row is version 1)
//   version 2  + _SEMANTIC_MODEL_VERSIONS (backfilled from _SEMANTIC_METADATA), _SCHEMA_VERSION, the
//              _SEMANTIC_CURRENT_MODELS view, _SEMANTIC_TABLES.PHYSICAL_TABLE, informational
//              PRIMARY/FOREIGN KEYs (Snowflake), IN_PUSH comments
//   version 3  + _SEMANTIC_LINEAGE, _SEMANTIC_MEASURES.SQL_EXPRESSION / TRANSLATION_GRADE /
//              TRANSLATION_REASON (the semantic view's lineage and DAX translation, issue 16)
//
// Snowflake: ALTER TABLE … ADD COLUMN IF NOT EXISTS (https://docs.snowflake.com/en/sql-reference/sql/alter-table-column)
// adds a column only when it is missing, so the step can run twice.
import { WarehouseError } from '../../errors.js';
import type { WarehouseBackend } from '../../warehouse/backend.js';
import { constraintsOf, createTableSql } from './ddl.js';
import { DIALECTS, type Dialect, quoteIdent as q, sqlLiteral } from '../../warehouse/dialect.js';
import { type Namespace, infoSchema, qualified } from '../../warehouse/names.js';
import type { Statement } from '../../warehouse/statement.js';
import { timestampBind, versionsFromMetadata } from './plan.js';
import { ALL_TABLES, CURRENT_MODELS_VIEW, METADATA, SCHEMA_VERSION, SYNC_LOCK, type TableSpec } from './tables.js';

/** The schema version this release writes. */
export const CURRENT_SCHEMA_VERSION = 3;

/** Every permanent table, in creation order (METADATA first: the others reference it). */
export const PERMANENT_TABLES: readonly TableSpec[] = [...ALL_TABLES, SYNC_LOCK, SCHEMA_VERSION];

export interface SchemaTarget {
  dialect: Dialect;
  namespace?: Namespace;
  toolVersion: string;
  at: Date;
}

export interface SchemaCheck {
  /** Version found (0: nothing installed). */
  from: number;
  /** Version in force afterwards. */
  to: number;
  statements: number;
  notes: string[];
}

/** Reads the installed version and installs or upgrades the tables when it is older than this release's. */
export async function ensureSchema(backend: WarehouseBackend, target: SchemaTarget): Promise<SchemaCheck> {
  const ns = target.namespace;
  let recorded = 0;
  let statements = 1;
  try {
    const r = await backend.execute(`SELECT MAX(${q('SCHEMA_VERSION')}) AS ${q('V')} FROM ${qualified(ns, SCHEMA_VERSION.name)}`);
    recorded = Number(r.rows[0]?.V ?? 0);
  } catch (e) {
    if (!isMissingObject(e)) throw e;
  }
  if (recorded >= CURRENT_SCHEMA_VERSION) {
    const notes = recorded > CURRENT_SCHEMA_VERSION ? [`the warehouse tables are at schema version ${recorded}, newer than this release's ${CURRENT_SCHEMA_VERSION}; only the columns this release knows are written`] : [];
    return { from: recorded, to: recorded, statements, notes };
  }
  const present = await presentTables(backend, target);
  statements++;
  const from = recorded || (present.has(METADATA.name) ? 1 : 0);
  const plan = planUpgrade(from, present, target);
  const notes: string[] = [];
  for (const st of plan) {
    try {
      await backend.execute(st.sql, st.binds);
    } catch (e) {
      // An informational constraint another run declared a moment ago, or one the role may not
      // add: the data is unaffected, so say so and go on.
      if (!st.purpose.startsWith('declare')) throw asUpgradeError(e, st.purpose);
      notes.push(`could not ${st.purpose}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
    statements++;
  }
  notes.unshift(from === 0 ? `installed the warehouse tables (schema version ${CURRENT_SCHEMA_VERSION})` : `upgraded the warehouse tables from schema version ${from} to ${CURRENT_SCHEMA_VERSION}`);
  return { from, to: CURRENT_SCHEMA_VERSION, statements, notes };
}

/** The statements that take tables at version `from` (with `present` existing) to the current version. Pure. */
export function planUpgrade(from: number, present: ReadonlySet<string>, target: SchemaTarget): Statement[] {
  const { dialect, namespace: ns } = target;
  const d = DIALECTS[dialect];
  const out: Statement[] = [];
  for (const spec of PERMANENT_TABLES) {
    if (!present.has(spec.name)) {
      out.push(createTableSql(spec, dialect, false, ns));
      continue;
    }
    const name = qualified(ns, spec.name);
    for (const c of spec.columns) {
      if ((c.since ?? 1) > Math.max(from, 1)) {
        const inline = d.inlineComments ? ` COMMENT ${sqlLiteral(c.comment)}` : '';
        const after = d.inlineComments ? '' : `; COMMENT ON COLUMN ${name}.${q(c.name)} IS ${sqlLiteral(c.comment)}`;
        out.push({ sql: `ALTER TABLE ${name} ADD COLUMN IF NOT EXISTS ${q(c.name)} ${d.types[c.type]}${inline}${after}`, purpose: `add column ${spec.name}.${c.name}` });
      } else if ((c.commentSince ?? 0) > from) {
        out.push({ sql: `COMMENT ON COLUMN ${name}.${q(c.name)} IS ${sqlLiteral(c.comment)}`, purpose: `update the comment of ${spec.name}.${c.name}` });
      }
    }
    if (from < 2 && d.informationalConstraints) {
      for (const c of constraintsOf(spec, ns)) {
        out.push({ sql: `ALTER TABLE ${name} ADD CONSTRAINT ${q(c.name)} ${c.clause}`, purpose: `declare ${c.name} on ${spec.name}` });
      }
    }
  }
  out.push(currentModelsView(dialect, ns));
  out.push({ sql: versionsFromMetadata(ns, false), purpose: 'record the current definition of every model in _SEMANTIC_MODEL_VERSIONS' });
  const cols = SCHEMA_VERSION.columns.map((c) => q(c.name)).join(', ');
  out.push({
    sql: `INSERT INTO ${qualified(ns, SCHEMA_VERSION.name)} (${cols}) SELECT CAST(? AS ${d.types.int}), CAST(? AS ${d.types.int}), CAST(? AS ${d.types.text}), ${d.timestampFromText('?')}`,
    binds: [CURRENT_SCHEMA_VERSION, from, target.toolVersion, timestampBind(target.at)],
    purpose: `record schema version ${CURRENT_SCHEMA_VERSION}`,
  });
  return out;
}

/** The view of the models that still exist. OR REPLACE rewrites it on each upgrade; COPY GRANTS keeps its grants (Snowflake). */
export function currentModelsView(dialect: Dialect, ns: Namespace | undefined): Statement {
  const name = qualified(ns, CURRENT_MODELS_VIEW.name);
  const cols = METADATA.columns.filter((c) => c.name !== 'DELETED_AT').map((c) => q(c.name)).join(', ');
  const select = `SELECT ${cols} FROM ${qualified(ns, METADATA.name)} WHERE ${q('DELETED_AT')} IS NULL`;
  const sql = DIALECTS[dialect].inlineComments
    ? `CREATE OR REPLACE VIEW ${name} COPY GRANTS COMMENT = ${sqlLiteral(CURRENT_MODELS_VIEW.comment)} AS ${select}`
    : `CREATE OR REPLACE VIEW ${name} AS ${select}; COMMENT ON VIEW ${name} IS ${sqlLiteral(CURRENT_MODELS_VIEW.comment)}`;
  return { sql, purpose: `create the ${CURRENT_MODELS_VIEW.name} view` };
}

/** Which of the permanent tables exist in the configured schema. */
async function presentTables(backend: WarehouseBackend, target: SchemaTarget): Promise<Set<string>> {
  const ns = target.namespace;
  const names = PERMANENT_TABLES.map((t) => t.name);
  const where = ns ? `${q('TABLE_SCHEMA')} = ?` : `${q('TABLE_SCHEMA')} = CURRENT_SCHEMA() AND ${q('TABLE_CATALOG')} = CURRENT_DATABASE()`;
  const r = await backend.execute(
    `SELECT ${q('TABLE_NAME')} AS ${q('T')} FROM ${infoSchema(ns, 'TABLES')} WHERE ${where} AND ${q('TABLE_NAME')} IN (${names.map(() => '?').join(', ')})`,
    [...(ns ? [ns.schema] : []), ...names],
  );
  return new Set(r.rows.map((row) => String(row.T)));
}

/** Snowflake 002003 ("does not exist or not authorized"), 000904 (invalid identifier: a missing column), or DuckDB's catalog/binder errors. */
export function isMissingObject(e: unknown): boolean {
  if (!(e instanceof WarehouseError)) return false;
  return e.code === '002003' || e.code === '000904' || /Catalog Error: Table with name .* does not exist|Binder Error: .*(not found|does not have a column)/i.test(e.message);
}

function asUpgradeError(e: unknown, purpose: string): Error {
  if (!(e instanceof WarehouseError)) return e instanceof Error ? e : new Error(String(e));
  return new WarehouseError(`Could not ${purpose} while preparing the warehouse tables: ${e.message}`, { code: e.code, sqlState: e.sqlState }, {
    cause: e,
    hint: e.hint ?? 'Nothing was synced. Check the role\'s privileges on the schema (validate prints the grants), then re-run.',
  });
}

/** What `validate` probes for (warehouse/probe.ts): every permanent table, and the version table. */
export const PROBED_TABLES = { names: PERMANENT_TABLES.map((t) => t.name), versionTable: SCHEMA_VERSION.name } as const;
