// Synthetic TMDL cases the corpus lacks (issue 2 "Must show"; the grammar is in docs/tmdl.md).
// Documents are written inline with explicit \t so the indentation under test is visible.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { readTmdl } from '../../src/core/schema/tmdl/index.js';
import type { TmdlFile } from '../../src/core/schema/tmdl/index.js';

const opts = { modelName: 'Synthetic', location: '/models/Synthetic.SemanticModel/definition' };
const doc = (...lines: string[]) => `${lines.join('\n')}\n`;
const read = (files: TmdlFile[]) => readTmdl(files, opts);

function readError(files: TmdlFile[]): InputError {
  try {
    read(files);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

const SALES = doc(
  "table 'Bob''s \"Best\" Sales'",
  "\tcolumn 'Customer''s Name'",
  '\t\tdataType: string',
  '\t\tsourceColumn: CustomerName',
  "\tcolumn 'Order Key'",
  '\t\tdataType: int64',
  '\t\tisKey',
  '\t\tisHidden',
  '\t\tsummarizeBy: none',
  '\t\tsourceColumn: OrderKey',
  "\tmeasure 'Total \"Quoted\"' = SUM('Bob''s \"Best\" Sales'[Amount])",
  '\t\tdisplayFolder: " My ""Amazing"" Measures"',
  '\t\tformatString: "#,0.00"',
  "\tpartition 'Sales-1' = m",
  '\t\tmode: import',
  '\t\tsource =',
  '\t\t\t\tlet',
  '\t\t\t\t    Source = Sql.Database("srv", "db")',
  '\t\t\t\tin',
  '\t\t\t\t    Source',
);

describe('readTmdl: names and values', () => {
  it("reads quoted names with '' and \", quoted property values with \"\" and qualified refs", () => {
    const rel = doc(
      'relationship r1',
      "\tfromColumn: 'Bob''s \"Best\" Sales'.'Customer''s Name'",
      '\ttoColumn: Customer.Name',
    );
    const { model } = read([
      { path: 'tables/Sales.tmdl', text: SALES },
      { path: 'tables/Customer.tmdl', text: doc('table Customer', '\tcolumn Name', '\t\tdataType: string') },
      { path: 'relationships.tmdl', text: rel },
    ]);
    const sales = model.tables.find((t) => t.name === 'Bob\'s "Best" Sales');
    expect(sales).toBeDefined();
    expect(sales!.columns.map((c) => c.name)).toEqual(["Customer's Name", 'Order Key']);
    expect(sales!.columns[1]).toMatchObject({ isKey: true, isHidden: true, summarizeBy: 'none', dataType: 'int64' });
    expect(sales!.measures[0]).toEqual({
      name: 'Total "Quoted"',
      expression: `SUM('Bob''s "Best" Sales'[Amount])`,
      displayFolder: ' My "Amazing" Measures',
      formatString: '#,0.00',
      isHidden: false,
    });
    expect(sales!.partitions[0]).toEqual({
      name: 'Sales-1',
      mode: 'import',
      sourceType: 'm',
      expression: 'let\n    Source = Sql.Database("srv", "db")\nin\n    Source',
    });
    expect(model.relationships[0]).toEqual({
      name: 'r1',
      fromTable: 'Bob\'s "Best" Sales',
      fromColumn: "Customer's Name",
      toTable: 'Customer',
      toColumn: 'Name',
      fromCardinality: 'many',
      toCardinality: 'one',
      crossFilteringBehavior: 'oneDirection',
      isActive: true,
    });
  });

  it('reads CRLF files with a BOM exactly like LF files', () => {
    const lf = read([{ path: 'tables/Sales.tmdl', text: SALES }]).model;
    const crlf = read([{ path: 'tables/Sales.tmdl', text: `\uFEFF${SALES.replaceAll('\n', '\r\n')}` }]).model;
    expect(crlf).toEqual(lf);
  });

  it('treats keywords and enum values case-insensitively and accepts culture as well as cultureInfo', () => {
    const { model } = read([
      { path: 'database.tmdl', text: doc('DATABASE', '\tCompatibilityLevel: 1604') },
      { path: 'model.tmdl', text: doc('/// The model', 'Model Model', '\tculture: en-US', '\tdefaultMode: DirectQuery') },
      { path: 'tables/T.tmdl', text: doc('Table T', '\tColumn C', '\t\tDataType: INT64', '\t\tSummarizeBy: None', '\t\tIsHidden: FALSE') },
      { path: 'cultures/en-US.tmdl', text: doc('culture en-US') },
      { path: 'cultures/de-DE.tmdl', text: doc('cultureInfo de-DE') },
    ]);
    expect(model).toMatchObject({ compatibilityLevel: 1604, culture: 'en-US', defaultMode: 'directQuery', description: 'The model' });
    expect(model.tables[0]!.columns[0]).toMatchObject({ dataType: 'int64', summarizeBy: 'none', isHidden: false });
    expect(model.tables[0]!.storageMode).toBe('directQuery');
    expect(model.cultures.sort()).toEqual(['de-DE', 'en-US']);
  });
});

describe('readTmdl: expressions are never interpreted', () => {
  it('keeps TMDL-looking lines inside a multi-line calculated column expression', () => {
    const text = doc(
      'table T',
      '\tcolumn Flag =',
      '\t\t\tVAR x = 1',
      '',
      '\t\t\tcolumn x',
      '\t\t\tmeasure y = 2',
      '\t\t\ttable z',
      '\t\t\t\t-- deeper: partition p = m',
      '\t\t\tRETURN x',
      '',
      '',
      '\t\tdataType: string',
      '\t\tdisplayFolder: Flags',
    );
    const t = read([{ path: 'tables/T.tmdl', text }]).model.tables;
    expect(t).toHaveLength(1);
    expect(t[0]!.measures).toHaveLength(0);
    expect(t[0]!.partitions).toHaveLength(0);
    expect(t[0]!.columns).toEqual([
      {
        name: 'Flag',
        dataType: 'string',
        kind: 'calculated',
        expression: 'VAR x = 1\n\ncolumn x\nmeasure y = 2\ntable z\n\t-- deeper: partition p = m\nRETURN x',
        isHidden: false,
        isKey: false,
        displayFolder: 'Flags',
      },
    ]);
  });

  it('accepts a property expression indented one level below the property (docs) or two (serializer)', () => {
    const part = (indent: string) =>
      doc('table T', '\tpartition p = m', '\t\tmode: import', '\t\tsource =', `${indent}let`, `${indent}    x = 1`, `${indent}in`, `${indent}    x`, '\t\tqueryGroup: G', '\tcolumn C', '\t\tdataType: string');
    for (const indent of ['\t\t\t', '\t\t\t\t']) {
      const t = read([{ path: 'tables/T.tmdl', text: part(indent) }]).model.tables[0]!;
      expect(t.partitions[0]!.expression).toBe('let\n    x = 1\nin\n    x');
      expect(t.columns.map((c) => c.name)).toEqual(['C']);
    }
  });

  it('keeps blank, whitespace-only and trailing-space lines of a ``` block verbatim', () => {
    const text = doc(
      'table T',
      '\tmeasure M = ```',
      '\t\t\t',
      '\t\t\tVAR a = 1   ',
      '\t\t\t    ',
      '',
      '\t\t\tcolumn notAColumn',
      '\t\t\tRETURN a',
      '\t\t\t```',
      '\t\tformatString: 0',
    );
    const m = read([{ path: 'tables/T.tmdl', text }]).model.tables[0]!;
    expect(m.columns).toHaveLength(0);
    expect(m.measures[0]).toMatchObject({ expression: '\nVAR a = 1   \n    \n\ncolumn notAColumn\nRETURN a', formatString: '0' });
  });

  it('keeps meta [...] as part of a shared expression and reads functions.tmdl', () => {
    const { model } = read([
      {
        path: 'expressions.tmdl',
        text: doc('expression Server = "srv" meta [IsParameterQuery=true, Type="Text", IsParameterQueryRequired=true]', '\tlineageTag: x'),
      },
      {
        path: 'functions.tmdl',
        text: doc(
          'function AddTax = (amount: NUMERIC) => amount * 1.2',
          '',
          '/// Clamps a value',
          'function Clamp =',
          '\t\t(v: NUMERIC, lo: NUMERIC, hi: NUMERIC) =>',
          '\t\t\tMIN(MAX(v, lo), hi)',
          '\tlineageTag: f2',
        ),
      },
    ]);
    expect(model.expressions).toEqual([
      { name: 'Server', kind: 'm', expression: '"srv" meta [IsParameterQuery=true, Type="Text", IsParameterQueryRequired=true]' },
    ]);
    expect(model.functions).toEqual([
      { name: 'AddTax', expression: '(amount: NUMERIC) => amount * 1.2' },
      { name: 'Clamp', expression: '(v: NUMERIC, lo: NUMERIC, hi: NUMERIC) =>\n\tMIN(MAX(v, lo), hi)', description: 'Clamps a value' },
    ]);
  });

  it('reads 5,000 nested parentheses and a 10,000-line expression quickly', () => {
    const nested = `${'('.repeat(5000)}1${')'.repeat(5000)}`;
    const body = Array.from({ length: 10_000 }, (_, i) => `\t\t\t${'\t'.repeat(i % 7)}+ ${i}`).join('\n');
    const deepLines = Array.from({ length: 5000 }, (_, i) => `\t\t\t${'\t'.repeat(Math.min(i, 60))}(`).join('\n');
    const text = doc('table T', `\tmeasure A = ${nested}`, '\tmeasure B =', body, '\tmeasure C =', deepLines, '\t\tformatString: 0');
    const started = performance.now();
    const measures = read([{ path: 'tables/T.tmdl', text }]).model.tables[0]!.measures;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(measures.map((m) => m.name)).toEqual(['A', 'B', 'C']);
    expect(measures[0]!.expression).toBe(nested);
    expect(measures[1]!.expression.split('\n')).toHaveLength(10_000);
    expect(measures[2]!.formatString).toBe('0');
  });
});

describe('readTmdl: files, partial declarations and ordering', () => {
  it('ignores createOrReplace scripts under TMDLScripts/ and non-TMDL parts, with a warning for scripts', () => {
    const script = doc('createOrReplace', '', '\tref table T', "\t\tmeasure 'Injected' = 1", '', '\ttable Other', '\t\tcolumn X');
    const loaded = read([
      { path: 'definition/tables/T.tmdl', text: doc('table T', '\tcolumn C', '\t\tdataType: string') },
      { path: 'TMDLScripts/add-measure.tmdl', text: script },
      { path: 'definition.pbism', text: '{"version":"4.2"}' },
      { path: 'diagramLayout.json', text: '{}' },
    ]);
    expect(loaded.model.tables.map((t) => t.name)).toEqual(['T']);
    expect(loaded.model.tables[0]!.measures).toHaveLength(0);
    expect(loaded.warnings.join('\n')).toMatch(/TMDLScripts/);
  });

  it('ignores a createOrReplace script found among the definition files, with a warning', () => {
    const loaded = read([
      { path: 'tables/T.tmdl', text: doc('table T') },
      { path: 'tables/script.tmdl', text: doc('createOrReplace', '\ttable Extra') },
    ]);
    expect(loaded.model.tables.map((t) => t.name)).toEqual(['T']);
    expect(loaded.warnings.join('\n')).toMatch(/script/);
  });

  it('merges partial declarations of the same table and column across files', () => {
    const { model } = read([
      { path: 'tables/Sales.tmdl', text: doc('table Sales', '\tcolumn Amount', '\t\tdataType: decimal', '\tpartition p = m', '\t\tsource = #table({}, {})') },
      { path: 'measures/Sales.tmdl', text: doc('table Sales', '\tmeasure Total = SUM(Sales[Amount])', '\tcolumn Amount', '\t\tformatString: 0.00') },
    ]);
    expect(model.tables).toHaveLength(1);
    const t = model.tables[0]!;
    expect(t.columns).toHaveLength(1);
    expect(t.columns[0]).toMatchObject({ name: 'Amount', dataType: 'decimal', formatString: '0.00' });
    expect(t.measures.map((m) => m.name)).toEqual(['Total']);
  });

  it('rejects the same property declared twice, naming the second file and line', () => {
    const e = readError([
      { path: 'tables/Sales.tmdl', text: doc('table Sales', '\tcolumn Amount', '\t\tdataType: decimal') },
      { path: 'tables/Sales_more.tmdl', text: doc('table Sales', '', '\tcolumn Amount', '\t\tdataType: double') },
    ]);
    expect(e.file).toBe(`${opts.location}/tables/Sales_more.tmdl`);
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/'datatype'.*declared twice/);
  });

  it('orders tables by the ref lines of model.tmdl, then the unreferenced files', () => {
    const { model } = read([
      { path: 'tables/A.tmdl', text: doc('table A') },
      { path: 'tables/C.tmdl', text: doc('table C') },
      { path: 'tables/B.tmdl', text: doc('table B') },
      { path: 'model.tmdl', text: doc('model Model', '', 'ref table B', 'ref table Missing', 'ref table A', 'ref role R') },
    ]);
    expect(model.tables.map((t) => t.name)).toEqual(['B', 'A', 'C']);
    expect(model.roles).toHaveLength(0);
  });

  it('reads roles, perspectives, calculation groups and hierarchies', () => {
    const { model } = read([
      { path: 'roles/R.tmdl', text: doc("role 'Store Managers'", '\tmodelPermission: read', '\ttablePermission Store = [Country] == "CA"') },
      { path: 'perspectives/P.tmdl', text: doc('perspective Sales', '\tperspectiveTable Store', '\t\tperspectiveColumn Country') },
      {
        path: 'tables/TI.tmdl',
        text: doc(
          "table 'Time Intelligence'",
          '\tcalculationGroup',
          '\t\tprecedence: 10',
          '\t\tcalculationItem YTD = CALCULATE(SELECTEDMEASURE(), DATESYTD(Dates[Date]))',
          '\t\t\tordinal: 1',
          '\t\t\tformatStringDefinition = "0.00"',
          '\t\tcalculationItem Current = SELECTEDMEASURE()',
          "\tcolumn 'Time Calc'",
          '\t\tdataType: string',
          '\t\tsourceColumn: Name',
          '\tpartition p = calculationGroup',
        ),
      },
      {
        path: 'tables/Dates.tmdl',
        text: doc('table Dates', '\thierarchy YMD', '\t\tlevel Year', '\t\t\tcolumn: Year', '\t\tlevel Month', '\t\t\tcolumn: Month'),
      },
    ]);
    expect(model.roles).toEqual([
      { name: 'Store Managers', modelPermission: 'read', tablePermissions: [{ table: 'Store', filterExpression: '[Country] == "CA"' }] },
    ]);
    expect(model.perspectives).toEqual([{ name: 'Sales', tables: ['Store'] }]);
    const ti = model.tables.find((t) => t.name === 'Time Intelligence')!;
    expect(ti.kind).toBe('calculationGroup');
    expect(ti.calculationGroup).toEqual({
      precedence: 10,
      items: [
        { name: 'YTD', expression: 'CALCULATE(SELECTEDMEASURE(), DATESYTD(Dates[Date]))', ordinal: 1, formatStringExpression: '"0.00"' },
        { name: 'Current', expression: 'SELECTEDMEASURE()' },
      ],
    });
    expect(model.tables.find((t) => t.name === 'Dates')!.hierarchies[0]!.levels).toEqual([
      { name: 'Year', column: 'Year', ordinal: 0 },
      { name: 'Month', column: 'Month', ordinal: 1 },
    ]);
  });
});

describe('readTmdl: bad input is a line-numbered InputError', () => {
  it('rejects spaces used for indentation, saying tabs are required', () => {
    const e = readError([{ path: 'tables/T.tmdl', text: doc('table T', '    column C', '        dataType: string') }]);
    expect(e.line).toBe(2);
    expect(e.file).toBe(`${opts.location}/tables/T.tmdl`);
    expect(e.text).toBe('    column C');
    expect(e.message).toMatch(/tabs/);
    expect(e.message).toMatch(/tables\/T\.tmdl, line 2/);
  });

  it('rejects a child indented more than one level below its parent', () => {
    const e = readError([{ path: 'tables/T.tmdl', text: doc('table T', '\tcolumn C', '\t\t\tdataType: string') }]);
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/indented 3 tab/);
  });

  it('rejects lines nested under a property, an unclosed ``` block and an unclosed quoted name', () => {
    expect(readError([{ path: 'a.tmdl', text: doc('table T', '\tlineageTag: x', '\t\tcolumn C') }]).line).toBe(3);
    expect(readError([{ path: 'a.tmdl', text: doc('table T', '\tmeasure M = ```', '\t\t\t1') }]).line).toBe(2);
    expect(readError([{ path: 'a.tmdl', text: doc("table 'T", '\tcolumn C') }]).line).toBe(1);
  });

  it('rejects unknown data types and malformed relationship ends', () => {
    expect(readError([{ path: 'a.tmdl', text: doc('table T', '\tcolumn C', '\t\tdataType: text') }]).message).toMatch(/unknown datatype 'text'/);
    const e = readError([{ path: 'r.tmdl', text: doc('relationship r', '\tfromColumn: JustOne', '\ttoColumn: A.B') }]);
    expect(e.line).toBe(2);
  });

  it('an expression indented like a property: the declaration is named, with the line holding the text', () => {
    // `measure M =` at 1 tab: its expression belongs at 3 tabs, but sits at 2 (property depth). Read on,
    // `SUM(…)` would silently become a property of the measure and its expression be empty.
    for (const [text, declLine, textLine] of [
      [doc('table T', '\tcolumn A', '\t\tdataType: int64', '\tmeasure M =', '\t\tSUM(T[A])', '\t\tformatString: 0'), 4, 5],
      [doc('table T', '', '\tcolumn C =', '', '\t\tVAR x = T[A]', '\t\tRETURN x * 2', '\t\tdataType: int64'), 3, 5],
      [doc('table T', '\tmeasure M = 1', '\t\tformatString: 0', '\t\tkpi', '\t\t\ttargetExpression = 1'), 0, 0],
    ] as const) {
      if (declLine === 0) {
        expect(read([{ path: 'tables/T.tmdl', text }]).model.tables[0]!.measures[0]!.expression).toBe('1');
        continue;
      }
      const e = readError([{ path: 'tables/T.tmdl', text }]);
      expect(e.line).toBe(declLine);
      expect(e.message).toMatch(new RegExp(`expression of (measure 'M'|column 'C') is missing: .* indented 3 tab\\(s\\).* line ${textLine} is indented 2`));
      expect(e.hint).toMatch(new RegExp(`from line ${textLine}\\) one more tab`));
      expect(e.hint).not.toMatch(/single quotes|re-export/);
    }
  });

  it('a property expression with nothing below it deep enough names the property', () => {
    const e = readError([{ path: 'tables/T.tmdl', text: doc('table T', '\tpartition P = m', '\t\tsource =', '\t\tlet x = 1 in x') }]);
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/expression of 'source =' is missing: .*indented 3 or 4 tab\(s\), but line 4 is indented 2/);
  });

  it('rejects a binary file and an empty file list', () => {
    expect(readError([{ path: 'model.tmdl', text: '\u0000\u0001\u0002PNG' }]).line).toBe(1);
    expect(readError([{ path: 'definition.pbism', text: '{}' }]).message).toMatch(/No \.tmdl files/);
  });
});

