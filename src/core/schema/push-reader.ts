// Push dataset reader: the Power BI `GET …/datasets/{id}/tables` answer (and optionally the
// relationships of the dataset's create request) → SemanticModel (docs/fabric-rest.md#push-datasets: this
// call only works for push datasets). Used to read back our own `{Model}_PushSync` copies and push
// datasets other tools made. Push types are case-insensitive and `bool` is accepted (docs/fabric-rest.md#push-datasets);
// they map to TOM types, the inverse of the push publisher's table (docs/architecture.md#push-conversion).
import { Fields, opt } from './fields.js';
import type { Column, CrossFilteringBehavior, Measure, Relationship, SemanticModel, Table, TomDataType } from './model.js';
import { TOM_DATA_TYPES } from './model.js';

/** Push data type (lower-cased) → TOM type. Anything else is `unknown`. */
export const PUSH_TO_TOM: Readonly<Record<string, TomDataType>> = {
  int64: 'int64',
  double: 'double',
  decimal: 'decimal',
  datetime: 'dateTime',
  string: 'string',
  boolean: 'boolean',
  bool: 'boolean',
};

const TOM_BY_LOWER = new Map<string, TomDataType>(TOM_DATA_TYPES.map((t) => [t.toLowerCase(), t]));
const CROSS_FILTERS: readonly CrossFilteringBehavior[] = ['oneDirection', 'bothDirections', 'automatic'];

export function pushTypeToTom(dataType: string): TomDataType {
  const k = dataType.trim().toLowerCase();
  return PUSH_TO_TOM[k] ?? TOM_BY_LOWER.get(k) ?? 'unknown';
}

/**
 * Push datasets have no calculated columns, partitions, hierarchies, roles or calculation groups: every
 * table is a data table in `push` storage mode; relationships are active, many-to-one.
 */
export function readPushTables(datasetName: string, tables: unknown[], relationships: unknown[] = []): SemanticModel {
  const f = new Fields(`push dataset "${datasetName}"`);
  const root = { tables, relationships };
  const readTables: Table[] = f.arr(root, 'tables', '').map((raw, i) => {
    const path = `tables[${i}]`;
    const t = f.obj(raw, path);
    const columns: Column[] = f.arr(t, 'columns', path).map((c, j) => {
      const cp = `${path}.columns[${j}]`;
      const o = f.obj(c, cp);
      return opt({
        name: f.name(o, cp),
        dataType: pushTypeToTom(f.str(o, 'dataType', cp) ?? ''),
        kind: 'data' as const,
        isHidden: f.bool(o, 'isHidden', cp),
        isKey: false,
        formatString: f.str(o, 'formatString', cp),
        dataCategory: f.str(o, 'dataCategory', cp),
        summarizeBy: f.str(o, 'summarizeBy', cp),
        sortByColumn: f.str(o, 'sortByColumn', cp),
      });
    });
    const measures: Measure[] = f.arr(t, 'measures', path).map((m, j) => {
      const mp = `${path}.measures[${j}]`;
      const o = f.obj(m, mp);
      return opt({
        name: f.name(o, mp),
        expression: f.expr(o, 'expression', mp) ?? '',
        formatString: f.str(o, 'formatString', mp),
        description: f.str(o, 'description', mp),
        isHidden: f.bool(o, 'isHidden', mp),
      });
    });
    // `source` (ASMashupExpression[]) is the only partition-like thing a push table can carry.
    const partitions = f.arr(t, 'source', path).map((s, j) => {
      const o = f.obj(s, `${path}.source[${j}]`);
      return opt({ name: `source ${j + 1}`, sourceType: 'm', expression: f.expr(o, 'expression', `${path}.source[${j}]`) });
    });
    return opt({
      name: f.name(t, path),
      description: f.str(t, 'description', path),
      isHidden: f.bool(t, 'isHidden', path),
      kind: 'data' as const,
      storageMode: 'push',
      partitions,
      columns,
      measures,
      hierarchies: [],
    });
  });
  const readRels: Relationship[] = f.arr(root, 'relationships', '').map((raw, i) => {
    const path = `relationships[${i}]`;
    const r = f.obj(raw, path);
    const need = (k: string) => f.str(r, k, path) ?? '';
    return {
      name: f.name(r, path),
      fromTable: need('fromTable'),
      fromColumn: need('fromColumn'),
      toTable: need('toTable'),
      toColumn: need('toColumn'),
      fromCardinality: 'many',
      toCardinality: 'one',
      crossFilteringBehavior: f.oneOf(r, 'crossFilteringBehavior', path, CROSS_FILTERS) ?? 'oneDirection',
      isActive: true,
    };
  });
  return {
    name: datasetName,
    defaultMode: 'push',
    tables: readTables,
    relationships: readRels,
    roles: [],
    perspectives: [],
    cultures: [],
    expressions: [],
    functions: [],
    dataSources: 0,
  };
}
