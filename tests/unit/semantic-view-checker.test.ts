// The stand-in's CREATE SEMANTIC VIEW checker against the builder (issue 16 item 4): every statement
// the builder writes for synthetic specs — hostile names, DAX comments with quotes, newlines and
// backslashes, random ones — is accepted and parses back to exactly the spec; a documented
// statement is accepted; hand-written statements that each break one documented rule are rejected
// with the matching Snowflake-style error.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { buildSemanticViewDdl } from '../../src/core/semantic-view/ddl.js';
import { columnRef, identifierProblem } from '../../src/core/semantic-view/quote.js';
import type { SemanticViewSpec } from '../../src/core/semantic-view/spec.js';
import { checkSemanticView, type ParsedSemanticView } from '../support/snowflake-standin/semantic-view.js';
import { RESERVED } from '../support/snowflake-standin/semantic-view-parse.js';

/** Text as Snowflake stores it: a lone UTF-16 surrogate cannot be stored and becomes U+FFFD. */
const wf = (s: string | undefined): string | undefined => s?.replace(/[\uD800-\uDFFF]/gu, '\uFFFD');

/** The parsed statement must say exactly what the spec said (names, keys, comments, expressions). */
function expectSameView(view: ParsedSemanticView | undefined, spec: SemanticViewSpec): void {
  expect(view).toBeDefined();
  const v = view!;
  const values = (ids: readonly { value: string }[] | undefined): string[] | undefined => ids?.map((i) => i.value);
  expect(values(v.name)).toEqual([spec.view.database, spec.view.schema, spec.view.name]);
  expect(v.comment).toBe(wf(spec.comment));
  expect(v.tables.map((t) => ({
    alias: t.name.value, object: values(t.object), primaryKey: values(t.primaryKey), unique: t.unique.map(values), comment: t.comment, synonyms: t.synonyms,
  }))).toEqual(spec.tables.map((t) => ({
    alias: t.alias, object: [t.object.database, t.object.schema, t.object.name], primaryKey: t.primaryKey, unique: t.unique ?? [],
    comment: wf(t.comment), synonyms: (t.synonyms ?? []).map(wf),
  })));
  expect(v.relationships.map((r) => [r.name?.value, r.from.value, values(r.fromColumns), r.to.value, values(r.toColumns)]))
    .toEqual(spec.relationships.map((r) => [r.name, r.fromAlias, r.fromColumns, r.toAlias, r.toColumns]));
  // The parsed SQL is the text from the first token to the last, so a line comment that ends the
  // spec's SQL is not part of it: the spec's SQL must be the parsed text plus, at most, that comment.
  const sql = (parsed: string, written: string): string => {
    const rest = written.trim().slice(parsed.length);
    return written.trim().startsWith(parsed) && /^(\s*(--|\/\/)[^\n]*)?$/.test(rest) ? written : `${parsed} ≠ ${written}`;
  };
  const syn = (e: { synonyms?: string[] }): (string | undefined)[] => (e.synonyms ?? []).map(wf);
  const exprs = (list: ParsedSemanticView['facts'], written: readonly { sql: string }[]): unknown[] =>
    list.map((e, i) => [e.table?.value, e.name.value, sql(e.sql, written[i]?.sql ?? ''), e.comment, e.access === 'PRIVATE', e.synonyms]);
  expect(exprs(v.facts, spec.facts)).toEqual(spec.facts.map((f) => [f.alias, f.name, f.sql, wf(f.comment), f.private === true, syn(f)]));
  expect(exprs(v.dimensions, spec.dimensions)).toEqual(spec.dimensions.map((d) => [d.alias, d.name, d.sql, wf(d.comment), false, syn(d)]));
  expect(exprs(v.metrics, spec.metrics)).toEqual(spec.metrics.map((m) => [m.alias, m.name, m.sql, wf(m.comment), m.private === true, syn(m)]));
}

function roundTrip(spec: SemanticViewSpec): void {
  const ddl = buildSemanticViewDdl(spec);
  const result = checkSemanticView(ddl);
  expect(result.problems, ddl).toEqual([]);
  expectSameView(result.view, spec);
}