describe('readTmdl: objects need names', () => {
  it('rejects a table or column declared without a name', () => {
    expect(readError([{ path: 'a.tmdl', text: doc('table', '\tcolumn C') }]).message).toMatch(/table needs a name/);
    expect(readError([{ path: 'a.tmdl', text: doc('table T', '\tcolumn', '\t\tdataType: string') }]).line).toBe(2);
  });
});

describe('readTmdl: descriptions, cultures and Direct Lake partitions', () => {
  it('/// lines and a description: property on one object are two values for one property: an error, never a silent drop', () => {
    const e = readError([{ path: 'tables/T.tmdl', text: doc('table T', '\t/// Written above', '\tmeasure M = 1', '\t\tdescription: Written below') }]);
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/measure 'M' has two descriptions: \/\/\/ lines above its declaration \(line 3\) and 'description:' here; keep one/);
    // Either one alone is read.
    expect(read([{ path: 'tables/T.tmdl', text: doc('table T', '\tmeasure M = 1', '\t\tdescription: Written below') }]).model.tables[0]!.measures[0]!.description).toBe('Written below');
  });

  it('joins /// lines into one description and skips linguistic metadata bodies', () => {
    const json = Array.from({ length: 5000 }, (_, i) => `\t\t\t  "k${i}": "column c${i}",`).join('\n');
    const { model } = read([
      {
        path: 'tables/T.tmdl',
        text: doc('/// Sales facts,', '/// one row per order line', 'table T', '\t/// The key', '\tcolumn K', '\t\tdataType: int64'),
      },
      { path: 'cultures/en-US.tmdl', text: doc('cultureInfo en-US', '', '\tlinguisticMetadata =', '\t\t\t{', json, '\t\t\t}', '\t\tcontentType: json') },
    ]);
    expect(model.tables[0]).toMatchObject({ name: 'T', description: 'Sales facts,\none row per order line' });
    expect(model.tables[0]!.columns[0]!.description).toBe('The key');
    expect(model.tables[0]!.columns).toHaveLength(1);
    expect(model.cultures).toEqual(['en-US']);
  });

  it('reads a Direct Lake entity partition with a source block, and the table storage mode', () => {
    const { model } = read([
      { path: 'model.tmdl', text: doc('model Model', '\tculture: en-US') },
      { path: 'expressions.tmdl', text: doc('expression DatabaseQuery =', '\t\tlet', '\t\t    database = Sql.Database("x", "y")', '\t\tin', '\t\t    database') },
      {
        path: 'tables/calendar.tmdl',
        text: doc('table calendar', '\tcolumn Date', '\t\tdataType: dateTime', '\t\tsourceColumn: Date', '\tpartition calendar = entity', '\t\tmode: directLake', '\t\tsource', '\t\t\tentityName: calendar', '\t\t\tschemaName: dbo', '\t\t\texpressionSource: DatabaseQuery'),
      },
      { path: 'tables/mixed.tmdl', text: doc('table mixed', '\tpartition a = m', '\t\tmode: import', '\t\tsource = x', '\tpartition b = m', '\t\tmode: directQuery', '\t\tsource = y') },
    ]);
    expect(model.tables[0]).toMatchObject({ kind: 'data', storageMode: 'directLake', partitions: [{ name: 'calendar', mode: 'directLake', sourceType: 'entity' }] });
    expect(model.tables[0]!.partitions[0]!.expression).toBeUndefined();
    expect(model.tables[1]!.storageMode).toBe('mixed');
    expect(model.expressions[0]!.expression).toBe('let\n    database = Sql.Database("x", "y")\nin\n    database');
  });
});

describe('object references in property values', () => {
  it('unquotes sortByColumn and hierarchy level columns', () => {
    const { model } = read([
      {
        path: 'tables/Calendar.tmdl',
        text: doc(
          'table Calendar',
          "\tcolumn 'Day Name'",
          '\t\tdataType: string',
          "\t\tsortByColumn: 'Day of Week'",
          "\tcolumn 'Day of Week'",
          '\t\tdataType: int64',
          '\thierarchy Days',
          "\t\tlevel 'Day'",
          "\t\t\tcolumn: 'Day Name'",
        ),
      },
    ]);
    const table = model.tables[0]!;
    expect(table.columns[0]!.sortByColumn).toBe('Day of Week');
    expect(table.hierarchies[0]!.levels[0]!.column).toBe('Day Name');
  });
});
