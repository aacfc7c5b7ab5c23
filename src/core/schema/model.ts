// The canonical SemanticModel: every reader (BIM, TMDL, push REST) produces it and
// every publisher consumes only it (docs/architecture.md#the-flow). Property names follow TOM/TMSL camelCase so a
// reader maps one-to-one. Optional properties are absent (not undefined) when the source lacks them,
// so the canonical JSON and the fingerprint stay stable.

/** TOM `DataType` as TMSL/TMDL write it (camelCase). */
export const TOM_DATA_TYPES = [
  'string',
  'int64',
  'double',
  'decimal',
  'dateTime',
  'boolean',
  'binary',
  'variant',
  'unknown',
  'automatic',
] as const;
export type TomDataType = (typeof TOM_DATA_TYPES)[number];

/** data = sourced from a partition; calculated = `column X = <DAX>`; calculatedTableColumn = column of a calculated table. */
export type ColumnKind = 'data' | 'calculated' | 'calculatedTableColumn';

/** data = partitions load rows; calculatedTable = partition source `calculated`; calculationGroup = has a calculation group. */
export type TableKind = 'data' | 'calculatedTable' | 'calculationGroup';

/** Where a model came from, after reading. */
export type SourceFormat = 'BIM' | 'TMDL' | 'PUSH';

export interface Column {
  name: string;
  dataType: TomDataType;
  /**
   * The engine infers the type from the DAX (calculated and calculated-table columns): TMSL says
   * `"isDataTypeInferred": true` beside the type it last inferred, while TMDL leaves `dataType` out.
   * The fingerprint ignores an inferred type so both spellings of one model compare equal.
   */
  dataTypeInferred?: boolean;
  kind: ColumnKind;
  /** DAX of a calculated column. */
  expression?: string;
  sourceColumn?: string;
  isHidden: boolean;
  isKey: boolean;
  formatString?: string;
  displayFolder?: string;
  dataCategory?: string;
  summarizeBy?: string;
  sortByColumn?: string;
  description?: string;
}

export interface Measure {
  name: string;
  expression: string;
  formatString?: string;
  displayFolder?: string;
  description?: string;
  isHidden: boolean;
}

export interface HierarchyLevel {
  name: string;
  column: string;
  ordinal?: number;
}

export interface Hierarchy {
  name: string;
  description?: string;
  isHidden: boolean;
  displayFolder?: string;
  levels: HierarchyLevel[];
}

export interface CalculationItem {
  name: string;
  expression: string;
  ordinal?: number;
  formatStringExpression?: string;
  description?: string;
}

export interface CalculationGroup {
  precedence?: number;
  description?: string;
  items: CalculationItem[];
}

export interface Partition {
  name: string;
  /** `import`, `directQuery`, `dual`, `directLake`, or absent (= the model's default mode). */
  mode?: string;
  /** Partition source type: `m`, `query`, `calculated`, `calculationGroup`, `entity`, `policyRange`, … */
  sourceType: string;
  /** M, SQL or DAX text of the source, when it has one. */
  expression?: string;
}

export interface Table {
  name: string;
  description?: string;
  isHidden: boolean;
  kind: TableKind;
  /**
   * The table's storage mode, derived from its partitions: their common mode, `mixed` when they
   * differ, or the model's default mode (`import` when the model has none) when none is set.
   */
  storageMode: string;
  partitions: Partition[];
  columns: Column[];
  measures: Measure[];
  hierarchies: Hierarchy[];
  calculationGroup?: CalculationGroup;
}

export type Cardinality = 'one' | 'many' | 'none';
export type CrossFilteringBehavior = 'oneDirection' | 'bothDirections' | 'automatic';

export interface Relationship {
  name: string;
  fromTable: string;
  fromColumn: string;
  toTable: string;
  toColumn: string;
  /** Defaults when absent in the source: from = many, to = one. */
  fromCardinality: Cardinality;
  toCardinality: Cardinality;
  crossFilteringBehavior: CrossFilteringBehavior;
  isActive: boolean;
  securityFilteringBehavior?: string;
}

export interface TablePermission {
  table: string;
  filterExpression?: string;
}

export interface Role {
  name: string;
  modelPermission: string;
  description?: string;
  tablePermissions: TablePermission[];
}

export interface Perspective {
  name: string;
  tables: string[];
}

export interface SharedExpression {
  name: string;
  /** `m` (Power Query, also parameters) or `dax`. */
  kind: string;
  expression: string;
  description?: string;
}

export interface DaxFunction {
  name: string;
  expression: string;
  description?: string;
}

export interface SemanticModel {
  name: string;
  description?: string;
  compatibilityLevel?: number;
  /** Model `defaultMode` (`import`, `directQuery`, …) when the source states one. */
  defaultMode?: string;
  culture?: string;
  tables: Table[];
  relationships: Relationship[];
  roles: Role[];
  perspectives: Perspective[];
  /** Culture names only (translations are not kept). */
  cultures: string[];
  expressions: SharedExpression[];
  functions: DaxFunction[];
  /** Count of legacy/structured data sources (their connection details are never kept: they can hold secrets). */
  dataSources: number;
}

/** How the model was read. Kept beside, not inside, the model so the fingerprint ignores it. */
export interface ModelSource {
  format: SourceFormat;
  /** File or folder the model was read from, or the Fabric item it was downloaded from. */
  location: string;
}

export interface LoadedModel {
  model: SemanticModel;
  source: ModelSource;
  /** Non-fatal notes from the reader (an unknown property, an ignored script folder). */
  warnings: string[];
}
