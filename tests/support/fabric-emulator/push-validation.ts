// Push dataset validation as documented (docs/fabric-rest.md#push-datasets): required fields, name patterns with
// the intended unicode ranges, 1–100 character table names, 75 tables / 75 columns per table /
// 75 relationships, the dataType set (case-insensitive, plus the `bool` alias used by the official
// example), relationship ends that exist, duplicate names. Returns Power BI error codes + messages.

// The character classes include tab/CR/LF on purpose: the Power BI Swagger's patterns do.
/* eslint-disable no-control-regex */
/** Table and relationship names: ASCII letters, digits, space, tab/CR/LF, `# - @ ^ _ ~`, any non-ASCII. */
export const TABLE_NAME = /^[\x09\x0A\x0D\x20\x23\x2D\x30-\x39\x40-\x5A\x5E-\x5F\x61-\x7A\x7E-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]{1,100}$/u;
/** Column, measure, fromColumn/toColumn names: any printable character, at least one. */
export const COLUMN_NAME = /^[\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+$/u;
/* eslint-enable no-control-regex */
export const DATA_TYPES = ['int64', 'double', 'boolean', 'bool', 'datetime', 'string', 'decimal'];
export const MAX_TABLES = 75;
export const MAX_COLUMNS = 75;
export const MAX_RELATIONSHIPS = 75;
export const MAX_NAME = 100;
const CROSS_FILTER = ['OneDirection', 'BothDirections', 'Automatic'];
export const RETENTION_POLICIES = ['None', 'basicFIFO'];

export interface PushProblem { code: string; message: string; }

function bad(message: string): PushProblem {
  // Real responses use codes like InvalidRequest / BadRequest with a message naming the field.
  return { code: 'InvalidRequest', message };
}

function isObj(v: unknown): v is Record<string, any> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Problems of one table (used by create and by PUT table). */
export function validateTable(t: unknown, at: string): PushProblem | undefined {
  if (!isObj(t)) return bad(`${at}: a table must be an object`);
  if (typeof t.name !== 'string') return bad(`${at}.name is required`);
  if (!TABLE_NAME.test(t.name)) return bad(`${at}.name '${t.name}' is invalid: 1-100 characters, letters, digits, space and # - @ ^ _ ~ only`);
  if (!Array.isArray(t.columns)) return bad(`${at}.columns is required`);
  if (t.columns.length > MAX_COLUMNS) return bad(`${at}: ${t.columns.length} columns exceed the limit of ${MAX_COLUMNS}`);
  const seen = new Set<string>();
  for (const [i, c] of t.columns.entries()) {
    if (!isObj(c) || typeof c.name !== 'string' || !COLUMN_NAME.test(c.name)) return bad(`${at}.columns[${i}].name is missing or invalid`);
    if (typeof c.dataType !== 'string') return bad(`${at}.columns[${i}].dataType is required`);
    if (!DATA_TYPES.includes(c.dataType.toLowerCase())) return bad(`${at}.columns[${i}].dataType '${c.dataType}' is not one of Int64, Double, Boolean, Datetime, String, Decimal`);
    if (seen.has(c.name.toLowerCase())) return bad(`${at}: duplicate column name '${c.name}'`);
    seen.add(c.name.toLowerCase());
  }
  for (const [i, c] of t.columns.entries()) {
    if (c.sortByColumn !== undefined && !seen.has(String(c.sortByColumn).toLowerCase())) return bad(`${at}.columns[${i}].sortByColumn '${c.sortByColumn}' is not a column of the table`);
  }
  for (const [i, m] of ((t.measures ?? []) as unknown[]).entries()) {
    if (!isObj(m) || typeof m.name !== 'string' || !COLUMN_NAME.test(m.name)) return bad(`${at}.measures[${i}].name is missing or invalid`);
    if (typeof m.expression !== 'string') return bad(`${at}.measures[${i}].expression is required`);
  }
  return undefined;
}

/** Problems of a whole CreateDatasetRequest. */
export function validateCreateDataset(body: unknown): PushProblem | undefined {
  if (!isObj(body)) return bad('The request body must be a JSON object');
  if (typeof body.name !== 'string' || body.name.length === 0) return bad('dataset.name is required');
  // Analysis Services, which holds every Power BI semantic model, limits object names to 100
  // characters (https://learn.microsoft.com/analysis-services/multidimensional-models/olap-physical/object-naming-rules-analysis-services).
  if ([...body.name].length > MAX_NAME) return bad(`dataset.name is ${[...body.name].length} characters long; the limit is ${MAX_NAME}`);
  if (!Array.isArray(body.tables) || body.tables.length === 0) return bad('dataset.tables is required');
  if (body.tables.length > MAX_TABLES) return bad(`${body.tables.length} tables exceed the limit of ${MAX_TABLES}`);
  const tables = new Map<string, Record<string, any>>();
  for (const [i, t] of body.tables.entries()) {
    const problem = validateTable(t, `tables[${i}]`);
    if (problem) return problem;
    const key = (t.name as string).toLowerCase();
    if (tables.has(key)) return bad(`Duplicate table name '${t.name}'`);
    tables.set(key, t);
  }
  // Measure names are unique across the whole model, case-insensitively, as every object name is.
  const measures = new Set<string>();
  for (const t of body.tables as Array<Record<string, any>>) {
    for (const m of (t.measures ?? []) as Array<Record<string, any>>) {
      const key = String(m.name).toLowerCase();
      if (measures.has(key)) return bad(`Duplicate measure name '${m.name}'`);
      measures.add(key);
    }
  }
  const rels = (body.relationships ?? []) as unknown[];
  if (!Array.isArray(rels)) return bad('relationships must be an array');
  if (rels.length > MAX_RELATIONSHIPS) return bad(`${rels.length} relationships exceed the limit of ${MAX_RELATIONSHIPS}`);
  const relNames = new Set<string>();
  for (const [i, r] of rels.entries()) {
    if (!isObj(r)) return bad(`relationships[${i}] must be an object`);
    for (const f of ['name', 'fromTable', 'fromColumn', 'toTable', 'toColumn']) {
      if (typeof r[f] !== 'string') return bad(`relationships[${i}].${f} is required`);
    }
    for (const f of ['name', 'fromTable', 'toTable']) {
      if (!TABLE_NAME.test(r[f])) return bad(`relationships[${i}].${f} '${r[f]}' is invalid`);
    }
    if (relNames.has(r.name.toLowerCase())) return bad(`Duplicate relationship name '${r.name}'`);
    relNames.add(r.name.toLowerCase());
    if (r.crossFilteringBehavior !== undefined && !CROSS_FILTER.includes(r.crossFilteringBehavior)) return bad(`relationships[${i}].crossFilteringBehavior '${r.crossFilteringBehavior}' is invalid`);
    // A relationship joins two different tables (names compare case-insensitively).
    if (r.fromTable.toLowerCase() === r.toTable.toLowerCase()) return bad(`relationships[${i}] joins table '${r.fromTable}' to itself`);
    for (const [tf, cf] of [['fromTable', 'fromColumn'], ['toTable', 'toColumn']] as const) {
      const table = tables.get(r[tf].toLowerCase());
      if (!table) return bad(`relationships[${i}].${tf} '${r[tf]}' is not a table of the dataset`);
      if (!(table.columns as any[]).some((c) => String(c.name).toLowerCase() === r[cf].toLowerCase())) return bad(`relationships[${i}].${cf} '${r[cf]}' is not a column of '${r[tf]}'`);
    }
  }
  if (body.defaultMode !== undefined && !['AsAzure', 'AsOnPrem', 'Push', 'Streaming', 'PushStreaming'].includes(body.defaultMode)) return bad(`defaultMode '${body.defaultMode}' is invalid`);
  return undefined;
}
