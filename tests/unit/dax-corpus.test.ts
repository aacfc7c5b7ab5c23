// DAX → SQL coverage on the real models of ../shared/corpus (issue 16, item 5), assuming every
// table is traced: the resolver maps 'T'[C] to "T"."C" for every data column (a calculated column
// has no source column, so it stays unresolved). Prints, per model, how many measures are exact /
// approximate / untranslated and the top causes, following untranslated dependencies to their root.
// Checks: every SQL produced compiles in DuckDB against tables built from the model; no exact
// measure calls a function the translator declares untranslatable; time intelligence
// (dt-standard is full of it) is never translated.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ColumnResolver, MeasureTranslation } from '../../src/core/dax/context.js';
import { untranslatableFunction } from '../../src/core/dax/functions.js';
import { lexDax } from '../../src/core/dax/lexer.js';
import { translateModelMeasures } from '../../src/core/dax/translate.js';
import { loadModel } from '../../src/core/schema/load.js';
import type { SemanticModel, TomDataType } from '../../src/core/schema/model.js';
import { corpusEntries, hasCorpus } from '../support/paths.js';
import { describeCorpus } from '../support/tiers.js';

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

const DUCK_TYPES: Partial<Record<TomDataType, string>> = {
  int64: 'BIGINT', double: 'DOUBLE', decimal: 'DECIMAL(19,4)', string: 'VARCHAR', boolean: 'BOOLEAN', dateTime: 'TIMESTAMP',
};

/** Every data column resolves to "Table"."Column"; calculated columns have no Snowflake source. */
function everyTableResolver(model: SemanticModel): ColumnResolver {
  return (t, c) => {
    const column = model.tables.find((x) => x.name === t)?.columns.find((x) => x.name === c);
    if (column?.kind === 'calculated') return { reason: 'calculated column (no source column)' };
    return { sql: `${quote(t)}.${quote(c)}` };
  };
}

/** Functions called by name in a DAX text. */
function calledFunctions(dax: string): string[] {
  const tokens = lexDax(dax).tokens;
  return tokens.filter((t, i) => t.kind === 'ident' && tokens[i + 1]?.value === '(').map((t) => t.value.toUpperCase());
}

interface Row {
  table: string;
  name: string;
  expression: string;
  translation: MeasureTranslation;
}

function rootCause(row: Row, byName: Map<string, Row>, seen = new Set<string>()): string {
  const t = row.translation;
  if (t.cause !== 'dependency' || seen.has(row.name)) return t.cause ?? 'unknown';
  seen.add(row.name);
  for (const dep of t.dependsOn) {
    const d = byName.get(dep.toLowerCase());
    if (d && d.translation.grade === 'untranslated') return rootCause(d, byName, seen);
  }
  return 'dependency';
}

const top = (counts: Map<string, number>, n: number): string =>
  [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n).map(([k, v]) => `${k} ${v}`).join(', ');

const entries = hasCorpus ? corpusEntries() : [];

describeCorpus('DAX → SQL coverage on the corpus', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  const report: string[] = [];

  beforeAll(async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
  });
  afterAll(() => {
    console.log(['DAX → SQL coverage (every table traced; calculated columns unresolved):', ...report].join('\n'));
    conn?.closeSync();
    instance?.closeSync();
  });

  test.each(entries)('$id', async (entry) => {
    const { model } = await loadModel(entry.dir);
    const rows: Row[] = translateModelMeasures(model, everyTableResolver(model)).map((r) => ({
      ...r,
      expression: model.tables.find((t) => t.name === r.table)?.measures.find((m) => m.name === r.name)?.expression ?? '',
    }));
    const byName = new Map(rows.map((r) => [r.name.toLowerCase(), r]));
    const grades = { exact: 0, approximate: 0, untranslated: 0 };
    const causes = new Map<string, number>();
    for (const r of rows) {
      grades[r.translation.grade] += 1;
      if (r.translation.grade === 'untranslated') {
        const c = rootCause(r, byName);
        causes.set(c, (causes.get(c) ?? 0) + 1);
      } else if (r.translation.grade === 'approximate') {
        const c = r.translation.reason?.includes('CALCULATE filter on') ? 'approx: plain CALCULATE filter' : 'approx: other';
        causes.set(c, (causes.get(c) ?? 0) + 1);
      }
    }
    report.push(
      `  ${entry.id.padEnd(28)} measures ${String(rows.length).padStart(3)}  exact ${String(grades.exact).padStart(3)}  approximate ${String(grades.approximate).padStart(3)}  untranslated ${String(grades.untranslated).padStart(3)}` +
        (causes.size > 0 ? `  | ${top(causes, 4)}` : ''),
    );

    // An exact measure calls no function the translator lists as untranslatable.
    for (const r of rows.filter((x) => x.translation.grade === 'exact')) {
      const banned = calledFunctions(r.expression).filter((f) => untranslatableFunction(f));
      expect(banned, `${r.name}: ${r.expression}`).toEqual([]);
    }
    // Time intelligence is never translated, directly or through a dependency.
    for (const r of rows) {
      if (calledFunctions(r.expression).some((f) => untranslatableFunction(f)?.cause === 'time-intelligence')) {
        expect(r.translation.grade, r.name).toBe('untranslated');
      }
    }

    // Every SQL compiles in DuckDB against the model's tables (empty, typed like the model).
    const schema = quote(entry.id);
    await conn.run(`CREATE SCHEMA ${schema}`);
    await conn.run(`SET search_path = ${quote(entry.id)}`);
    for (const t of model.tables) {
      const cols = t.columns.map((c) => `${quote(c.name)} ${DUCK_TYPES[c.dataType] ?? 'VARCHAR'}`);
      if (cols.length > 0) await conn.run(`CREATE TABLE ${quote(t.name)} (${cols.join(', ')})`);
    }
    const failures: string[] = [];
    for (const r of rows) {
      const sql = r.translation.sql;
      if (!sql) continue;
      // The aggregated tables, plus those whose columns the SQL reads (filters on related tables).
      const tables = new Set<string>(r.translation.tables);
      for (const m of sql.matchAll(/"((?:[^"]|"")+)"\."/g)) tables.add((m[1] as string).replace(/""/g, '"'));
      const from = [...tables].map((t) => `${quote(t)}`).join(' CROSS JOIN ');
      try {
        await conn.run(`EXPLAIN SELECT ${sql} FROM ${from}`);
      } catch (e) {
        failures.push(`${r.name}: ${sql}\n  → ${(e as Error).message.split('\n')[0]}`);
      }
    }
    expect(failures).toEqual([]);

    if (entry.id === 'dt-standard') {
      expect(grades.untranslated).toBeGreaterThan(100);
      expect(causes.get('time-intelligence')).toBeGreaterThan(100);
      expect(rows.filter((r) => r.translation.grade === 'exact').map((r) => r.name).sort()).toEqual(['Margin', 'Margin %', 'Sales Amount', 'Total Cost']);
    }
  }, 60_000);
});
