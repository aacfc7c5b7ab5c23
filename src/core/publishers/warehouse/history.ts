// Read-back of a model's history from _SEMANTIC_MODEL_VERSIONS (issue 12 item 4): the versions
// in the order they were first synced, and the canonical definitions of two of them — what a
// `fabric-sync diff <model>` compares. Works on both targets.
import { WarehouseError } from '../../errors.js';
import type { WarehouseBackend } from '../../warehouse/backend.js';
import { quoteIdent as q } from '../../warehouse/dialect.js';
import { type Namespace, qualified } from '../../warehouse/names.js';
import { normaliseRow } from './read.js';
import { MODEL_VERSIONS } from './tables.js';

export interface ModelVersion {
  fingerprint: string;
  /** ISO-8601 UTC time the definition was first synced. */
  syncedAt: string;
  modelName: string;
  sourceModelName: string;
  sourceFormat: string;
  toolVersion: string;
  runId: string;
}

export interface VersionDefinition extends ModelVersion {
  definition: unknown;
  conversionReport: unknown;
}

const LIST_COLUMNS = ['FINGERPRINT', 'SYNCED_AT', 'MODEL_NAME', 'SOURCE_MODEL_NAME', 'SOURCE_FORMAT', 'TOOL_VERSION', 'RUN_ID'];

function toVersion(row: Record<string, unknown>): ModelVersion {
  return {
    fingerprint: String(row.FINGERPRINT),
    syncedAt: String(row.SYNCED_AT),
    modelName: String(row.MODEL_NAME),
    sourceModelName: String(row.SOURCE_MODEL_NAME),
    sourceFormat: String(row.SOURCE_FORMAT),
    toolVersion: String(row.TOOL_VERSION),
    runId: String(row.RUN_ID),
  };
}

/** Every version of a model, oldest first. */
export async function listModelVersions(backend: WarehouseBackend, modelId: string, ns?: Namespace): Promise<ModelVersion[]> {
  const r = await backend.execute(
    `SELECT ${LIST_COLUMNS.map(q).join(', ')} FROM ${qualified(ns, MODEL_VERSIONS.name)} WHERE ${q('MODEL_ID')} = ? ORDER BY ${q('SYNCED_AT')}, ${q('FINGERPRINT')}`,
    [modelId],
  );
  return r.rows.map(normaliseRow).map(toVersion);
}

/**
 * The definitions of two versions of a model: `from` and `to` are fingerprints (a unique prefix of
 * at least 8 characters will do); by default the previous and the latest version.
 */
export async function readTwoVersions(
  backend: WarehouseBackend,
  modelId: string,
  pick: { from?: string; to?: string } = {},
  ns?: Namespace,
): Promise<{ from: VersionDefinition; to: VersionDefinition }> {
  const versions = await listModelVersions(backend, modelId, ns);
  if (versions.length === 0) throw new WarehouseError(`No version of model ${modelId} is recorded in ${MODEL_VERSIONS.name}`, {}, { hint: 'Sync the model first; a version is recorded each time its definition changes.' });
  const find = (fp: string | undefined, fallback: ModelVersion | undefined): ModelVersion => {
    if (fp === undefined) {
      if (!fallback) throw new WarehouseError(`Model ${modelId} has only one recorded version`, {}, { hint: 'A second version is recorded when the model definition changes.' });
      return fallback;
    }
    const matches = versions.filter((v) => v.fingerprint === fp || (fp.length >= 8 && v.fingerprint.startsWith(fp)));
    if (matches.length !== 1) {
      throw new WarehouseError(`Model ${modelId} has ${matches.length === 0 ? 'no' : 'more than one'} version matching ${fp}`, {}, { hint: `Recorded fingerprints: ${versions.map((v) => v.fingerprint.slice(0, 12)).join(', ')}` });
    }
    return matches[0]!;
  };
  const to = find(pick.to, versions.at(-1));
  const from = find(pick.from, versions.filter((v) => v.fingerprint !== to.fingerprint).at(-1));
  const r = await backend.execute(
    `SELECT ${[...LIST_COLUMNS, 'DEFINITION', 'CONVERSION_REPORT'].map(q).join(', ')} FROM ${qualified(ns, MODEL_VERSIONS.name)} ` +
      `WHERE ${q('MODEL_ID')} = ? AND ${q('FINGERPRINT')} IN (?, ?)`,
    [modelId, from.fingerprint, to.fingerprint],
  );
  const byFp = new Map(r.rows.map(normaliseRow).map((row) => [String(row.FINGERPRINT), row]));
  const full = (v: ModelVersion): VersionDefinition => {
    const row = byFp.get(v.fingerprint) ?? {};
    return { ...v, definition: parsed(row.DEFINITION), conversionReport: parsed(row.CONVERSION_REPORT ?? null) };
  };
  return { from: full(from), to: full(to) };
}

/** VARIANT comes back parsed from Snowflake and JSON from DuckDB; text is parsed here if a driver returns it as text. */
function parsed(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