const DAX = [
  'Total Sales :=',
  "VAR s = SUM ( 'Fact Sales'[Amount] ) // the \"gross\" amount",
  '/* note: it\'s a \\ backslash, $$ and -- are text */',
  'RETURN IF ( ISBLANK ( s ), 0, s )\r\n\t-- end',
].join('\n');

/** Names chosen to break a naive builder: keywords, quotes, spaces, scripts, dots, line breaks, 255 characters. */
function hostileSpec(): SemanticViewSpec {
  const fact = 'Order';
  const dim = 'Customer "VIP" Ünïcødé';
  const date = '日付';
  const long = `L${'x'.repeat(254)}`;
  return {
    view: { database: 'my.db', schema: 'sch ema', name: 'Sales "Model"' },
    comment: DAX,
    tables: [
      { alias: fact, object: { database: 'RAW', schema: 'public', name: 'Fact Sales' }, primaryKey: ['Order ID'], comment: "Orders' lines\nper day" },
      { alias: dim, object: { database: 'RAW', schema: 'DBO', name: 'DIM"CUSTOMER' }, primaryKey: ['Customer Key'], unique: [['e-mail'], ['Name', 'Birth Date']],
        synonyms: ["client's", 'cliente\n"VIP"', '\\\\server'] },
      { alias: date, object: { database: 'RAW', schema: 'DBO', name: 'Date' }, primaryKey: ['DateKey'], comment: '' },
      { alias: long, object: { database: 'RAW', schema: 'DBO', name: 'SELECT' } },
    ],
    relationships: [
      { name: 'Order → Customer', fromAlias: fact, fromColumns: ['Customer Key'], toAlias: dim, toColumns: ['Customer Key'] },
      { name: 'TABLE', fromAlias: fact, fromColumns: ['Date\nKey'], toAlias: date, toColumns: ['DateKey'] },
      { name: 'l', fromAlias: long, fromColumns: ['Order ID'], toAlias: fact, toColumns: ['Order ID'] },
    ],
    facts: [
      { alias: fact, name: 'Amount (€)', sql: columnRef(fact, 'Amount (€)'), comment: 'C:\\data\\amount', private: true },
      { alias: fact, name: 'QTY', sql: `${columnRef(fact, 'Qty')} * 1 -- line comment, then the next item` },
      { alias: fact, name: 'UNITS', sql: `${columnRef(fact, 'Qty')} // also a comment`, synonyms: ['units', ''] },
    ],
    dimensions: [
      { alias: dim, name: 'Name', sql: columnRef(dim, 'Name'), comment: 'The customer\'s "display" name' },
      { alias: date, name: 'Year', sql: `YEAR(${columnRef(date, 'Date')})` },
      { alias: long, name: long, sql: columnRef(long, 'x') },
    ],
    metrics: [
      { alias: fact, name: 'Total Sales', sql: `SUM(${columnRef(fact, 'Amount (€)')})`, comment: DAX },
      { alias: fact, name: 'Orders', sql: `COUNT(DISTINCT ${columnRef(fact, 'Order ID')})`, comment: '\0' + '12 \\012 \\x41 \\u0041' },
      { alias: fact, name: 'Avg', sql: `${columnRef(fact, 'Total Sales')} -- DIVIDE\n  / NULLIF(${columnRef(fact, 'Orders')}, 0) -- blank on zero`, comment: 'DIVIDE([Total Sales], [Orders])' },
      { alias: fact, name: 'Labels', sql: `LISTAGG(DISTINCT ${columnRef(fact, 'Order ID')}, ',\n -- ''x'' ')`, private: true },
      { alias: dim, name: 'Customers', sql: `COUNT(${columnRef(dim, 'Customer Key')})`, comment: 'bad \uD800 surrogate' },
      { name: 'Sales per customer', sql: `${columnRef(fact, 'Total Sales')} / ${columnRef(dim, 'Customers')}`, comment: '\0\u0001\u007f😀' },
    ],
  };
}

