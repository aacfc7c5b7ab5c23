// DAX measure → SQL metric, with a grade (issue 16, item 2):
//   exact        — the SQL gives the DAX value under every query a semantic view can run;
//   approximate  — it differs in a documented way (`reason`), e.g. a plain CALCULATE filter;
//   untranslated — `reason` says why (time intelligence, filter removal, no lineage, …).
// The SQL is self-contained: referenced measures are inlined, so it can be a regular metric on its
// one aggregated table, or a derived (view-level) metric when it aggregates several (`tables`).
// Translations are memoised per model in the context; measure cycles are reported, never followed.
// Nothing here throws: every failure, including a parse error, is an `untranslated` result.
import type { DaxNode, Span } from './ast.js';
import { childrenOf } from './ast.js';
import {
  createDaxContext,
  type ColumnResolver,
  type DaxContext,
  type DaxContextOptions,
  type MeasureInfo,
  type MeasureTranslation,
  type SqlResolution,
  type UntranslatedCause,
} from './context.js';
import { ROW_MARKER } from './aggregate.js';
import { ExprTranslator } from './expr.js';
import { untranslatableFunction } from './functions.js';
import { asValue } from './operators.js';
import { lexDax, lineAndColumn } from './lexer.js';
import { parseDax, type DaxParseResult } from './parser.js';
import { Untranslatable, type Scope } from './scope.js';
import { MAX_METRIC_SQL, type SqlExpr } from './sql.js';
import type { SemanticModel } from '../schema/model.js';


export interface MeasureToTranslate {
  name: string;
  expression: string;
  /** The measure's home table (unqualified `[Column]` references name its columns). */
  table: string;
}

const lower = (s: string): string => s.toLowerCase();

/** Translates one measure of the context's model (memoised: the same name returns the same result). */
export function translateMeasure(measure: MeasureToTranslate, ctx: DaxContext): MeasureTranslation {
  const known = ctx.measure(measure.name);
  const info: MeasureInfo =
    known && known.measure.expression === measure.expression && lower(known.table) === lower(measure.table)
      ? known
      : { table: measure.table, measure: { name: measure.name, expression: measure.expression, isHidden: false } };
  if (info !== known) return run(info, ctx, []).result; // not the model's own measure: not memoised
  return topLevel(info, ctx, []).result;
}

/** Every measure of a model, in model order. */
export function translateModelMeasures(
  model: SemanticModel,
  resolveColumn: ColumnResolver,
  options: DaxContextOptions = {},
): Array<{ table: string; name: string; translation: MeasureTranslation }> {
  const ctx = createDaxContext(model, resolveColumn, options);
  return model.tables.flatMap((t) =>
    t.measures.map((m) => ({ table: t.name, name: m.name, translation: translateMeasure({ name: m.name, expression: m.expression, table: t.name }, ctx) })),
  );
}

function topLevel(info: MeasureInfo, ctx: DaxContext, stack: readonly string[]): { result: MeasureTranslation; expr?: SqlExpr } {
  const key = lower(info.measure.name);
  const hit = ctx.memo.get(key);
  if (hit) return hit;
  const out = run(info, ctx, stack);
  ctx.memo.set(key, out);
  return out;
}

