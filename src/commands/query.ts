// `fabric-sync query "<SQL>"` (issue 14 item 6): one statement against the configured warehouse —
// the DuckDB file by default, Snowflake when configured — printed as a table or, with --json, as
// { columns, rows, rowCount }. Reads only, unless --write.
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { checkStatement } from '../core/query/statement.js';
import { invalidOptions } from './option-errors.js';
import { defined, type Bind, type Command } from './context.js';
import { describeWarehouse } from './locations.js';

const Options = z.object({
  write: z.boolean().optional(),
  target: z.enum(['snowflake', 'duckdb']).optional(),
  maxWidth: z.coerce.number().int().min(8).max(100_000).optional(),
});

/** Widest cell of the human table by default; --max-width changes it, --json is never cut. */
const DEFAULT_CELL_WIDTH = 60;

export function registerQuery(program: Command, bind: Bind): void {
  program
    .command('query')
    .argument('<sql>', 'one SQL statement (quote it for the shell)')
    .description('run SQL against the warehouse the sync writes (the DuckDB file by default, Snowflake when configured); read-only unless --write')
    .option('--write', 'allow a statement that is not SELECT, WITH, SHOW or DESCRIBE')
    .option('--target <target>', 'warehouse: snowflake | duckdb (default: snowflake when SNOWFLAKE_ACCOUNT is set)')
    .option('--max-width <n>', `widest table cell before it is cut with … (default ${DEFAULT_CELL_WIDTH}; --json is never cut)`)
    .addHelpText(
      'after',
      `
Tables: _SEMANTIC_CURRENT_MODELS (view), _SEMANTIC_METADATA, _SEMANTIC_TABLES, _SEMANTIC_COLUMNS,
_SEMANTIC_MEASURES, _SEMANTIC_RELATIONSHIPS, _SEMANTIC_MODEL_VERSIONS (docs/warehouse.md).

Examples:
  $ fabric-sync query "SELECT MODEL_NAME, TABLE_COUNT, MEASURE_COUNT FROM _SEMANTIC_CURRENT_MODELS"
  $ fabric-sync query "SELECT TABLE_NAME, MEASURE_NAME, PUSH_ACTION FROM _SEMANTIC_MEASURES WHERE PUSH_ACTION <> 'kept'"
  $ fabric-sync query "DESCRIBE _SEMANTIC_COLUMNS" --json`,
    )
    .action(
      bind(async (ctx, sqlArg, rawOptions) => {
        const parsed = Options.safeParse(rawOptions);
        if (!parsed.success) throw invalidOptions(parsed.error, 'query');
        const o = parsed.data;
        const sql = String(sqlArg);
        const check = checkStatement(sql);
        if (check.kind === 'write' && !o.write) {
          throw new UsageError(`query is read-only without --write: ${check.reason}.`, { hint: 'Use SELECT, WITH, SHOW or DESCRIBE; add --write to change the warehouse on purpose (one statement).' });
        }
        if (check.reason === 'it holds more than one statement' || check.reason === 'the statement is empty') throw new UsageError(`query: ${check.reason}.`, { hint: 'Give exactly one SQL statement.' });
        const { config } = await ctx.config({ warehouse: defined({ target: o.target }) });
        const { openConfiguredWarehouse } = await import('./warehouse-open.js');
        const wh = await openConfiguredWarehouse(ctx, config, { write: Boolean(o.write), command: 'query' });
        try {
          ctx.ui.debug(`query on ${describeWarehouse(wh.location)}`);
          const result = await wh.backend.execute(sql);
          const rows = result.rows.map(plainRow);
          const columns = rows.length > 0 ? Object.keys(rows[0]!) : [];
          const width = o.maxWidth ?? DEFAULT_CELL_WIDTH;
          ctx.ui.result(
            { warehouse: wh.location, columns, rows, rowCount: rows.length, ...(result.rowsAffected !== undefined ? { rowsAffected: result.rowsAffected } : {}) },
            () => {
              if (columns.length === 0) return result.rowsAffected !== undefined ? `${result.rowsAffected} row${result.rowsAffected === 1 ? '' : 's'} affected.` : '(no rows)';
              const table = ctx.ui.table(columns, rows.map((r) => columns.map((c) => cell(r[c], width))));
              return `${table}\n${ctx.ui.c.dim(`(${rows.length} row${rows.length === 1 ? '' : 's'})`)}`;
            },
          );
          return 0;
        } finally {
          await wh.backend.close();
        }
      }),
    );
}

/** JSON-safe values: dates as ISO-8601, big integers as numbers when exact and as text when not. */
function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = plain(v);
  return out;
}

function plain(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return plainRow(v as Record<string, unknown>);
  return v;
}

/** One table cell: NULL spelled out, JSON for structures, cut at `width`. */
export function cell(v: unknown, width: number): string {
  const text = v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