describe('the checker accepts what the builder writes', () => {
  test('hostile names and DAX comments round-trip exactly', () => {
    roundTrip(hostileSpec());
  });

  test('every Snowflake reserved keyword can be a name', () => {
    const words = [...RESERVED];
    const t = (w: string): { alias: string; object: { database: string; schema: string; name: string }; primaryKey: string[] } =>
      ({ alias: w, object: { database: w, schema: w, name: w }, primaryKey: [w] });
    roundTrip({
      view: { database: 'SELECT', schema: 'FROM', name: 'WHERE' },
      tables: [t('TABLE'), t('UNIQUE')],
      relationships: [{ name: 'REFERENCES', fromAlias: 'TABLE', fromColumns: ['UNIQUE'], toAlias: 'UNIQUE', toColumns: ['UNIQUE'] }],
      facts: words.map((w) => ({ alias: 'TABLE', name: w, sql: columnRef('TABLE', w) })),
      dimensions: [{ alias: 'UNIQUE', name: 'COMMENT', sql: columnRef('UNIQUE', 'WITH') }],
      metrics: [{ alias: 'TABLE', name: 'METRICS', sql: `SUM(${columnRef('TABLE', 'ORDER')})` }],
    });
  });

  test('each build mode is accepted', () => {
    for (const mode of ['replace', 'create', 'ifNotExists'] as const) {
      const r = checkSemanticView(buildSemanticViewDdl(hostileSpec(), { mode }));
      expect(r.problems).toEqual([]);
      expect([r.view!.orReplace, r.view!.ifNotExists, r.view!.copyGrants]).toEqual([mode === 'replace', mode === 'ifNotExists', mode === 'replace']);
    }
  });

  test('random star schemas with arbitrary names and comments round-trip (property)', () => {
    const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => identifierProblem(s) === undefined);
    const text = fc.string({ unit: 'binary', maxLength: 200 });
    const spec = fc.record({
      names: fc.uniqueArray(name, { minLength: 3, maxLength: 8, selector: (s) => s }),
      cols: fc.uniqueArray(name, { minLength: 2, maxLength: 4, selector: (s) => s }),
      comments: fc.array(fc.option(text, { nil: undefined }), { minLength: 8, maxLength: 8 }),
    }).map(({ names, cols, comments }): SemanticViewSpec => {
      const [fact, ...dims] = names as [string, ...string[]];
      const [key, value] = cols as [string, string, ...string[]];
      const c = (i: number): { comment?: string } => (comments[i] === undefined ? {} : { comment: comments[i] });
      return {
        view: { database: names[0]!, schema: names[1]!, name: names[2]!, }, ...c(0),
        tables: [
          { alias: fact, object: { database: 'DB', schema: 'S', name: fact }, ...c(1) },
          ...dims.map((d, i) => ({ alias: d, object: { database: 'DB', schema: d, name: cols[i % cols.length]! }, primaryKey: [key], ...c(2) })),
        ],
        relationships: dims.map((d, i) => ({ name: `${d}${i}`, fromAlias: fact, fromColumns: [`${value}${i}`], toAlias: d, toColumns: [key] })),
        facts: [{ alias: fact, name: value, sql: columnRef(fact, value), ...c(3) }],
        dimensions: dims.map((d) => ({ alias: d, name: value, sql: columnRef(d, key), ...c(4) })),
        metrics: [
          { alias: fact, name: key, sql: `SUM(${columnRef(fact, value)})`, ...c(5) },
          { alias: fact, name: `${key} x2`, sql: `${columnRef(fact, key)} * 2`, ...c(6), private: true },
          { name: 'DERIVED', sql: `${columnRef(fact, key)} + 1`, ...c(7) },
        ],
      };
    });
    fc.assert(fc.property(spec, roundTrip), { numRuns: 300 });
  });
});

