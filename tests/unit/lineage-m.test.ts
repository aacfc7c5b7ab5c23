// Lineage of one table from its Power Query M: the Snowflake navigation (literals, parameters, shared
// queries), native queries, the column steps, and every way a table ends up with no source. The M is
// written as Power BI Desktop writes it for the Snowflake connector (Get Data → Snowflake →
// Navigator), e.g. https://learn.microsoft.com/power-query/connectors/snowflake
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { traceModel } from '../../src/core/lineage/index.js';
import type { SharedExpression, Table } from '../../src/core/schema/model.js';
import type { TableLineage } from '../../src/core/lineage/index.js';
import { calcCol, col, model, mTable, param, shared, snowflakeM } from './lineage-models.js';

async function trace(m: string, columns = [col('ID')], expressions: SharedExpression[] = [], extraTables: Table[] = []): Promise<TableLineage> {
  const lineage = await traceModel(model([mTable('T', m, columns), ...extraTables], expressions));
  return lineage.tables[0]!;
}

const SERVER = 'xy12345.west-europe.azure.snowflakecomputing.com';

describe('Snowflake navigation', () => {
  it('traces the navigation Desktop writes, by literal names, to a table', async () => {
    const t = await trace(snowflakeM('SALES', 'PUBLIC', 'ORDERS'), [col('ORDER_ID'), col('AMOUNT')]);
    expect(t.source).toEqual({ kind: 'object', database: 'SALES', schema: 'PUBLIC', name: 'ORDERS', objectKind: 'table' });
    expect(t.confidence).toBe('exact');
    expect(t.reasonCode).toBe('traced');
    expect(t.reason).toBe('reads the Snowflake table SALES.PUBLIC.ORDERS');
    expect(t.connection).toEqual({ server: SERVER, warehouse: 'ANALYTICS_WH', role: 'REPORTING' });
    expect(t.columns).toEqual([
      { column: 'ORDER_ID', sourceColumn: 'ORDER_ID', confidence: 'exact' },
      { column: 'AMOUNT', sourceColumn: 'AMOUNT', confidence: 'exact' },
    ]);
  });

  it('records a view as a view', async () => {
    const t = await trace(snowflakeM('SALES', 'MART', 'V_ORDERS', 'View'));
    expect(t.source).toEqual({ kind: 'object', database: 'SALES', schema: 'MART', name: 'V_ORDERS', objectKind: 'view' });
  });

  it('accepts navigation without Kind, the connector options Desktop writes, and names needing quotes', async () => {
    const m = `let
    Source = Snowflake.Databases("acct.snowflakecomputing.com","WH",[Role="R", CreateNavigationProperties=null, ConnectionTimeout=null, CommandTimeout=null, Implementation="2.0"]),
    Db = Source{[Name="Sales Db"]}[Data],
    Sch = Db{[Name="public"]}[Data],
    Obj = Sch{[Name="Order ""Lines"""]}[Data]
in
    Obj`;
    const t = await trace(m);
    expect(t.source).toEqual({ kind: 'object', database: 'Sales Db', schema: 'public', name: 'Order "Lines"' });
    expect(t.reason).toBe('reads the Snowflake table or view "Sales Db"."public"."Order ""Lines"""');
    expect(t.confidence).toBe('exact');
  });

  it('follows a navigation chained in one expression', async () => {
    const t = await trace(`Snowflake.Databases("acct.snowflakecomputing.com", "WH"){[Name="DB",Kind="Database"]}[Data]{[Name="S",Kind="Schema"]}[Data]{[Name="T",Kind="Table"]}[Data]`);
    expect(t.source).toMatchObject({ database: 'DB', schema: 'S', name: 'T' });
    expect(t.connection).toEqual({ server: 'acct.snowflakecomputing.com', warehouse: 'WH' });
  });

  it('takes server, warehouse, database, schema and table names from M parameters', async () => {
    const m = `let
    Source = Snowflake.Databases(SnowflakeServer, #"Warehouse Name", [Role=Role]),
    Db = Source{[Name=Database,Kind="Database"]}[Data],
    Sch = Db{[Name=#"Schema Name",Kind="Schema"]}[Data],
    Obj = Sch{[Name=TableName & "_V2",Kind="Table"]}[Data]
in
    Obj`;
    const t = await trace(m, [col('ID')], [
      param('SnowflakeServer', '"acct.snowflakecomputing.com"'),
      param('Warehouse Name', '"BI_WH"'),
      param('Role', '"ANALYST"'),
      param('Database', '"SALES_PROD"'),
      param('Schema Name', '"MART"'),
      param('TableName', '"FCT_ORDERS"'),
    ]);
    expect(t.source).toEqual({ kind: 'object', database: 'SALES_PROD', schema: 'MART', name: 'FCT_ORDERS_V2', objectKind: 'table' });
    expect(t.connection).toEqual({ server: 'acct.snowflakecomputing.com', warehouse: 'BI_WH', role: 'ANALYST' });
  });

  it('resolves a name chosen by an if over a parameter', async () => {
    const m = `let
    Db = if Environment = "PRD" then "SALES_PRD" else "SALES_DEV",
    Source = Snowflake.Databases("acct.snowflakecomputing.com","WH"),
    Nav = Source{[Name=Db,Kind="Database"]}[Data]{[Name="MART",Kind="Schema"]}[Data]{[Name="ORDERS",Kind="Table"]}[Data]
in
    Nav`;
    const prd = await trace(m, [col('ID')], [param('Environment', '"PRD"')]);
    expect(prd.source).toMatchObject({ database: 'SALES_PRD' });
    const dev = await trace(m, [col('ID')], [param('Environment', '"DEV"')]);
    expect(dev.source).toMatchObject({ database: 'SALES_DEV' });
  });

  it('follows a shared query that holds the connection and database', async () => {
    const m = `let
    Source = #"Snowflake Sales",
    MART_Schema = Source{[Name="MART",Kind="Schema"]}[Data],
    ORDERS_Table = MART_Schema{[Name="ORDERS",Kind="Table"]}[Data]
in
    ORDERS_Table`;
    const t = await trace(m, [col('ID')], [
      shared('Snowflake Sales', 'let\n    Source = Snowflake.Databases("acct.snowflakecomputing.com", "WH"),\n    Db = Source{[Name="SALES",Kind="Database"]}[Data]\nin\n    Db'),
    ]);
    expect(t.source).toMatchObject({ database: 'SALES', schema: 'MART', name: 'ORDERS' });
    expect(t.confidence).toBe('exact');
  });

  it('follows a table that references a whole shared query, naming the shared query\'s steps', async () => {
    const staging = snowflakeM('RAW', 'SHOP', 'CUSTOMERS', 'Table', '    #"Renamed Columns" = Table.RenameColumns(CUSTOMERS_Table,{{"CUST_ID", "CustomerKey"}})', '#"Renamed Columns"');
    const m = 'let\n    Source = #"Stg Customers",\n    #"Renamed Columns" = Table.RenameColumns(Source,{{"CustomerKey", "Customer Key"}})\nin\n    #"Renamed Columns"';
    const t = await trace(m, [col('Customer Key'), col('NAME')], [shared('Stg Customers', staging)]);
    expect(t.source).toMatchObject({ database: 'RAW', schema: 'SHOP', name: 'CUSTOMERS' });
    expect(t.steps.map((s) => s.name)).toEqual(['Stg Customers: Renamed Columns', 'Renamed Columns']);
    expect(t.columns.map((c) => c.sourceColumn)).toEqual(['CUST_ID', 'NAME']);
  });

  it('follows a table whose M references another table of the model by name', async () => {
    const base = mTable('Orders Base', snowflakeM('SALES', 'PUBLIC', 'ORDERS'));
    const t = await trace('let\n    Source = #"Orders Base",\n    Kept = Table.SelectColumns(Source, {"ID"})\nin\n    Kept', [col('ID')], [], [base]);
    expect(t.source).toMatchObject({ name: 'ORDERS' });
    expect(t.confidence).toBe('exact');
  });
});

