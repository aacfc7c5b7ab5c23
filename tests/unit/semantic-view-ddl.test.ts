// The CREATE SEMANTIC VIEW builder (issue 16 item 3): identifier quoting, string-literal escaping,
// documented clause order, optional clauses, and the spec rules it refuses to build from.
import { describe, expect, test } from 'vitest';
import { ConversionError } from '../../src/core/errors.js';
import { buildSemanticViewDdl } from '../../src/core/semantic-view/ddl.js';
import { columnRef, qualifiedName, quoteIdentifier, quoteStringLiteral } from '../../src/core/semantic-view/quote.js';
import { specProblems, type SemanticViewSpec } from '../../src/core/semantic-view/spec.js';

describe('quoteIdentifier', () => {
  test.each([
    ['SALES', 'SALES'],
    ['_X$1', '_X$1'],
    ['Sales', '"Sales"'],
    ['sales', '"sales"'],
    ['Order Date', '"Order Date"'],
    ['1ST', '"1ST"'],
    ['ORDER', '"ORDER"'], // reserved keyword
    ['COMMENT', '"COMMENT"'], // a word of the CREATE SEMANTIC VIEW grammar
    ['METRICS', '"METRICS"'],
    ['a"b', '"a""b"'],
    ['""', '""""""'],
    ['売上', '"売上"'],
    ['line\nbreak', '"line\nbreak"'],
    ['x'.repeat(255), `"${'x'.repeat(255)}"`],
  ])('%j → %s', (name, quoted) => {
    expect(quoteIdentifier(name)).toBe(quoted);
  });

  test.each([
    ['', /is empty/],
    ['X'.repeat(256), /256 characters long/],
    ['a\0b', /NUL/],
    ['a\uD800b', /lone UTF-16 surrogate/],
  ])('refuses %j', (name, message) => {
    expect(() => quoteIdentifier(name)).toThrow(message);
  });

  test('qualified names and column references quote each part on its own', () => {
    expect(qualifiedName({ database: 'RAW', schema: 'dbo', name: 'Fact Sales' })).toBe('RAW."dbo"."Fact Sales"');
    expect(columnRef('SALES', 'Amount (€)')).toBe('SALES."Amount (€)"');
  });
});

describe('quoteStringLiteral', () => {
  test.each([
    ['plain', "'plain'"],
    ['', "''"],
    ["it's", "'it''s'"],
    ['C:\\temp\\new', "'C:\\\\temp\\\\new'"],
    ['a\nb', "'a\\nb'"],
    ['a\r\nb', "'a\\r\\nb'"],
    ['a\tb', "'a\\tb'"],
    ['\0' + '12', "'\\u000012'"], // never \0 followed by digits: that would read as an octal escape
    ['\u0001\u001f\u007f', "'\\u0001\\u001f\\u007f'"],
    ['€ 😀 売上', "'€ 😀 売上'"],
    ['bad \uD800 half', "'bad \uFFFD half'"],
    ["$$ -- /* */ '' \\'", "'$$ -- /* */ '''' \\\\'''"],
  ])('%j → %s', (text, literal) => {
    expect(quoteStringLiteral(text)).toBe(literal);
  });
});

const base = (): SemanticViewSpec => ({
  view: { database: 'ANALYTICS', schema: 'SEMANTIC', name: 'SALES_MODEL' },
  comment: 'Sales model',
  tables: [
    { alias: 'SALES', object: { database: 'RAW', schema: 'DBO', name: 'FACT_SALES' } },
    { alias: 'CUSTOMER', object: { database: 'RAW', schema: 'DBO', name: 'DIM_CUSTOMER' }, primaryKey: ['CUSTOMER_ID'],
      unique: [['EMAIL']], synonyms: ['client'], comment: 'Customers' },
  ],
  relationships: [{ name: 'SALES_TO_CUSTOMER', fromAlias: 'SALES', fromColumns: ['CUSTOMER_ID'], toAlias: 'CUSTOMER', toColumns: ['CUSTOMER_ID'] }],
  facts: [{ alias: 'SALES', name: 'AMOUNT', sql: 'SALES.AMOUNT' }],
  dimensions: [{ alias: 'CUSTOMER', name: 'CUSTOMER_NAME', sql: 'CUSTOMER.NAME', comment: 'Name' }],
  metrics: [
    { alias: 'SALES', name: 'TOTAL_SALES', sql: 'SUM(SALES.AMOUNT)', comment: "Total Sales = SUM('Sales'[Amount])" },
    { name: 'SALES_X2', sql: 'SALES.TOTAL_SALES * 2', private: true },
  ],
});

