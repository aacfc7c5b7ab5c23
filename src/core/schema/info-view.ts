// DAX INFO.VIEW fallback reader (docs/architecture.md#reading-models-from-fabric; docs/fabric-rest.md#dax-queries): when getDefinition is
// denied (it needs write permission), the schema is read with executeQueries running
// `EVALUATE INFO.VIEW.TABLES()` / `COLUMNS()` / `MEASURES()` / `RELATIONSHIPS()`. Column names follow
// learn.microsoft.com/dax/info-view-*-function-dax ([Name], [Table], [DataType], [Expression], [IsHidden],
// [StorageMode], [CalculationGroupPrecedence], [FromTable], [FromCardinality], …). executeQueries
// returns keys as `[Name]` (or `Table[Name]`); both, and bare `Name`, are accepted, case-insensitively.
//
// What this fallback cannot see (so the model it yields is partial, and the caller must say so):
// roles and their filters, perspectives, cultures, hierarchies, partitions and their M/SQL sources,
// calculation items (a calculation group shows only as a table with a precedence), shared expressions,
// DAX functions, data sources, the compatibility level, the model's default mode and description.
// Without write permission [Expression] comes back blank (the docs say TableStorage/Expression are shown
// only to writers), so measure, calculated-column and calculated-table DAX may be empty; a calculated
// table is then indistinguishable from a data table.
import type { Cardinality, Column, ColumnKind, CrossFilteringBehavior, SemanticModel, Table, TomDataType } from './model.js';
import { TOM_DATA_TYPES } from './model.js';

export type InfoRow = Record<string, unknown>;

export interface InfoViewResults {
  tables: InfoRow[];
  columns: InfoRow[];
  measures: InfoRow[];
  relationships: InfoRow[];
}

/**
 * [DataType] as a string: TOM names (`Int64`, `DateTime`…), Power BI UI names (`Whole Number`, `Text`…),
 * or the numeric TOM codes INFO.COLUMNS returns (docs/fabric-rest.md#reading-a-definition).
 */
const INFO_TYPES: Readonly<Record<string, TomDataType>> = {
  ...Object.fromEntries(TOM_DATA_TYPES.map((t) => [t.toLowerCase(), t])),
  text: 'string',
  'whole number': 'int64',
  integer: 'int64',
  'decimal number': 'double',
  'fixed decimal number': 'decimal',
  currency: 'decimal',
  'date/time': 'dateTime',
  date: 'dateTime',
  time: 'dateTime',
  'true/false': 'boolean',
  '1': 'automatic',
  '2': 'string',
  '6': 'int64',
  '8': 'double',
  '9': 'dateTime',
  '10': 'decimal',
  '11': 'boolean',
  '17': 'binary',
  '19': 'unknown',
  '20': 'variant',
};

/** `[Name]`, `INFO.VIEW.TABLES[Name]`, `Name` → `name`. */
function keyOf(k: string): string {
  const m = /\[([^\]]*)\]\s*$/.exec(k);
  return (m ? m[1]! : k).trim().toLowerCase();
}

class Row {
  private readonly values = new Map<string, unknown>();
  constructor(raw: unknown) {
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      for (const [k, v] of Object.entries(raw)) this.values.set(keyOf(k), v);
    }
  }
  str(key: string): string | undefined {
    const v = this.values.get(key.toLowerCase());
    if (v === null || v === undefined) return undefined;
    const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    return s === '' ? undefined : s;
  }
  bool(key: string, dflt = false): boolean {
    const v = this.values.get(key.toLowerCase());
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0;
    if (typeof v === 'string') return /^(true|1|yes)$/i.test(v.trim()) ? true : /^(false|0|no)$/i.test(v.trim()) ? false : dflt;
    return dflt;
  }
  num(key: string): number | undefined {
    const v = this.values.get(key.toLowerCase());
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    return Number.isFinite(n) ? n : undefined;
  }
}

/** `DirectQuery` → `directQuery`, the TMSL spelling used everywhere else in the model. */
function camel(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const t = s.replace(/\s+/g, '');
  return t.charAt(0).toLowerCase() + t.slice(1);
}

function oneOf<T extends string>(v: string | undefined, allowed: readonly T[], dflt: T): T {
  const c = camel(v)?.toLowerCase();
  return allowed.find((a) => a.toLowerCase() === c) ?? dflt;
}

function drop<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