describe('Value.NativeQuery', () => {
  it('keeps the query Desktop writes for a SQL statement, with its database and escapes resolved', async () => {
    const m = `let
    Source = Value.NativeQuery(Snowflake.Databases("${SERVER}","ANALYTICS_WH"){[Name="SALES"]}[Data], "select o.ORDER_ID, o.AMOUNT#(lf)from PUBLIC.ORDERS o#(lf)where o.NOTE <> 'it''s ""x""'", null, [EnableFolding=true])
in
    Source`;
    const t = await trace(m, [col('ORDER_ID'), col('AMOUNT')]);
    expect(t.source).toEqual({ kind: 'query', database: 'SALES', sql: `select o.ORDER_ID, o.AMOUNT\nfrom PUBLIC.ORDERS o\nwhere o.NOTE <> 'it''s "x"'` });
    expect(t.confidence).toBe('exact');
    expect(t.reason).toBe('runs a native Snowflake query in database SALES');
    expect(t.columns.map((c) => c.sourceColumn)).toEqual(['ORDER_ID', 'AMOUNT']);
  });

  it('keeps a query on the whole account (no database context)', async () => {
    const t = await trace(`let\n    Source = Snowflake.Databases("acct.snowflakecomputing.com","WH"),\n    Q = Value.NativeQuery(Source, "SELECT ID FROM SALES.PUBLIC.ORDERS")\nin\n    Q`);
    expect(t.source).toEqual({ kind: 'query', sql: 'SELECT ID FROM SALES.PUBLIC.ORDERS' });
  });

  it('builds the query text from parameters and follows the renames after it', async () => {
    const m = `let
    Db = Snowflake.Databases(Server, Warehouse, [Role=Role]){[Name=Database]}[Data],
    Q = Value.NativeQuery(Db, "SELECT ORDER_ID, AMOUNT FROM " & Schema & ".ORDERS", null, [EnableFolding=true]),
    #"Renamed Columns" = Table.RenameColumns(Q,{{"ORDER_ID", "Order"}})
in
    #"Renamed Columns"`;
    const t = await trace(m, [col('Order'), col('AMOUNT')], [
      param('Server', '"acct.snowflakecomputing.com"'), param('Warehouse', '"WH"'), param('Role', '"R"'), param('Database', '"SALES"'), param('Schema', '"MART"'),
    ]);
    expect(t.source).toEqual({ kind: 'query', database: 'SALES', sql: 'SELECT ORDER_ID, AMOUNT FROM MART.ORDERS' });
    expect(t.columns.map((c) => c.sourceColumn)).toEqual(['ORDER_ID', 'AMOUNT']);
  });

  it('gives no source when the query text is computed at refresh', async () => {
    const t = await trace('let\n    Db = Snowflake.Databases("a","WH"){[Name="SALES"]}[Data],\n    Q = Value.NativeQuery(Db, Text.Combine({"SELECT 1", Suffix}))\nin\n    Q');
    expect(t.confidence).toBe('none');
    expect(t.reasonCode).toBe('unresolved');
    expect(t.reason).toContain('the native query text is');
  });

  it('makes a query with bound parameters approximate', async () => {
    const t = await trace('let\n    Db = Snowflake.Databases("a","WH"){[Name="SALES"]}[Data],\n    Q = Value.NativeQuery(Db, "SELECT * FROM T WHERE ID = ?", [p = 1])\nin\n    Q');
    expect(t.source).toMatchObject({ kind: 'query' });
    expect(t.confidence).toBe('approximate');
  });
});