describe('the checker accepts documented statements it did not write', () => {
  test('aliases, unaliased tables, PUBLIC/PRIVATE, synonyms, USING, NON ADDITIVE BY, derived and window metrics, verified queries', () => {
    const ddl = `create or replace semantic view tpch_analysis
  tables (
    orders as snowflake_sample_data.tpch_sf1.orders primary key (o_orderkey) with synonyms ('sales orders') comment = 'All orders',
    customer as snowflake_sample_data.tpch_sf1.customer primary key (c_custkey) unique (c_name),
    line_items as snowflake_sample_data.tpch_sf1.lineitem primary key (l_orderkey, l_linenumber),
    nation primary key (n_nationkey)
  )
  relationships (
    orders_to_customers as orders (o_custkey) references customer (c_custkey),
    line_item_to_orders as line_items (l_orderkey) references orders,
    customer (c_nationkey) references nation
  )
  facts (
    line_items.line_item_id as concat(l_orderkey, '-', l_linenumber),
    orders.count_line_items as count(line_items.line_item_id),
    private line_items.discounted_price as l_extendedprice * (1 - l_discount) comment = 'Extended price after discount'
  )
  dimensions (
    customer.customer_name as customer.c_name with synonyms = ('customer name') comment = 'Name of the customer',
    orders.order_date as o_orderdate,
    public orders.order_year as year(o_orderdate),
    customer.order_sum as orders.total_value
  )
  metrics (
    customer.customer_count as count(c_custkey),
    orders.order_average_value as avg(orders.o_totalprice),
    orders.total_value as sum(o_totalprice),
    orders.average_line_items_per_order as avg(orders.count_line_items),
    private orders.revenue using (orders_to_customers) as sum(line_items.discounted_price),
    orders.balance non additive by (order_date desc nulls last) as sum(o_totalprice),
    orders.running as sum(orders.total_value) over (partition by excluding orders.order_date order by orders.order_date),
    orders.margin as orders.revenue / orders.total_value,
    value_per_customer as orders.total_value / customer.customer_count,
    twice as value_per_customer * 2
  )
  comment = 'TPC-H'
  ai_sql_generation 'Use fiscal years.'
  ai_verified_queries (
    q1 as (question 'How many customers?' verified_at 1714497970 onboarding_question true sql 'SELECT 1')
  )
  copy grants;`;
    const r = checkSemanticView(ddl);
    expect(r.problems).toEqual([]);
    expect(r.view!.tables.map((t) => t.name.value)).toEqual(['ORDERS', 'CUSTOMER', 'LINE_ITEMS', 'NATION']);
    expect(r.view!.metrics.at(-1)!.table).toBeUndefined();
  });

  test('the example in docs/semantic-view.md', () => {
    const doc = readFileSync(new URL('../../docs/semantic-view.md', import.meta.url), 'utf8');
    const example = /```sql\n(CREATE[\s\S]*?)```/.exec(doc)![1]!;
    expect(checkSemanticView(example).problems).toEqual([]);
  });

  test('unaliased tables referenced through their single UNIQUE key, and an ASOF relationship', () => {
    const ddl = `CREATE OR REPLACE SEMANTIC VIEW customer_orders_view
  TABLES (
    customer_address UNIQUE (ca_cust_id, ca_start_date),
    customer UNIQUE (c_cust_id),
    orders UNIQUE (o_ord_id)
  )
  RELATIONSHIPS (
    customer_address(ca_cust_id) REFERENCES customer,
    -- an ASOF join on the date columns
    orders(o_cust_id, o_ord_date) REFERENCES customer_address(ca_cust_id, ASOF ca_start_date)
  )
  FACTS (customer_address.f_zipcode AS ca_zipcode)
  DIMENSIONS (
    orders.f_cust_zipcode AS customer_address.f_zipcode,
    orders.dim_year_month AS DATE_TRUNC('month', o_ord_date)
  )
  METRICS (orders.m_order_amount AS SUM(o_amount));`;
    const r = checkSemanticView(ddl);
    expect(r.problems).toEqual([]);
    expect(r.view!.relationships[1]!.asofAt).toBe(1);
  });

  test('a metric of one table divided by a metric of an unrelated table must be a derived metric', () => {
    const base = 'CREATE SEMANTIC VIEW v TABLES (s AS D.S.SALES, b AS D.S.BUDGET) METRICS (s.total AS SUM(s.AMOUNT), b.total AS SUM(b.AMOUNT), ';
    expect(checkSemanticView(`${base}s.ratio AS s.total / b.total)`).problems[0]!.message)
      .toContain("Metric 'S.RATIO' cannot refer to metric 'B.TOTAL': no relationship connects 'S' and 'B'.");
    expect(checkSemanticView(`${base}ratio AS s.total / b.total)`).problems).toEqual([]);
  });
});

const ok = (body: string, head = 'CREATE OR REPLACE SEMANTIC VIEW DB.S.V'): string => `${head}
  TABLES (
    o AS DB.S.ORDERS PRIMARY KEY (ID),
    c AS DB.S.CUSTOMERS PRIMARY KEY (ID) UNIQUE (EMAIL)
  )
  ${body}`;
