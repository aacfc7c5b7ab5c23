// readInfoView: executeQueries rows of INFO.VIEW.TABLES/COLUMNS/MEASURES/RELATIONSHIPS → SemanticModel.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBim } from '../../src/core/schema/bim.js';
import { readInfoView, type InfoViewResults } from '../../src/core/schema/info-view.js';
import type { SemanticModel } from '../../src/core/schema/model.js';
import { summarize } from '../../src/core/schema/summary.js';
import { synthetic } from '../support/paths.js';

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** What INFO.VIEW.* would return for a model, as executeQueries writes keys (`[Name]`). */
function infoRows(m: SemanticModel): InfoViewResults {
  return {
    tables: m.tables.map((t) => ({
      '[ID]': 1, '[Name]': t.name, '[IsHidden]': t.isHidden, '[StorageMode]': cap(t.storageMode),
      '[Expression]': t.kind === 'calculatedTable' ? t.partitions.find((p) => p.sourceType === 'calculated')?.expression ?? '' : null,
      '[CalculationGroupPrecedence]': t.kind === 'calculationGroup' ? (t.calculationGroup?.precedence ?? 0) : null,
      '[Description]': t.description ?? null,
    })),
    columns: m.tables.flatMap((t) => t.columns.map((c) => ({
      '[Name]': c.name, '[Table]': t.name, '[DataType]': cap(c.dataType), '[Type]': cap(c.kind), '[IsHidden]': c.isHidden,
      '[Expression]': c.expression ?? null, '[FormatString]': c.formatString ?? null, '[IsKey]': c.isKey,
    }))),
    measures: m.tables.flatMap((t) => t.measures.map((x) => ({ '[Name]': x.name, '[Table]': t.name, '[Expression]': x.expression, '[IsHidden]': x.isHidden }))),
    relationships: m.relationships.map((r) => ({
      '[Name]': r.name, '[FromTable]': r.fromTable, '[FromColumn]': r.fromColumn, '[ToTable]': r.toTable, '[ToColumn]': r.toColumn,
      '[FromCardinality]': cap(r.fromCardinality), '[ToCardinality]': cap(r.toCardinality), '[IsActive]': r.isActive,
      '[CrossFilteringBehavior]': cap(r.crossFilteringBehavior),
    })),
  };
}

describe('readInfoView', () => {
  it('recovers tables, columns, measures and relationships of a model (calculation group, calculated tables, hostile names)', () => {
    const text = readFileSync(path.join(synthetic.retailBim, 'Retail.bim'), 'utf8');
    const bim = readBim(text, { location: 'x' }).model;
    const info = readInfoView('Retail', infoRows(bim));
    const pick = ['tables', 'columns', 'calculatedColumns', 'measures', 'relationships', 'calculatedTables', 'calculationGroups', 'inactiveRelationships', 'dataTypes'] as const;
    const a = summarize(bim, 'BIM');
    const b = summarize(info, 'INFO');
    for (const k of pick) expect([k, b[k]]).toEqual([k, a[k]]);
    expect(info.relationships).toEqual(bim.relationships.map(({ securityFilteringBehavior: _s, ...r }) => r));
    expect(info.tables.map((t) => t.columns.map((c) => [c.name, c.dataType, c.kind]))).toEqual(bim.tables.map((t) => t.columns.map((c) => [c.name, c.dataType, c.kind])));
  });

  it('accepts `Table[X]` and bare keys, UI type names and numeric codes, nulls', () => {
    const m = readInfoView('M', {
      tables: [
        { 'INFO.VIEW.TABLES[Name]': 'Sales', 'INFO.VIEW.TABLES[StorageMode]': 'DirectQuery', 'INFO.VIEW.TABLES[IsHidden]': 'False' },
        { Name: 'TI', StorageMode: 'Import', CalculationGroupPrecedence: 3 },
        { '[Name]': 'Calc', '[StorageMode]': 'Import', '[Expression]': 'GENERATESERIES(1,3)' },
      ],
      columns: [
        { '[Name]': 'RowNumber-2662979B', '[Table]': 'Sales', '[Type]': 'RowNumber', '[DataType]': 'Int64' },
        { '[Name]': 'Id', '[Table]': 'Sales', '[Type]': 'Data', '[DataType]': 'Whole Number', '[IsKey]': true, '[SummarizeBy]': 'Sum' },
        { '[Name]': 'Name', '[Table]': 'Sales', '[DataType]': 'Text', '[SortByColumn]': 'Id' },
        { '[Name]': 'When', '[Table]': 'Sales', '[DataType]': 9 },
        { '[Name]': 'Twice', '[Table]': 'Sales', '[Type]': 'Calculated', '[DataType]': 'Decimal Number', '[Expression]': null },
        { '[Name]': 'Value', '[Table]': 'Calc', '[Type]': 'CalculatedTableColumn', '[DataType]': 'Int64' },
        { '[Name]': 'Blob', '[Table]': 'Sales', '[DataType]': 'Strange' },
        { '[Table]': 'Sales' },
      ],
      measures: [{ '[Name]': 'Total', '[Table]': 'Sales', '[Expression]': null, '[DisplayFolder]': 'KPIs' }],
      relationships: [{ '[FromTable]': 'Sales', '[FromColumn]': 'Id', '[ToTable]': 'Calc', '[ToColumn]': 'Value', '[IsActive]': false, '[CrossFilteringBehavior]': 'BothDirections', '[SecurityFilteringBehavior]': 'OneDirection' }],
    });
    const [sales, ti, calc] = m.tables;
    expect(sales).toMatchObject({ name: 'Sales', storageMode: 'directQuery', isHidden: false, kind: 'data' });
    expect(sales!.columns.map((c) => [c.name, c.dataType, c.kind])).toEqual([
      ['Id', 'int64', 'data'], ['Name', 'string', 'data'], ['When', 'dateTime', 'data'], ['Twice', 'double', 'calculated'], ['Blob', 'unknown', 'data'],
    ]);
    expect(sales!.columns[0]).toMatchObject({ isKey: true, summarizeBy: 'sum' });
    expect(sales!.columns[3]!.expression).toBeUndefined();
    expect(sales!.measures).toEqual([{ name: 'Total', expression: '', displayFolder: 'KPIs', isHidden: false }]);
    expect(ti).toMatchObject({ kind: 'calculationGroup', calculationGroup: { precedence: 3, items: [] } });
    expect(calc).toMatchObject({ kind: 'calculatedTable', partitions: [{ sourceType: 'calculated', expression: 'GENERATESERIES(1,3)' }] });
    expect(m.relationships).toEqual([{
      name: 'Sales[Id] -> Calc[Value]', fromTable: 'Sales', fromColumn: 'Id', toTable: 'Calc', toColumn: 'Value', fromCardinality: 'many',
      toCardinality: 'one', crossFilteringBehavior: 'bothDirections', isActive: false, securityFilteringBehavior: 'oneDirection',
    }]);
  });

  it('never throws on junk rows', () => {
    const junk = [null, 1, 'x', [], { '[Name]': {} }, { '[Name]': 'A', '[Table]': [] }] as unknown as Record<string, unknown>[];
    const m = readInfoView('J', { tables: junk, columns: junk, measures: junk, relationships: junk });
    expect(m.tables.map((t) => t.name)).toEqual(['A']);
    expect(readInfoView('E', {} as InfoViewResults).tables).toEqual([]);
  });
});