describe('column steps', () => {
  const base = (steps: string, last: string): string => snowflakeM('DB', 'S', 'T', 'Table', steps, last);

  it('follows a chain of renames back to the source column', async () => {
    const t = await trace(base([
      '    R1 = Table.RenameColumns(T_Table,{{"CUST_ID", "CustomerId"}, {"NAME", "Name"}}),',
      '    R2 = Table.RenameColumns(R1,{"CustomerId", "Customer Id"}),',
      '    R3 = Table.RenameColumns(R2,{{"Customer Id", "Customer Key"}})',
    ].join('\n'), 'R3'), [col('Customer Key'), col('Name'), col('Stale', 'CUST_ID')]);
    expect(t.confidence).toBe('exact');
    expect(t.columns.map((c) => [c.column, c.sourceColumn])).toEqual([['Customer Key', 'CUST_ID'], ['Name', 'NAME'], ['Stale', null]]);
    expect(t.columns[2]!.reason).toContain('has no column "CUST_ID"');
    expect(t.steps.map((s) => s.effect)).toEqual(['columns', 'columns', 'columns']);
  });

  it('applies the pairs of one rename at once (a swap)', async () => {
    const t = await trace(base('    Swapped = Table.RenameColumns(T_Table,{{"A", "B"}, {"B", "A"}})', 'Swapped'), [col('A'), col('B')]);
    expect(t.columns.map((c) => c.sourceColumn)).toEqual(['B', 'A']);
  });

  it('follows SelectColumns and RemoveColumns', async () => {
    const t = await trace(base([
      '    Kept = Table.SelectColumns(T_Table,{"ID", "AMOUNT", "NOTE"}),',
      '    Dropped = Table.RemoveColumns(Kept,"NOTE")',
    ].join('\n'), 'Dropped'), [col('ID'), col('AMOUNT'), col('NOTE'), col('OTHER')]);
    expect(t.columns.map((c) => c.sourceColumn)).toEqual(['ID', 'AMOUNT', null, null]);
    expect(t.confidence).toBe('exact');
  });

  it('treats type changes, reordering and sorting as harmless', async () => {
    const t = await trace(base([
      '    #"Changed Type" = Table.TransformColumnTypes(T_Table,{{"ID", Int64.Type}, {"AMOUNT", type number}}),',
      '    #"Reordered Columns" = Table.ReorderColumns(#"Changed Type",{"AMOUNT", "ID"}),',
      '    #"Sorted Rows" = Table.Sort(#"Reordered Columns",{{"ID", Order.Ascending}})',
    ].join('\n'), '#"Sorted Rows"'));
    expect(t.confidence).toBe('exact');
    expect(t.steps.map((s) => [s.name, s.effect])).toEqual([['Changed Type', 'none'], ['Reordered Columns', 'none'], ['Sorted Rows', 'none']]);
  });

  it('marks a column added or transformed in M as computed, keeping the table exact', async () => {
    const t = await trace(base([
      '    #"Added Custom" = Table.AddColumn(T_Table, "Margin", each [PRICE] - [COST], type number),',
      '    #"Capitalized Each Word" = Table.TransformColumns(#"Added Custom",{{"NAME", Text.Proper, type text}}),',
      '    #"Duplicated Column" = Table.DuplicateColumn(#"Capitalized Each Word", "PRICE", "List Price")',
    ].join('\n'), '#"Duplicated Column"'), [col('Margin'), col('NAME'), col('List Price'), col('PRICE')]);
    expect(t.confidence).toBe('exact');
    expect(t.columns.map((c) => c.sourceColumn)).toEqual([null, null, 'PRICE', 'PRICE']);
    expect(t.columns[0]!.reason).toBe('computed in M by the step "Added Custom" (Table.AddColumn)');
    expect(t.columns[1]!.reason).toBe('transformed in M by the step "Capitalized Each Word" (Table.TransformColumns)');
  });

  it('makes the lineage approximate at a step it does not understand, naming the step', async () => {
    const t = await trace(base([
      '    #"Grouped Rows" = Table.Group(T_Table, {"REGION"}, {{"Total", each List.Sum([AMOUNT]), type number}}),',
      '    #"Renamed Columns" = Table.RenameColumns(#"Grouped Rows",{{"REGION", "Region"}})',
    ].join('\n'), '#"Renamed Columns"'), [col('Region'), calcCol('Share')]);
    expect(t.confidence).toBe('approximate');
    expect(t.reasonCode).toBe('unsupported-step');
    expect(t.reason).toContain('approximate because of Grouped Rows (Table.Group)');
    expect(t.steps[0]).toMatchObject({ name: 'Grouped Rows', function: 'Table.Group', effect: 'unsupported' });
    expect(t.columns[0]).toEqual({ column: 'Region', sourceColumn: 'REGION', confidence: 'approximate' });
    expect(t.columns[1]).toMatchObject({ sourceColumn: null, confidence: 'none', reason: expect.stringContaining('calculated column') });
  });

  it('makes a join approximate and keeps the first table as the source', async () => {
    const t = await trace(base('    Joined = Table.NestedJoin(T_Table, {"K"}, Other, {"K"}, "Other", JoinKind.LeftOuter)', 'Joined'), [col('K')], [shared('Other', snowflakeM('DB', 'S', 'OTHER'))]);
    expect(t.source).toMatchObject({ name: 'T' });
    expect(t.confidence).toBe('approximate');
    expect(t.steps.at(-1)).toMatchObject({ function: 'Table.NestedJoin', effect: 'unsupported' });
  });

  it('makes a step whose column list is computed approximate', async () => {
    const t = await trace(base('    Kept = Table.SelectColumns(T_Table, List.Select(Table.ColumnNames(T_Table), each Text.StartsWith(_, "A")))', 'Kept'));
    expect(t.confidence).toBe('approximate');
    expect(t.steps[0]!.detail).toBe('the column list is not a constant');
  });
});

