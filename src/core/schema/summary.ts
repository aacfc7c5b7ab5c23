import type { SemanticModel, SourceFormat } from './model.js';
import { allColumns, allHierarchies, allMeasures } from './walk.js';

/** The counts of docs/architecture.md#command-line / docs/testing.md#expected-counts, as `inspect --json` prints them. */
export interface ModelSummary {
  name: string;
  format: SourceFormat;
  tables: number;
  columns: number;
  calculatedColumns: number;
  measures: number;
  relationships: number;
  calculatedTables: number;
  calculationGroups: number;
  roles: number;
  hierarchies: number;
  calculationItems: number;
  perspectives: number;
  cultures: number;
  expressions: number;
  functions: number;
  inactiveRelationships: number;
  compatibilityLevel: number | null;
  defaultMode: string | null;
  storageModes: Record<string, number>;
  dataTypes: Record<string, number>;
}

export function summarize(model: SemanticModel, format: SourceFormat): ModelSummary {
  const columns = allColumns(model);
  const count = <T>(xs: T[], f: (x: T) => boolean) => xs.filter(f).length;
  const tally = (keys: string[]) =>
    keys.reduce<Record<string, number>>((acc, k) => ((acc[k] = (acc[k] ?? 0) + 1), acc), {});
  return {
    name: model.name,
    format,
    tables: model.tables.length,
    columns: columns.length,
    calculatedColumns: count(columns, (c) => c.kind === 'calculated'),
    measures: allMeasures(model).length,
    relationships: model.relationships.length,
    calculatedTables: count(model.tables, (t) => t.kind === 'calculatedTable'),
    calculationGroups: count(model.tables, (t) => t.kind === 'calculationGroup'),
    roles: model.roles.length,
    hierarchies: allHierarchies(model).length,
    calculationItems: model.tables.reduce((n, t) => n + (t.calculationGroup?.items.length ?? 0), 0),
    perspectives: model.perspectives.length,
    cultures: model.cultures.length,
    expressions: model.expressions.length,
    functions: model.functions.length,
    inactiveRelationships: count(model.relationships, (r) => !r.isActive),
    compatibilityLevel: model.compatibilityLevel ?? null,
    defaultMode: model.defaultMode ?? null,
    storageModes: tally(model.tables.map((t) => t.storageMode)),
    dataTypes: tally(columns.map((c) => c.dataType)),
  };
}
