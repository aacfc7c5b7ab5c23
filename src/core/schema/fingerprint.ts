// Deterministic fingerprint of a model's schema (issue 2 item 4; docs/architecture.md#reading-models-from-fabric change detection):
// sha256 over the canonical form (canonical.ts) serialised with sorted keys. The model's own name is
// left out: the same schema read from a local folder and downloaded from Fabric (where the folder name
// and the item name can differ) must compare equal, and a rename is not a schema change. Everything
// else in SemanticModel counts, including descriptions, formats, roles and partitions.
import { createHash } from 'node:crypto';
import { canonicalModel } from './canonical.js';
import type { SemanticModel, Table } from './model.js';

/** Bump when the canonical form changes, so old fingerprints read as "changed" rather than colliding. */
const FINGERPRINT_VERSION = 'fabric-sync/fingerprint/1';

export function fingerprint(model: SemanticModel): string {
  const { name: _name, ...schema } = canonicalModel(model);
  const hashed = { ...schema, tables: schema.tables.map(withoutInferredTypes) };
  return createHash('sha256').update(FINGERPRINT_VERSION).update('\n').update(stableJson(hashed)).digest('hex');
}

/**
 * An inferred column type is the engine's last guess, not part of the definition: TMSL writes it
 * (with `isDataTypeInferred`), TMDL from Power BI Desktop leaves it out. Hashing it as `automatic`
 * gives the same model the same fingerprint in both formats; the stored definition keeps the type.
 */
function withoutInferredTypes(t: Table): Table {
  if (!t.columns.some((c) => c.dataTypeInferred)) return t;
  return { ...t, columns: t.columns.map((c) => (c.dataTypeInferred ? { ...c, dataType: 'automatic' } : c)) };
}

/** JSON with object keys sorted at every depth. */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(o).sort()) {
    if (o[k] !== undefined) parts.push(`${JSON.stringify(k)}:${stableJson(o[k])}`);
  }
  return `{${parts.join(',')}}`;
}