describe('tables not read with the Snowflake connector', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['Excel', 'let\n    Source = Excel.Workbook(File.Contents("C:\\\\Data\\\\Targets.xlsx"), null, true),\n    Targets_Sheet = Source{[Item="Targets",Kind="Sheet"]}[Data],\n    #"Promoted Headers" = Table.PromoteHeaders(Targets_Sheet, [PromoteAllScalars=true])\nin\n    #"Promoted Headers"', /Excel workbook \(Excel\.Workbook\)/],
    ['SQL Server', 'let\n    Source = Sql.Database("sql01.contoso.com", "AdventureWorksDW"),\n    dbo_DimCustomer = Source{[Schema="dbo",Item="DimCustomer"]}[Data]\nin\n    dbo_DimCustomer', /SQL Server \/ Azure SQL \(Sql\.Database\)/],
    ['SQL Server query', 'let\n    Source = Value.NativeQuery(Sql.Database("sql01", "DW"), "SELECT * FROM dbo.T", null, [EnableFolding=true])\nin\n    Source', /Sql\.Database/],
    ['Lakehouse', 'let\n    Source = Lakehouse.Contents(null){[workspaceId="a1"]}[Data]{[lakehouseId="b2"]}[Data],\n    T = Source{[Id="sales",ItemKind="Table"]}[Data]\nin\n    T', /Fabric Lakehouse/],
    ['CSV', 'let\n    Source = Csv.Document(File.Contents("sales.csv"),[Delimiter=",", Columns=3, Encoding=65001, QuoteStyle=QuoteStyle.None])\nin\n    Source', /CSV file/],
    ['entered data', 'let\n    Source = Table.FromRows(Json.Document(Binary.Decompress(Binary.FromText("i45WMlSKjQUA", BinaryEncoding.Base64), Compression.Deflate)), let _t = ((type nullable text) meta [Serialized.Text = true]) in type table [A = _t]),\n    #"Changed Type" = Table.TransformColumnTypes(Source,{{"A", Int64.Type}})\nin\n    #"Changed Type"', /rows entered in or built by M itself \(Table\.FromRows\)/],
    ['#table', '#table({"A"}, {{1}, {2}})', /rows entered in M itself/],
    ['Databricks', 'let\n    Source = Databricks.Catalogs("adb-1.azuredatabricks.net", "/sql/1.0/warehouses/x", []),\n    c = Source{[Name="main",Kind="Database"]}[Data]\nin\n    c', /Databricks/],
    ['an unlisted connector', 'let\n    Source = Contoso.Contents("https://api.contoso.com")\nin\n    Source', /Contoso\.Contents/],
  ];
  for (const [what, m, reason] of cases) {
    it(`${what}: no source, with the reason`, async () => {
      const t = await trace(m, [col('A')]);
      expect(t.source).toBeNull();
      expect(t.confidence).toBe('none');
      expect(t.reasonCode).toBe('not-snowflake');
      expect(t.reason).toMatch(/^not read with the Snowflake connector: the data comes from /);
      expect(t.reason).toMatch(reason);
      expect(t.columns).toEqual([{ column: 'A', sourceColumn: null, confidence: 'none', reason: 'the table has no Snowflake source' }]);
    });
  }
});