describe('buildSemanticViewDdl', () => {
  test('writes the documented clauses in the documented order', () => {
    expect(buildSemanticViewDdl(base())).toBe([
      'CREATE OR REPLACE SEMANTIC VIEW ANALYTICS."SEMANTIC".SALES_MODEL',
      '  TABLES (',
      '    SALES AS RAW.DBO.FACT_SALES,',
      '    CUSTOMER AS RAW.DBO.DIM_CUSTOMER',
      '      PRIMARY KEY (CUSTOMER_ID)',
      '      UNIQUE (EMAIL)',
      "      WITH SYNONYMS = ('client')",
      "      COMMENT = 'Customers'",
      '  )',
      '  RELATIONSHIPS (',
      '    SALES_TO_CUSTOMER AS SALES (CUSTOMER_ID) REFERENCES CUSTOMER (CUSTOMER_ID)',
      '  )',
      '  FACTS (',
      '    SALES.AMOUNT AS SALES.AMOUNT',
      '  )',
      '  DIMENSIONS (',
      '    CUSTOMER.CUSTOMER_NAME AS CUSTOMER.NAME',
      "      COMMENT = 'Name'",
      '  )',
      '  METRICS (',
      '    SALES.TOTAL_SALES AS SUM(SALES.AMOUNT)',
      "      COMMENT = 'Total Sales = SUM(''Sales''[Amount])',",
      '    PRIVATE SALES_X2 AS SALES.TOTAL_SALES * 2',
      '  )',
      "  COMMENT = 'Sales model'",
      '  COPY GRANTS',
    ].join('\n'));
  });

  test('the same spec always gives the same text', () => {
    expect(buildSemanticViewDdl(base())).toBe(buildSemanticViewDdl(structuredClone(base())));
  });

  test('leaves out empty optional clauses and the view comment', () => {
    const spec = { ...base(), relationships: [], facts: [], comment: undefined };
    const ddl = buildSemanticViewDdl(spec);
    expect(ddl).not.toMatch(/RELATIONSHIPS|FACTS|\n {2}COMMENT/);
    expect(ddl.indexOf('TABLES (')).toBeLessThan(ddl.indexOf('DIMENSIONS ('));
  });

  test.each([
    [{ mode: 'replace' as const }, /^CREATE OR REPLACE SEMANTIC VIEW [^\n]+[\s\S]*COPY GRANTS$/],
    [{ mode: 'replace' as const, copyGrants: false }, /^CREATE OR REPLACE SEMANTIC VIEW [\s\S]*'Sales model'$/],
    [{ mode: 'create' as const }, /^CREATE SEMANTIC VIEW ANALYTICS[\s\S]*'Sales model'$/],
    [{ mode: 'ifNotExists' as const }, /^CREATE SEMANTIC VIEW IF NOT EXISTS ANALYTICS[\s\S]*'Sales model'$/],
  ])('mode %j', (options, shape) => {
    expect(buildSemanticViewDdl(base(), options)).toMatch(shape);
  });

  test('puts a long or multi-line expression, unchanged, on its own lines, and ends a line comment before the next item', () => {
    const spec = base();
    spec.metrics[0]!.sql = 'SUM(SALES.AMOUNT)\n  / NULLIF(COUNT(*), 0) -- average';
    expect(buildSemanticViewDdl(spec)).toContain('    SALES.TOTAL_SALES AS\n      SUM(SALES.AMOUNT)\n  / NULLIF(COUNT(*), 0) -- average\n      COMMENT = ');
    delete spec.metrics[0]!.comment;
    expect(buildSemanticViewDdl(spec)).toContain('/ NULLIF(COUNT(*), 0) -- average\n    ,\n    PRIVATE SALES_X2');
  });

  test('refuses a spec Snowflake would reject, naming every problem', () => {
    const spec = base();
    spec.relationships[0]!.toColumns = ['NAME'];
    spec.dimensions.push({ alias: 'NOPE', name: 'X', sql: 'NOPE.X' });
    let err: unknown;
    try { buildSemanticViewDdl(spec); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConversionError);
    expect((err as Error).message).toContain('relationships[0].toColumns: (NAME) is not the primary key or a UNIQUE set of "CUSTOMER"');
    expect((err as Error).message).toContain('dimensions[1].alias: no logical table "NOPE"');
  });
});

