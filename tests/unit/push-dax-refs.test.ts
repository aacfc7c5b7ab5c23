// The DAX reference scanner behind measure drops and table renames (issue 4: "a real scan of the
// DAX references, not a substring guess").
import { describe, expect, test } from 'vitest';
import { scanDax, rewriteDaxTables, type DaxRef } from '../../src/core/publishers/push/dax-refs.js';

const brief = (refs: DaxRef[]): string[] =>
  refs.map((r) => (r.kind === 'column' ? `col:${r.table ?? ''}[${r.name}]` : `${r.kind}:${r.name}`));

describe('scanDax', () => {
  test('qualified, quoted and unqualified references, function names', () => {
    const s = scanDax("SUMX('Sales Fact', 'Sales Fact'[Qty] * Product[Price]) + [Margin]");
    expect(brief(s.refs)).toEqual([
      'function:SUMX', 'table:Sales Fact', 'table:Sales Fact', 'col:Sales Fact[Qty]', 'table:Product', 'col:Product[Price]', 'col:[Margin]',
    ]);
    expect(s.error).toBeUndefined();
  });

  test('string literals hide brackets and quotes, with "" escapes', () => {
    const s = scanDax('IF([A] > 0, "see [Hidden] and \'T\'", "say ""[NotRef]"" twice") & [B]');
    expect(brief(s.refs)).toEqual(['function:IF', 'col:[A]', 'col:[B]']);
  });

  test('comments of all three kinds are skipped', () => {
    const s = scanDax('// [C1]\n[A] -- USERELATIONSHIP([x],[y])\n + /* \'Gone\'[Z] \n */ [B]');
    expect(brief(s.refs)).toEqual(['col:[A]', 'col:[B]']);
  });

  test("quoted tables with '' and columns with ]]", () => {
    const s = scanDax("SUM('O''Brien''s Sales'[Net]]Amount])");
    expect(brief(s.refs)).toEqual(['function:SUM', "table:O'Brien's Sales", "col:O'Brien's Sales[Net]Amount]"]);
  });

  test('nested functions, dotted names, numbers', () => {
    const s = scanDax('CALCULATE(DIVIDE(SUM(Sales[Amt]), 1.5), FILTER(ALL(Dim), Dim[Y] = 2024), PERCENTILE.INC(Sales[Amt], 0.5))');
    expect(brief(s.refs)).toEqual([
      'function:CALCULATE', 'function:DIVIDE', 'function:SUM', 'table:Sales', 'col:Sales[Amt]', 'function:FILTER', 'function:ALL',
      'name:Dim', 'table:Dim', 'col:Dim[Y]', 'function:PERCENTILE.INC', 'table:Sales', 'col:Sales[Amt]',
    ]);
  });

  test.each(['USERELATIONSHIP', 'userelationship', 'UseRelationship'])('%s is a function in any case', (fn) => {
    const s = scanDax(`CALCULATE([Sales], ${fn} ( Sales[ShipDate], 'Date'[Date] ))`);
    expect(s.refs.find((r) => r.kind === 'function' && r.name.toUpperCase() === 'USERELATIONSHIP')).toBeDefined();
  });

  test('VAR names are variables, and RETURN [M] is not a table', () => {
    const s = scanDax('VAR t = FILTER(Sales, Sales[Q] > 1)\nRETURN COUNTROWS(t) + [M]');
    expect(s.variables.has('t')).toBe(true);
    expect(brief(s.refs)).toContain('col:[M]');
    expect(brief(s.refs)).not.toContain('table:RETURN');
  });

  test('unterminated tokens are reported, not guessed', () => {
    expect(scanDax('"open').error).toMatch(/string/);
    expect(scanDax("'open").error).toMatch(/quoted/);
    expect(scanDax('[open').error).toMatch(/\[/);
    expect(scanDax('/* open').error).toMatch(/comment/);
  });
});

describe('rewriteDaxTables', () => {
  const rename = (t: string): string | undefined => (t.toLowerCase() === 'sales.fact' ? 'Sales_Fact' : undefined);
  const tables = new Set(['sales.fact', 'product']);
  test.each([
    ["SUM('Sales.Fact'[Amount])", "SUM('Sales_Fact'[Amount])"],
    ['SUM(Sales.Fact[Amount])', "SUM('Sales_Fact'[Amount])"],
    ['COUNTROWS(Sales.Fact) + COUNTROWS(Product)', "COUNTROWS('Sales_Fact') + COUNTROWS(Product)"],
    ['"Sales.Fact[Amount]" & \'Sales.Fact\'[Amount] // Sales.Fact[x]', "\"Sales.Fact[Amount]\" & 'Sales_Fact'[Amount] // Sales.Fact[x]"],
  ])('%s', (input, output) => {
    expect(rewriteDaxTables(input, scanDax(input), rename, tables)).toBe(output);
  });
});