function run(info: MeasureInfo, ctx: DaxContext, stack: readonly string[]): { result: MeasureTranslation; expr?: SqlExpr } {
  const text = info.measure.expression;
  const parsed = parseCached(text, ctx);
  if (!parsed.ok) {
    const { message, line, column, start, end } = parsed.error;
    return {
      result: {
        grade: 'untranslated',
        reason: `the DAX does not parse: ${message} (line ${line}, column ${column})`,
        cause: 'parse-error',
        at: { start, end },
        dependsOn: lexedMeasureRefs(text, ctx),
        tables: [],
      },
    };
  }
  const dependsOn = measureRefs(parsed.ast, ctx);
  try {
    const scope: Scope = { home: info.table, filters: [], vars: new Map(), stack: [...stack, info.measure.name] };
    const expr = asValue(translator(ctx).scalar(parsed.ast, scope));
    return { result: finish(expr, dependsOn, ctx), expr };
  } catch (thrown) {
    if (thrown instanceof Untranslatable) {
      const e = thrown.code === 'dependency' ? (ownBlocker(parsed.ast) ?? thrown) : thrown;
      // A dependency's reason already says where in that measure it failed.
      const pos = e.at && e.located ? lineAndColumn(text, e.at.start) : undefined;
      const where = pos ? ` (line ${pos.line}, column ${pos.column})` : '';
      const result: MeasureTranslation = { grade: 'untranslated', reason: `${e.message}${where}`, cause: e.code, dependsOn, tables: [] };
      if (e.at) result.at = { start: e.at.start, end: e.at.end };
      return { result };
    }
    // A defect or an exhausted stack must not escape the module: report it as untranslated.
    return { result: { grade: 'untranslated', reason: `the translator failed: ${(thrown as Error).message}`, cause: 'unsupported-construct', dependsOn, tables: [] } };
  }
}

function finish(expr: SqlExpr, dependsOn: string[], ctx: DaxContext): MeasureTranslation {
  const untranslated = (reason: string, cause: UntranslatedCause = 'no-aggregation'): MeasureTranslation => ({ grade: 'untranslated', reason, cause, dependsOn, tables: [] });
  if (expr.type === 'blank') return untranslated('the measure is always BLANK');
  if (expr.level !== 'aggregate') return untranslated('the measure aggregates no table; a semantic-view metric must be an aggregate');
  const tables = [...expr.tables].sort((a, b) => a.localeCompare(b));
  const sql = countRowsSql(expr.sql, tables.length === 1, ctx);
  if ('reason' in sql) return untranslated(sql.reason, 'unsupported-construct');
  if (sql.sql.length > MAX_METRIC_SQL) {
    return untranslated(`the SQL would be ${sql.sql.length} characters (limit ${MAX_METRIC_SQL}); the measure chain is too deep to inline`, 'unsupported-construct');
  }
  if (expr.approx.length > 0) return { grade: 'approximate', sql: sql.sql, reason: expr.approx.join('; '), dependsOn, tables };
  return { grade: 'exact', sql: sql.sql, dependsOn, tables };
}

// COUNTROWS left a row marker inside COUNT(…). A regular metric (one table) counts with COUNT(*) or
// COUNT(CASE WHEN … THEN 1 END); a derived metric (several tables) must name the table's rows, so
// it counts a column that is never NULL (the table resolver's row key).
function countRowsSql(text: string, oneTable: boolean, ctx: DaxContext): SqlResolution {
  if (!text.includes('\uE000')) return { sql: text };
  if (oneTable) return { sql: text.replace(new RegExp(`COUNT\\(${ROW_MARKER.source}\\)`, 'g'), 'COUNT(*)').replace(ROW_MARKER, '1') };
  let missing: string | undefined;
  const sql = text.replace(ROW_MARKER, (_, table: string) => {
    const r = ctx.resolveTable(table);
    if ('rowKey' in r && r.rowKey !== undefined) return r.rowKey;
    missing ??= table;
    return '';
  });
  if (missing !== undefined) {
    return { reason: `COUNTROWS('${missing}') in a metric over several tables needs a column of '${missing}' that is never NULL to count, and none is known` };
  }
  return { sql };
}

// A measure referenced under CALCULATE filters is translated again for each use; its text is
// parsed once per context. Trees are never mutated, so sharing them is safe.
const parsedTexts = new WeakMap<DaxContext, Map<string, DaxParseResult>>();

function parseCached(text: string, ctx: DaxContext): DaxParseResult {
  let cache = parsedTexts.get(ctx);
  if (!cache) {
    cache = new Map();
    parsedTexts.set(ctx, cache);
  }
  let hit = cache.get(text);
  if (!hit) {
    hit = parseDax(text);
    cache.set(text, hit);
  }
  return hit;
}