describe('specProblems', () => {
  const cases: [string, (s: SemanticViewSpec) => void, string][] = [
    ['no tables', (s) => { s.tables = []; s.relationships = []; s.facts = []; s.dimensions = []; s.metrics = []; }, 'tables: a semantic view needs at least one logical table'],
    ['duplicate alias', (s) => { s.tables[1]!.alias = 'SALES'; }, 'tables[1].alias: logical table "SALES" is declared twice'],
    ['empty view name', (s) => { s.view.name = ''; }, 'view.name: name "" is empty'],
    ['over-long object name', (s) => { s.tables[0]!.object.name = 'T'.repeat(300); }, 'tables[0].object.name: name'],
    ['UNIQUE repeating the primary key', (s) => { s.tables[1]!.unique = [['CUSTOMER_ID']]; }, 'tables[1].unique[0]: repeats the primary key or another UNIQUE set'],
    ['empty primary key', (s) => { s.tables[1]!.primaryKey = []; }, 'tables[1].primaryKey: needs at least one column'],
    ['column listed twice', (s) => { s.tables[1]!.primaryKey = ['A', 'A']; }, 'tables[1].primaryKey: lists a column twice'],
    ['duplicate relationship', (s) => { s.relationships.push({ ...s.relationships[0]! }); }, 'relationships[1].name: relationship "SALES_TO_CUSTOMER" is declared twice'],
    ['unknown relationship table', (s) => { s.relationships[0]!.toAlias = 'X'; }, 'relationships[0].toAlias: no logical table "X"'],
    ['self reference', (s) => { s.relationships[0]!.toAlias = 'SALES'; s.tables[0]!.primaryKey = ['CUSTOMER_ID']; }, 'relationships[0]: a table cannot reference itself'],
    ['column count', (s) => { s.relationships[0]!.fromColumns = ['A', 'B']; }, 'relationships[0]: 2 column(s) reference 1'],
    ['cycle', (s) => {
      s.tables[0]!.primaryKey = ['ID'];
      s.relationships.push({ name: 'BACK', fromAlias: 'CUSTOMER', fromColumns: ['LAST_SALE'], toAlias: 'SALES', toColumns: ['ID'] });
    }, 'relationships: circular path SALES -> CUSTOMER -> SALES'],
    ['unknown expression table', (s) => { s.facts[0]!.alias = 'X'; }, 'facts[0].alias: no logical table "X"'],
    ['name used twice in one table', (s) => { s.metrics[0]!.name = 'AMOUNT'; }, 'metrics[0].name: "AMOUNT" is already used by facts[0]'],
    ['derived metric named like a table metric', (s) => { s.metrics[1]!.name = 'TOTAL_SALES'; }, 'metrics[1].name: derived metric "TOTAL_SALES" has the name of a table metric'],
    ['empty SQL', (s) => { s.facts[0]!.sql = '  '; }, 'facts[0].sql: is empty'],
    ['no dimension or metric', (s) => { s.dimensions = []; s.metrics = []; }, 'dimensions/metrics: a semantic view must define at least one dimension or metric'],
  ];
  test.each(cases)('%s', (_name, mutate, problem) => {
    const spec = base();
    mutate(spec);
    expect(specProblems(spec).join('\n')).toContain(problem);
  });

  test('a valid spec has no problems', () => {
    expect(specProblems(base())).toEqual([]);
  });
});
