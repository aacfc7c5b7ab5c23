// Small builders for lineage tests: a model from tables given as M text and column names.
import type { Column, Partition, SemanticModel, SharedExpression, Table } from '../../src/core/schema/model.js';

/** A data column; `source` is its sourceColumn (defaults to the name). */
export function col(name: string, source: string = name): Column {
  return { name, dataType: 'string', kind: 'data', sourceColumn: source, isHidden: false, isKey: false };
}

export function calcCol(name: string, expression = '1'): Column {
  return { name, dataType: 'int64', kind: 'calculated', expression, isHidden: false, isKey: false };
}

export function mTable(name: string, m: string, columns: Column[] = [], extra: Partial<Table> = {}): Table {
  const partitions: Partition[] = [{ name, sourceType: 'm', expression: m }];
  return { name, isHidden: false, kind: 'data', storageMode: 'import', partitions, columns, measures: [], hierarchies: [], ...extra };
}

export function param(name: string, value: string): SharedExpression {
  return { name, kind: 'm', expression: `${value} meta [IsParameterQuery=true, Type="Text", IsParameterQueryRequired=true]` };
}

export function shared(name: string, expression: string): SharedExpression {
  return { name, kind: 'm', expression };
}

export function model(tables: Table[], expressions: SharedExpression[] = [], name = 'Sales'): SemanticModel {
  return { name, tables, relationships: [], roles: [], perspectives: [], cultures: [], expressions, functions: [], dataSources: 0 };
}

/** The usual Power BI Desktop navigation to one Snowflake object. */
export function snowflakeM(db: string, schema: string, object: string, kind = 'Table', steps = '', last = `${object}_${kind}`): string {
  return [
    'let',
    '    Source = Snowflake.Databases("xy12345.west-europe.azure.snowflakecomputing.com", "ANALYTICS_WH", [Role="REPORTING"]),',
    `    ${db}_Database = Source{[Name="${db}",Kind="Database"]}[Data],`,
    `    ${schema}_Schema = ${db}_Database{[Name="${schema}",Kind="Schema"]}[Data],`,
    `    ${object}_${kind} = ${schema}_Schema{[Name="${object}",Kind="${kind}"]}[Data]${steps ? ',' : ''}`,
    ...(steps ? [steps] : []),
    'in',
    `    ${last}`,
  ].join('\n');
}
