// Walks over a model's objects, table by table in model order: every column, every measure, every
// hierarchy, every partition. The readers, the summary, the push converter and the warehouse rows
// count and index the same objects; they read them through these instead of each writing its own
// `tables.flatMap(…)`.
import type { Column, Hierarchy, Measure, Partition, SemanticModel } from './model.js';

/** Every column (data, calculated and calculated-table columns). */
export function allColumns(model: SemanticModel): Column[] {
  return model.tables.flatMap((t) => t.columns);
}

/** Every measure. */
export function allMeasures(model: SemanticModel): Measure[] {
  return model.tables.flatMap((t) => t.measures);
}

/** Every hierarchy. */
export function allHierarchies(model: SemanticModel): Hierarchy[] {
  return model.tables.flatMap((t) => t.hierarchies);
}

/** Every partition. */
export function allPartitions(model: SemanticModel): Partition[] {
  return model.tables.flatMap((t) => t.partitions);
}

