// The --create-tables step of a model write (docs/architecture.md#warehouse): the planner and reader existed in
// src/core/warehouse/physical.ts, but no run called them, so `--create-tables` created nothing
// (issue 9, hostile names through the pipeline). Runs on the model's connection after its COMMIT:
// DDL commits on its own in Snowflake anyway, and the physical tables are additive only.
import type { SemanticModel } from '../schema/model.js';
import type { WarehouseBackend } from '../warehouse/backend.js';
import { quoteIdent, type Dialect } from '../warehouse/dialect.js';
import { planPhysicalTables, readExistingColumns } from '../warehouse/physical.js';

type PhysicalStep = (backend: WarehouseBackend, model: SemanticModel, schema: string) => Promise<{ statements: number; notes: string[] }>;

export function physicalTablesStep(dialect: Dialect): PhysicalStep {
  const schemaReady = new WeakSet<WarehouseBackend>();
  return async (backend, model, schema) => {
    let statements = 0;
    if (!schemaReady.has(backend)) {
      await backend.execute(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      schemaReady.add(backend);
      statements++;
    }
    const plan = planPhysicalTables(model, await readExistingColumns(backend, schema), { schema }, dialect);
    statements++;
    for (const st of plan.ddl) {
      await backend.execute(st.sql, st.binds);
      statements++;
    }
    const notes = [
      ...plan.conflicts.map((c) => `physical table ${c.table}: column ${c.column} is ${c.existingType}, the model wants ${c.wantedType}; left as it is`),
      ...plan.skipped.map((s) => `physical table ${s.table}${s.column ? `, column ${s.column.slice(0, 80)}` : ''} not created: ${s.reason}`),
    ];
    return { statements, notes };
  };
}
