// What a semantic expression refers to, read from its tokens: `table.name` references, bare names,
// aggregate calls and window functions. The rules of
// https://docs.snowflake.com/en/user-guide/views-semantic/validation-rules are stated in these
// terms (a metric "must use an aggregate function", a row-level expression refers to another
// table's expression "using aggregation", …), so this is all the checker needs from the SQL.
import type { SvToken } from './semantic-view-lexer.js';

/** Snowflake aggregate functions (https://docs.snowflake.com/en/sql-reference/functions-aggregation). */
export const AGGREGATES = new Set(('ANY_VALUE APPROX_COUNT_DISTINCT APPROX_PERCENTILE APPROX_TOP_K ARRAY_AGG ARRAY_UNION_AGG '
  + 'ARRAY_UNIQUE_AGG AVG BITAND_AGG BITOR_AGG BITXOR_AGG BOOLAND_AGG BOOLOR_AGG BOOLXOR_AGG CORR COUNT COUNT_IF COVAR_POP '
  + 'COVAR_SAMP GROUPING HASH_AGG HLL KURTOSIS LISTAGG MAX MAX_BY MEDIAN MIN MIN_BY MINHASH MODE OBJECT_AGG PERCENTILE_CONT '
  + 'PERCENTILE_DISC REGR_AVGX REGR_AVGY REGR_COUNT REGR_INTERCEPT REGR_R2 REGR_SLOPE REGR_SXX REGR_SXY REGR_SYY SKEW STDDEV '
  + 'STDDEV_POP STDDEV_SAMP SUM VAR_POP VAR_SAMP VARIANCE VARIANCE_POP VARIANCE_SAMP').split(' '));

export interface ExprRef {
  /** Logical table for `table.name`; absent for a bare name. */
  table?: string;
  name: string;
  token: SvToken;
  /** Inside the arguments of an aggregate call. */
  inAggregate: boolean;
  /** Inside the PARTITION BY / ORDER BY of an OVER (…) window. */
  inWindow: boolean;
}

export interface ExprShape {
  refs: ExprRef[];
  /** Aggregate calls, with whether each is nested in another. */
  aggregates: { name: string; token: SvToken; nested: boolean }[];
  /** An OVER (…) window. */
  window: boolean;
}

const isName = (t: SvToken | undefined): boolean => t !== undefined && (t.kind === 'word' || t.kind === 'qident');
const isOp = (t: SvToken | undefined, v: string): boolean => t !== undefined && t.kind === 'op' && t.value === v;

export function exprShape(tokens: readonly SvToken[]): ExprShape {
  const shape: ExprShape = { refs: [], aggregates: [], window: false };
  const frames: ('aggregate' | 'window' | 'other')[] = [];
  let pending: 'aggregate' | 'window' | 'other' = 'other';
  const inAggregate = (): boolean => frames.includes('aggregate');
  const inWindow = (): boolean => frames.includes('window');
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    const prev = tokens[i - 1];
    if (tok.kind === 'op') {
      if (tok.value === '(') { frames.push(pending); pending = 'other'; } else if (tok.value === ')') frames.pop();
      continue;
    }
    if (!isName(tok) || isOp(prev, '.') || isOp(prev, '::')) continue;
    if (prev?.kind === 'word' && prev.value === 'AS') continue; // CAST(x AS <type>)
    if (tok.kind === 'word' && isOp(tokens[i + 1], '(')) {
      if (tok.value === 'OVER') { shape.window = true; pending = 'window'; } else if (AGGREGATES.has(tok.value)) {
        shape.aggregates.push({ name: tok.value, token: tok, nested: inAggregate() });
        pending = 'aggregate';
      }
      continue;
    }
    // A dotted chain: `a.b` is a reference; `a.b(…)` (a qualified function) and `a.b.c` are not.
    let j = i;
    const parts = [tok];
    while (isOp(tokens[j + 1], '.') && isName(tokens[j + 2])) { parts.push(tokens[j + 2]!); j += 2; }
    if (parts.length === 1) shape.refs.push({ name: tok.value, token: tok, inAggregate: inAggregate(), inWindow: inWindow() });
    else if (parts.length === 2 && !isOp(tokens[j + 1], '(')) {
      shape.refs.push({ table: tok.value, name: parts[1]!.value, token: tok, inAggregate: inAggregate(), inWindow: inWindow() });
    }
    i = j;
  }
  return shape;
}

/** SQL words that may stand bare in an expression without being a column or semantic name. */
export const SQL_WORDS = new Set(('AND OR NOT IS NULL TRUE FALSE CASE WHEN THEN ELSE END IN BETWEEN LIKE ILIKE RLIKE ESCAPE '
  + 'DISTINCT AS INTERVAL CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP LOCALTIME LOCALTIMESTAMP DATE TIME TIMESTAMP '
  + 'PARTITION BY ORDER ASC DESC NULLS FIRST LAST ROWS RANGE UNBOUNDED PRECEDING FOLLOWING CURRENT ROW EXCLUDING WITHIN GROUP '
  + 'YEAR QUARTER MONTH WEEK DAY HOUR MINUTE SECOND FROM').split(' '));