const translators = new WeakMap<DaxContext, ExprTranslator>();

function translator(ctx: DaxContext): ExprTranslator {
  let t = translators.get(ctx);
  if (!t) {
    t = new ExprTranslator(ctx, (info, scope, at) => referenceMeasure(info, scope, at, ctx));
    translators.set(ctx, t);
  }
  return t;
}

// A measure reference is an implicit CALCULATE: outside any CALCULATE it is the measure's own
// translation; under CALCULATE filters the measure is translated again with those filters, which
// then reach its aggregates.
function referenceMeasure(info: MeasureInfo, scope: Scope, at: Span, ctx: DaxContext): SqlExpr {
  const name = info.measure.name;
  if (scope.stack.some((s) => lower(s) === lower(name))) {
    throw new Untranslatable('cycle', `circular measure reference: ${[...scope.stack, name].map((s) => `[${s}]`).join(' → ')}`, at);
  }
  const top = topLevel(info, ctx, scope.stack);
  if (top.result.grade === 'untranslated' || !top.expr) {
    const cause = top.result.cause === 'cycle' ? 'cycle' : 'dependency';
    throw new Untranslatable(cause, `depends on [${name}], which is untranslated: ${top.result.reason ?? ''}`, at, false);
  }
  let expr = top.expr;
  if (scope.filters.length > 0) {
    const parsed = parseCached(info.measure.expression, ctx);
    if (!parsed.ok) throw new Untranslatable('dependency', `depends on [${name}], which does not parse`, at);
    const inner: Scope = { home: info.table, filters: scope.filters, vars: new Map(), stack: [...scope.stack, name] };
    try {
      expr = asValue(translator(ctx).scalar(parsed.ast, inner));
    } catch (e) {
      if (e instanceof Untranslatable) throw new Untranslatable(e.code, `[${name}] under the CALCULATE filters: ${e.message}`, at, e.located);
      throw e;
    }
  }
  const approx = expr.approx.map((a) => (a.startsWith('via [') ? a : `via [${name}]: ${a}`));
  return { ...expr, deps: new Set([name]), approx };
}

/**
 * A construct of the measure's own text that no translation handles (time intelligence, ALL, …):
 * a more useful reason than a failing dependency, since the measure would fail without it too.
 */
function ownBlocker(ast: DaxNode): Untranslatable | undefined {
  let found: Untranslatable | undefined;
  const stack = [ast];
  while (stack.length > 0) {
    const n = stack.pop() as DaxNode;
    if (n.kind === 'call') {
      const known = untranslatableFunction(n.name);
      // Time intelligence is the most telling reason; otherwise the first blocker in the text.
      if (known?.cause === 'time-intelligence') return new Untranslatable(known.cause, known.why, n);
      if (known && known.cause !== 'unsupported-function') found ??= new Untranslatable(known.cause, known.why, n);
    }
    stack.push(...childrenOf(n).reverse()); // childrenOf returns a copy
  }
  return found;
}

/** Measures a parsed expression references directly, in the model's spelling. */
function measureRefs(ast: DaxNode, ctx: DaxContext): string[] {
  const out: string[] = [];
  const stack = [ast];
  while (stack.length > 0) {
    const n = stack.pop() as DaxNode;
    if (n.kind === 'ref' && (n.table === undefined || !ctx.column(n.table, n.name))) {
      const m = ctx.measure(n.name);
      if (m && !out.includes(m.measure.name)) out.push(m.measure.name);
    }
    stack.push(...childrenOf(n).reverse()); // childrenOf returns a copy
  }
  return out;
}

// For text that does not parse: the [Name] tokens that name measures.
function lexedMeasureRefs(text: string, ctx: DaxContext): string[] {
  const out: string[] = [];
  for (const t of lexDax(text).tokens) {
    const m = t.kind === 'bracket' ? ctx.measure(t.value) : undefined;
    if (m && !out.includes(m.measure.name)) out.push(m.measure.name);
  }
  return out;
}