const rels = 'RELATIONSHIPS ( o_to_c AS o (CUSTOMER_ID) REFERENCES c (ID) )';

describe('the checker rejects each broken rule with a Snowflake-style error', () => {
  const cases: [string, string, string, string][] = [
    // [case, statement, rule, message excerpt]
    ['missing TABLES', 'CREATE SEMANTIC VIEW v DIMENSIONS (t.d AS x)', 'syntax', "syntax error line 1 at position 23 unexpected 'DIMENSIONS'."],
    ['FACTS after DIMENSIONS', ok('DIMENSIONS (c.n AS c.NAME)\n  FACTS (o.a AS o.AMOUNT)'), 'syntax', "syntax error line 7 at position 2 unexpected 'FACTS'."],
    ['METRICS before DIMENSIONS', ok('METRICS (o.m AS SUM(o.A))\n  DIMENSIONS (c.n AS c.NAME)'), 'syntax', "unexpected 'DIMENSIONS'."],
    ['RELATIONSHIPS after FACTS', ok(`FACTS (o.a AS o.A)\n  ${rels}\n  DIMENSIONS (c.n AS c.NAME)`), 'syntax', "unexpected 'RELATIONSHIPS'."],
    ['COMMENT before METRICS', ok("DIMENSIONS (c.n AS c.NAME) COMMENT = 'x' METRICS (o.m AS SUM(o.A))"), 'syntax', "unexpected 'METRICS'."],
    ['empty clause', ok('FACTS ()\n  DIMENSIONS (c.n AS c.NAME)'), 'syntax', "unexpected ')'."],
    ['missing expression', ok('DIMENSIONS (c.n AS , c.m AS c.X)'), 'syntax', "unexpected ','."],
    ['unqualified dimension', ok('DIMENSIONS (n AS c.NAME)'), 'syntax', "unexpected 'AS'."],
    ['PRIVATE dimension', ok('DIMENSIONS (PRIVATE c.n AS c.NAME)'), 'syntax', "unexpected 'c'."],
    ['reserved word unquoted', ok('DIMENSIONS (c.order AS c.NAME)'), 'syntax', "unexpected 'order'."],
    ['non-ASCII unquoted identifier', ok('DIMENSIONS (c.größe AS c.NAME)'), 'syntax', "unexpected 'ö'."],
    ['unquoted quote in a comment', ok("DIMENSIONS (c.n AS c.NAME COMMENT = 'it's')"), 'syntax', 'syntax error line 6 at position 43 unterminated string literal.'],
    ['unterminated comment string', ok("DIMENSIONS (c.n AS c.NAME COMMENT = 'it)"), 'syntax', 'unterminated string literal'],
    ['bad escape', ok("DIMENSIONS (c.n AS c.NAME COMMENT = 'a\\xZZ')"), 'syntax', "invalid escape sequence '\\x'"],
    ['empty quoted identifier', ok('DIMENSIONS (c."" AS c.NAME)'), 'syntax', 'empty quoted identifier'],
    ['identifier over 255 characters', ok(`DIMENSIONS (c."${'x'.repeat(256)}" AS c.NAME)`), 'syntax', 'exceeds the limit of 255'],
    ['text after COPY GRANTS', ok("DIMENSIONS (c.n AS c.NAME) COPY GRANTS COMMENT = 'x'"), 'syntax', "unexpected 'COMMENT'."],
    ['two ASOF columns', ok('RELATIONSHIPS (o (A, B) REFERENCES c (ASOF ID, ASOF EMAIL)) DIMENSIONS (c.n AS c.NAME)'), 'syntax', "unexpected 'ASOF'."],
    ['OR REPLACE with IF NOT EXISTS', ok('DIMENSIONS (c.n AS c.NAME)', 'CREATE OR REPLACE SEMANTIC VIEW IF NOT EXISTS v'), 'replace-if-not-exists', 'IF NOT EXISTS and OR REPLACE are incompatible.'],
    ['duplicate logical table', 'CREATE SEMANTIC VIEW v TABLES (t AS A.B.C, t AS A.B.D) DIMENSIONS (t.d AS t.X)', 'duplicate-table', "Duplicate logical table name 'T'."],
    ['UNIQUE repeating the primary key', 'CREATE SEMANTIC VIEW v TABLES (t AS A.B.C PRIMARY KEY (ID) UNIQUE (id)) DIMENSIONS (t.d AS t.X)', 'duplicate-key', "Entity 'T' has duplicate primary or unique keys."],
    ['relationship to an undeclared table', ok('RELATIONSHIPS (o (CUSTOMER_ID) REFERENCES customers (ID)) DIMENSIONS (c.n AS c.NAME)'), 'table-alias', "invalid identifier 'CUSTOMERS'"],
    ['reference to a column that is not a key', ok('RELATIONSHIPS (r AS o (CUSTOMER_NAME) REFERENCES c (NAME)) DIMENSIONS (c.n AS c.NAME)'), 'relationship-key', "Relationship 'R': referenced columns (NAME) are not a primary or unique key of 'C'."],
    ['reference to a table without a key', 'CREATE SEMANTIC VIEW v TABLES (a AS X.Y.A, b AS X.Y.B) RELATIONSHIPS (a (BID) REFERENCES b) DIMENSIONS (a.d AS a.X)', 'relationship-key', "referenced table 'B' has no single primary or unique key"],
    ['column count', ok('RELATIONSHIPS (r AS o (A, B) REFERENCES c (ID)) DIMENSIONS (c.n AS c.NAME)'), 'relationship-columns', "Relationship 'R': 2 column(s) cannot reference 1."],
    ['self reference', ok('RELATIONSHIPS (r AS o (PARENT_ID) REFERENCES o (ID)) DIMENSIONS (c.n AS c.NAME)'), 'self-reference', "logical table 'O' cannot reference itself."],
    ['circular relationships', ok(`RELATIONSHIPS (o (CUSTOMER_ID) REFERENCES c (ID), c (LAST_ORDER) REFERENCES o (ID)) DIMENSIONS (c.n AS c.NAME)`), 'circular-relationship', 'Circular relationships are not allowed'],
    ['duplicate relationship name', ok(`RELATIONSHIPS (r AS o (CUSTOMER_ID) REFERENCES c (ID), r AS o (EMAIL) REFERENCES c (EMAIL)) DIMENSIONS (c.n AS c.NAME)`), 'duplicate-relationship', "Duplicate relationship name 'R'."],
    ['expression on an undeclared table', ok('DIMENSIONS (customers.n AS c.NAME)'), 'table-alias', "invalid identifier 'CUSTOMERS.N'"],
    ['name used twice in one table', ok('DIMENSIONS (c.n AS c.NAME) METRICS (c.n AS COUNT(c.ID))'), 'duplicate-name', "Duplicate semantic expression name 'C.N'."],
    ['derived metric named like a table metric', ok('METRICS (o.m AS SUM(o.A), m AS o.m * 2)'), 'derived-metric-name', "Derived metric 'M' cannot have the same name as a metric of a logical table."],
    ['no dimension or metric', ok('FACTS (o.a AS o.AMOUNT)'), 'dimension-or-metric', 'A semantic view must define at least one dimension or metric.'],
    ['metric without aggregate', ok('METRICS (o.m AS o.AMOUNT * 2)'), 'metric-aggregate', "Metric 'O.M' must use an aggregate function"],
    ['dimension using a metric of its table', ok('DIMENSIONS (o.d AS o.m) METRICS (o.m AS SUM(o.A))'), 'row-level-metric', "Dimension 'O.D' cannot refer to metric 'O.M'."],
    ['base column of another table', ok(`${rels} DIMENSIONS (o.n AS c.NAME)`), 'column-reference', "invalid identifier 'C.NAME'"],
    ['physical table name instead of the alias', ok('DIMENSIONS (c.n AS customers.NAME)'), 'table-alias', "invalid identifier 'CUSTOMERS.NAME'"],
    ['row-level reference to a higher granularity', ok(`${rels} FACTS (o.a AS o.A) DIMENSIONS (c.n AS o.a)`), 'row-level-granularity', "Dimension 'C.N' must aggregate fact 'O.A', which is at a higher granularity."],
    ['unrelated tables', ok('FACTS (o.a AS o.A) METRICS (c.m AS SUM(o.a))'), 'unrelated-tables', "no relationship connects 'C' and 'O'"],
    ['row-level aggregate of its own table', ok('DIMENSIONS (c.n AS MAX(c.NAME))'), 'row-level-aggregate', "Dimension 'C.N' is a row-level expression and cannot aggregate its own table"],
    ['derived metric with an unaggregated fact', ok('FACTS (o.a AS o.A) METRICS (o.m AS SUM(o.A), d AS o.m + o.a)'), 'derived-metric-row-level', "Metric 'D' cannot use fact 'O.A' without aggregating it."],
    ['derived metric aggregating a metric', ok('METRICS (o.m AS SUM(o.A), d AS SUM(o.m))'), 'derived-metric-aggregate', "Metric 'D' cannot aggregate metric 'O.M'."],
    ['derived metric with a physical column', ok('METRICS (o.m AS SUM(o.A), d AS o.m + AMOUNT)'), 'derived-metric-column', "Derived metric 'D' cannot refer to 'AMOUNT'"],
    ['table metric using a derived metric', ok('METRICS (o.m AS SUM(o.A), d AS o.m * 2, o.x AS d + 1)'), 'derived-metric-use', "Metric 'O.X' cannot use derived metric 'D'"],
    ['window metric used by a metric', ok('DIMENSIONS (o.d AS o.D) METRICS (o.m AS SUM(o.A), o.w AS SUM(o.m) OVER (ORDER BY o.d), o.x AS o.w + 1)'), 'window-metric-use', "Metric 'O.X' cannot use window function metric 'O.W'."],
    ['expression cycle', ok('FACTS (o.a AS o.b + 1, o.b AS o.a - 1) DIMENSIONS (c.n AS c.NAME)'), 'expression-cycle', 'refers to itself through other expressions'],
    ['USING an unknown relationship', ok(`${rels} METRICS (o.m USING (nope) AS SUM(o.A))`), 'metric-using', "invalid identifier 'NOPE'"],
    ['NON ADDITIVE BY a metric', ok('METRICS (o.m AS SUM(o.A), o.n NON ADDITIVE BY (o.m) AS SUM(o.B))'), 'non-additive-by', "invalid identifier 'O.M'"],
  ];

  test.each(cases)('%s', (_name, ddl, rule, message) => {
    const { problems } = checkSemanticView(ddl);
    expect(problems.length, JSON.stringify(problems)).toBeGreaterThan(0);
    expect(problems[0]!.rule).toBe(rule);
    expect(problems[0]!.message).toContain(message);
    expect(problems[0]!.message).toMatch(/^SQL compilation error:/);
    expect(problems[0]!.code).toBe(rule === 'syntax' ? '001003' : problems[0]!.message.includes('invalid identifier') ? '000904' : '002043');
  });

  test('with a catalogue, base objects and their columns must exist', () => {
    const columns: Record<string, string[]> = { 'DB.S.ORDERS': ['ID', 'CUSTOMER_ID', 'AMOUNT'], 'DB.S.CUSTOMERS': ['ID', 'EMAIL', 'NAME'] };
    const context = { database: 'DB', schema: 'S', columnsOf: (d: string, s: string, n: string) => columns[`${d}.${s}.${n}`] };
    const check = (ddl: string): string[] => checkSemanticView(ddl, context).problems.map((p) => `${p.code} ${p.message}`);
    expect(check(ok(`${rels} DIMENSIONS (c.n AS c.NAME) METRICS (o.total AS SUM(o.AMOUNT))`))).toEqual([]);
    expect(check(ok('DIMENSIONS (c.n AS c.NAME)').replace('DB.S.CUSTOMERS', 'CLIENTS'))).toEqual([
      "002003 SQL compilation error:\nObject 'DB.S.CLIENTS' does not exist or not authorized."]);
    expect(check(ok('DIMENSIONS (c.n AS c.NAME)').replace('UNIQUE (EMAIL)', 'UNIQUE (MAIL)'))[0]).toContain("000904 SQL compilation error: error line 4 at position 49\ninvalid identifier 'MAIL'");
    expect(check(ok('DIMENSIONS (c.n AS c.FULL_NAME)'))[0]).toContain("invalid identifier 'C.FULL_NAME'");
    expect(check(ok('RELATIONSHIPS (o (CUST) REFERENCES c (ID)) DIMENSIONS (c.n AS c.NAME)'))[0]).toContain("invalid identifier 'CUST'");
  });
});
