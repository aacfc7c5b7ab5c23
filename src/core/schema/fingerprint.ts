// Deterministic fingerprint of a model's schema (issue 2 item 4; DESIGN.md §5 change detection):
// sha256 over the canonical form (canonical.ts) serialised with sorted keys. The model's own name is
// left out: the same schema read from a local folder and downloaded from Fabric (where the folder name
// and the item name can differ) must compare equal, and a rename is not a schema change. Everything
// else in SemanticModel counts, including descriptions, formats, roles and partitions.
import { createHash } from 'node:crypto';
import { canonicalModel } from './canonical.js';
import type { SemanticModel } from './model.js';

/** Bump when the canonical form changes, so old fingerprints read as "changed" rather than colliding. */
const FINGERPRINT_VERSION = 'fabric-sync/fingerprint/1';

export function fingerprint(model: SemanticModel): string {
  const { name: _name, ...schema } = canonicalModel(model);
  return createHash('sha256').update(FINGERPRINT_VERSION).update('\n').update(stableJson(schema)).digest('hex');
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