const CARD: readonly Cardinality[] = ['one', 'many', 'none'];
const CROSS: readonly CrossFilteringBehavior[] = ['oneDirection', 'bothDirections', 'automatic'];

export function readInfoView(modelName: string, results: InfoViewResults): SemanticModel {
  const rows = (xs: unknown) => (Array.isArray(xs) ? xs.map((x) => new Row(x)) : []);
  const tables = new Map<string, Table>();
  const tableOf = (name: string): Table => {
    let t = tables.get(name);
    if (!t) {
      t = { name, isHidden: false, kind: 'data', storageMode: 'import', partitions: [], columns: [], measures: [], hierarchies: [] };
      tables.set(name, t);
    }
    return t;
  };

  for (const r of rows(results.tables)) {
    const name = r.str('Name');
    if (name === undefined) continue;
    const t = tableOf(name);
    const precedence = r.num('CalculationGroupPrecedence');
    const expression = r.str('Expression');
    t.isHidden = r.bool('IsHidden');
    t.storageMode = camel(r.str('StorageMode')) ?? 'import';
    if (r.str('Description')) t.description = r.str('Description');
    if (precedence !== undefined) {
      t.kind = 'calculationGroup';
      // INFO.VIEW has no calculation items: the group is known to exist, its items are not.
      t.calculationGroup = { precedence, items: [] };
    } else if (expression !== undefined) {
      t.kind = 'calculatedTable';
      t.partitions.push({ name, sourceType: 'calculated', expression });
    }
  }

  for (const r of rows(results.columns)) {
    const name = r.str('Name');
    const table = r.str('Table');
    const type = (r.str('Type') ?? 'Data').toLowerCase();
    // Engine-internal RowNumber columns are not columns (docs/testing.md#expected-counts).
    if (name === undefined || table === undefined || type === 'rownumber' || r.str('DataCategory') === 'RowNumber') continue;
    const t = tableOf(table);
    const kind: ColumnKind = type === 'calculated' ? 'calculated' : type === 'calculatedtablecolumn' ? 'calculatedTableColumn' : 'data';
    const column: Column = drop({
      name,
      dataType: INFO_TYPES[(r.str('DataType') ?? '').trim().toLowerCase()] ?? 'unknown',
      kind,
      expression: kind === 'calculated' ? r.str('Expression') : undefined,
      sourceColumn: r.str('SourceColumn'),
      isHidden: r.bool('IsHidden'),
      isKey: r.bool('IsKey'),
      formatString: r.str('FormatString'),
      displayFolder: r.str('DisplayFolder'),
      dataCategory: r.str('DataCategory'),
      summarizeBy: camel(r.str('SummarizeBy')),
      sortByColumn: r.str('SortByColumn'),
      description: r.str('Description'),
    });
    t.columns.push(column);
  }

  for (const r of rows(results.measures)) {
    const name = r.str('Name');
    const table = r.str('Table');
    if (name === undefined || table === undefined) continue;
    tableOf(table).measures.push(
      drop({
        name,
        expression: r.str('Expression') ?? '',
        formatString: r.str('FormatString'),
        displayFolder: r.str('DisplayFolder'),
        description: r.str('Description'),
        isHidden: r.bool('IsHidden'),
      }),
    );
  }

  const relationships = rows(results.relationships).flatMap((r) => {
    const [fromTable, fromColumn, toTable, toColumn] = ['FromTable', 'FromColumn', 'ToTable', 'ToColumn'].map((k) => r.str(k));
    if (!fromTable || !fromColumn || !toTable || !toColumn) return [];
    return [
      drop({
        name: r.str('Name') ?? `${fromTable}[${fromColumn}] -> ${toTable}[${toColumn}]`,
        fromTable,
        fromColumn,
        toTable,
        toColumn,
        fromCardinality: oneOf(r.str('FromCardinality'), CARD, 'many'),
        toCardinality: oneOf(r.str('ToCardinality'), CARD, 'one'),
        crossFilteringBehavior: oneOf(r.str('CrossFilteringBehavior'), CROSS, 'oneDirection'),
        isActive: r.bool('IsActive', true),
        securityFilteringBehavior: camel(r.str('SecurityFilteringBehavior')),
      }),
    ];
  });

  return {
    name: modelName,
    tables: [...tables.values()],
    relationships,
    roles: [],
    perspectives: [],
    cultures: [],
    expressions: [],
    functions: [],
    dataSources: 0,
  };
}
