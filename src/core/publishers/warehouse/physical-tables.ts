// The --create-tables step of a model write (docs/architecture.md#warehouse), run on the model's
// connection after its COMMIT: DDL commits on its own in Snowflake anyway, and the physical tables are
// additive only. The mirror schema is created only when INFORMATION_SCHEMA.SCHEMATA shows it missing
// (see schemaExists). CREATE SCHEMA also makes the new schema the session's current one
// (https://docs.snowflake.com/en/sql-reference/sql/create-schema); every statement names its
// objects in full, so nothing the connection runs next depends on that.
import type { SemanticModel } from '../../schema/model.js';
import type { WarehouseBackend } from '../../warehouse/backend.js';
import { quoteIdent, type Dialect } from '../../warehouse/dialect.js';
import type { Namespace } from '../../warehouse/names.js';
import { type PhysicalTarget, physicalName, physicalSkipReason } from './physical-names.js';
import { planPhysicalTables, readExistingColumns, schemaExists } from './physical.js';

export type PhysicalStep = (backend: WarehouseBackend, model: SemanticModel, modelId: string, target: PhysicalTarget) => Promise<{ statements: number; notes: string[] }>;

export function physicalTablesStep(dialect: Dialect, ns?: Namespace): PhysicalStep {
  // Schemas known to exist in this run: checked (and created when missing) once, not per model.
  const ready = new Set<string>();
  return async (backend, model, modelId, target) => {
    let statements = 0;
    const schemaKey = JSON.stringify([target.database ?? null, target.schema]);
    if (!ready.has(schemaKey)) {
      statements++;
      if (!(await schemaExists(backend, target, ns))) {
        const name = [...(target.database !== undefined ? [target.database] : []), target.schema].map(quoteIdent).join('.');
        await backend.execute(`CREATE SCHEMA IF NOT EXISTS ${name}`);
        statements++;
      }
      ready.add(schemaKey);
    }
    const names = model.tables.filter((t) => physicalSkipReason(modelId, t) === undefined).map((t) => physicalName(modelId, t.name));
    const existing = await readExistingColumns(backend, target, ns, names);
    if (names.length) statements++;
    const plan = planPhysicalTables(model, modelId, existing, target, dialect);
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