describe('M that cannot be traced never throws', () => {
  it('malformed M: a parse error naming the table, partition and line', async () => {
    const t = await trace('let\n    Source = Snowflake.Databases("a", "WH"),\n    Db = Source{[Name="SALES"]}[Data\nin\n    Db');
    expect(t.confidence).toBe('none');
    expect(t.reasonCode).toBe('parse-error');
    expect(t.reason).toMatch(/^the M of table "T" \(partition "T"\) does not parse: line \d+: /);
  });

  it('an unterminated string is a parse error too', async () => {
    const t = await trace('let\n    Source = Snowflake.Databases("a, "WH")\nin\n    Source');
    expect(t.reasonCode).toBe('parse-error');
    expect(t.reason).toContain('line 2');
  });

  it('a shared query that does not parse: the table says so and the model warns', async () => {
    const lineage = await traceModel(model([mTable('T', 'let\n    Source = #"Broken"\nin\n    Source')], [shared('Broken', 'let x = in x')]));
    expect(lineage.tables[0]!.reasonCode).toBe('parse-error');
    expect(lineage.tables[0]!.reason).toContain('the query "Broken" does not parse');
    expect(lineage.warnings).toEqual([expect.stringMatching(/^shared expression "Broken" does not parse: line 1: /)]);
  });

  const unresolved: Array<[string, string, string]> = [
    ['a circular reference', 'let\n    A = B,\n    B = A\nin\n    A', 'refers to itself'],
    ['navigation by position', 'let\n    Source = Snowflake.Databases("a","WH"),\n    Db = Source{0}[Data]\nin\n    Db', 'navigation by position'],
    ['a query that stops at a schema', 'let\n    Source = Snowflake.Databases("a","WH"),\n    Db = Source{[Name="DB"]}[Data],\n    S = Db{[Name="S"]}[Data]\nin\n    S', 'stops at a Snowflake schema navigation table'],
    ['an undefined name', 'let\n    Source = NoSuchQuery\nin\n    Source', '"NoSuchQuery" is not defined'],
    ['a Kind where another is expected', 'let\n    Source = Snowflake.Databases("a","WH"),\n    T = Source{[Name="X",Kind="Table"]}[Data]\nin\n    T', 'Kind="Table" where a database is expected'],
    ['a name computed at refresh', 'let\n    Source = Snowflake.Databases("a","WH"),\n    Db = Source{[Name=Text.Upper("sales"),Kind="Database"]}[Data]\nin\n    Db', 'the Snowflake database name is'],
    ['a function defined in the model', 'let\n    Source = GetTable("ORDERS")\nin\n    Source', 'calls the M function "GetTable" defined in the model'],
    ['a text value', '"just text"', 'returns "just text", not a table'],
  ];
  for (const [what, m, reason] of unresolved) {
    it(`${what}: no source, reason given`, async () => {
      const t = await trace(m, [col('A')], [shared('GetTable', '(name as text) => Snowflake.Databases("a","WH"){[Name="DB"]}[Data]{[Name="S"]}[Data]{[Name=name]}[Data]')]);
      expect(t.source).toBeNull();
      expect(t.reasonCode).toBe('unresolved');
      expect(t.reason).toContain(reason);
    });
  }

  it('an empty shared query and a legacy data source name say what they are', async () => {
    const empty = await trace('let\n    Source = Nothing\nin\n    Source', [col('A')], [shared('Nothing', '')]);
    expect(empty.reason).toContain('the query "Nothing" is empty');
    const legacy = await traceModel({ ...model([mTable('T', 'let\n    Source = #"SQL/srv;DW",\n    T = Source{[Schema="dbo",Item="T"]}[Data]\nin\n    T')]), dataSources: 1 });
    expect(legacy.tables[0]!.reason).toContain('"SQL/srv;DW" is not a query of the model; it is probably one of its 1 legacy data source(s)');
    expect(legacy.warnings).toEqual([]);
  });

  it('never throws on token soup built from M syntax (property test)', async () => {
    const token = fc.constantFrom('let', 'in', 'each', 'Source', '=', ',', '{', '}', '[', ']', '(', ')', '"x"', '"', '#"a b"', 'Name', 'Kind',
      '"Database"', 'Data', 'Snowflake.Databases', 'Value.NativeQuery', 'Table.SelectRows', 'Table.RenameColumns', '&', 'and', 'not', '<>', 'null', '1', '\n', 'meta', '=>', '_');
    await fc.assert(fc.asyncProperty(fc.array(token, { maxLength: 40 }), async (tokens) => {
      const lineage = await traceModel(model([mTable('T', tokens.join(' '), [col('A')])]));
      expect(lineage.tables).toHaveLength(1);
      expect(lineage.tables[0]!.reason.length).toBeGreaterThan(0);
    }), { numRuns: 200 });
  });

  it('follows a query of 800 steps', async () => {
    const steps = Array.from({ length: 800 }, (_, i) => `    s${i} = ${i === 0 ? 'Snowflake.Databases("a","WH"){[Name="D"]}[Data]{[Name="S"]}[Data]{[Name="T"]}[Data]' : `Table.RenameColumns(s${i - 1}, {{"c${i - 1}", "c${i}"}})`}`);
    const t = await trace(`let\n${steps.join(',\n')}\nin\n    s799`, [col('c799')]);
    expect(t.confidence).toBe('exact');
    expect(t.columns[0]!.sourceColumn).toBe('c0');
  });

  it('M nested deeper than the stack costs that table its lineage, not the run', async () => {
    // Traced by the built module in a worker thread with a small stack: in a test worker that has run
    // the parser before, optimised frames are small enough on Node 24 for 5,000 levels to fit.
    const deep = mTable('Deep', `${'('.repeat(5000)}1${')'.repeat(5000)}`, [col('A')]);
    const { Worker } = await import('node:worker_threads');
    const { pathToFileURL } = await import('node:url');
    const { repoRoot } = await import('../support/paths.js');
    const module = pathToFileURL(path.join(repoRoot, 'dist/core/lineage/index.js')).href;
    const script = `const { parentPort, workerData } = await import('node:worker_threads'); const { traceModel } = await import(${JSON.stringify(module)}); parentPort.postMessage(await traceModel(workerData));`;
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(script)}`), {
      workerData: model([deep, mTable('Fine', snowflakeM('DB', 'S', 'T'))]),
      resourceLimits: { stackSizeMb: 0.5 },
    });
    const lineage = await new Promise<Awaited<ReturnType<typeof traceModel>>>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    const [first, second] = lineage.tables;
    expect(first!.confidence).toBe('none');
    expect(first!.reason).toMatch(/^tracing the M failed: |does not parse/);
    expect(second!.confidence).toBe('exact');
  });

  it('survives random text', async () => {
    for (const text of ['', ' ', 'in', '((((', 'let in', '#"', '"\\', '[a=', 'each each each', 'Source{[Name="x"]}']) {
      const t = await trace(text);
      expect(t.confidence).toBe('none');
    }
  });
});
