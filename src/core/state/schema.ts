// The sync state file (docs/architecture.md#state, issue 6 item 1). It keeps the original layout —
// `synced_models.{id}.{name,last_sync_time,sync_count}` and `last_check` — so existing files and any
// script that reads them keep working, and adds what change detection needs. Times are ISO 8601
// strings (UTC) so the file stays readable by people and by the original tool.
import { z } from 'zod';

/** Version 1 is the original, un-versioned layout; 2 is this one. */
export const STATE_VERSION = 2;

/** The fixed suffix the original tool gave its outputs; used only to derive `source_name` on migration. */
const LEGACY_SUFFIX = '_PushSync';

/** Error messages are stored for `state show`; they arrive sanitised but are still bounded. */
export const MAX_ERROR_LENGTH = 500;

const isoTime = z.string().min(1);

export const stateModelSchema = z.object({
  /** Published name: the push twin's name when one exists, else the source model's name. */
  name: z.string(),
  last_sync_time: isoTime.nullable(),
  sync_count: z.number().int().nonnegative(),
  /** Fingerprint of the canonical definition last synced or checked (null: never read). */
  fingerprint: z.string().nullable().default(null),
  push_dataset_id: z.string().nullable().default(null),
  push_name: z.string().nullable().default(null),
  workspace_id: z.string().nullable().default(null),
  source_name: z.string().nullable().default(null),
  /** When the definition was last re-fetched and compared. */
  last_checked_at: isoTime.nullable().default(null),
  failures: z.number().int().nonnegative().default(0),
  next_retry_at: isoTime.nullable().default(null),
  last_error: z.string().nullable().default(null),
  /** Set when the model disappeared from a successfully listed workspace. */
  deleted_at: isoTime.nullable().default(null),
  /**
   * Short fingerprint of the publishing settings that shape the output (the enabled semantic view's
   * database, schema, tables, includeApproximate) at the last sync; null: none (view off). A model
   * whose recorded settings differ from the run's is published again even when its definition is not.
   */
  settings: z.string().nullable().default(null),
});

export type StateModel = z.output<typeof stateModelSchema>;

/**
 * Models by id. Ids come from the service and from files, so they are data, never property names of
 * an ordinary object: `__proto__` or `constructor` as an id must neither change a prototype nor
 * read one (issue 13). The record is a null-prototype object; zod's own record parser would drop a
 * `__proto__` key, so the entries are parsed one by one (parseModels).
 */
export type ModelRecord = Record<string, StateModel>;

const modelRecord = z.custom<ModelRecord>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected an object of models by id');

const scannerSchema = z
  .object({
    /** Time of the last `admin/workspaces/modified` call (or full listing); the next call looks back from 30 minutes before it. */
    watermark: isoTime.nullable().default(null),
    /** When every watched workspace was last listed (scanner detection lists all of them at least daily). */
    last_full_listing: isoTime.nullable().default(null),
    /** Workspaces reported modified and not yet listed successfully: listed again until they are. */
    pending: z.array(z.string().min(1)).default([]),
  })
  .default({ watermark: null, last_full_listing: null, pending: [] });

export const stateFileSchema = z.object({
  version: z.literal(STATE_VERSION),
  synced_models: modelRecord,
  last_check: isoTime.nullable().default(null),
  scanner: scannerSchema,
});

export type StateFile = z.output<typeof stateFileSchema>;

/** The original layout (version 1): only what the first tool wrote. */
const legacyModelSchema = z.object({
  name: z.string(),
  last_sync_time: z.string().nullable().optional(),
  sync_count: z.number().int().nonnegative().optional(),
});

const legacyFileSchema = z.object({
  synced_models: modelRecord.optional(),
  last_check: z.string().nullable().optional(),
});

/** A null-prototype record: any string, `__proto__` included, is just a key. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function emptyState(): StateFile {
  return { version: STATE_VERSION, synced_models: emptyRecord(), last_check: null, scanner: { watermark: null, last_full_listing: null, pending: [] } };
}

export function emptyModel(name: string): StateModel {
  return {
    name,
    last_sync_time: null,
    sync_count: 0,
    fingerprint: null,
    push_dataset_id: null,
    push_name: null,
    workspace_id: null,
    source_name: null,
    last_checked_at: null,
    failures: 0,
    next_retry_at: null,
    last_error: null,
    deleted_at: null,
    settings: null,
  };
}

export type ParseResult =
  | { ok: true; state: StateFile; migratedFrom?: number }
  | { ok: false; reason: string; newerVersion?: number };

/**
 * Parse raw file text. Never throws: a bad file is reported with a reason so the store can move it
 * aside (docs/architecture.md#state: "moved aside with a clear message rather than silently reset").
 */
export function parseStateText(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not valid JSON (${(e as Error).message})` };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const version = (raw as { version?: unknown }).version;
  if (version === undefined || version === 1) return migrateV1(raw);
  if (typeof version === 'number' && Number.isInteger(version) && version > STATE_VERSION) {
    return { ok: false, reason: `written by a newer fabric-sync (state version ${version})`, newerVersion: version };
  }
  const parsed = stateFileSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error) };
  const models = parseModels(parsed.data.synced_models, stateModelSchema);
  if (!models.ok) return models;
  return { ok: true, state: { ...parsed.data, synced_models: models.models } };
}

/** Each model entry on its own, into a null-prototype record (see ModelRecord). */
function parseModels<T>(raw: object, schema: z.ZodType<T>): { ok: true; models: Record<string, T> } | { ok: false; reason: string } {
  const models = emptyRecord<T>();
  for (const [id, value] of Object.entries(raw)) {
    if (id === '') return { ok: false, reason: 'does not match the state layout — synced_models: a model id is empty' };
    const parsed = schema.safeParse(value);
    if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error, ['synced_models', id]) };
    models[id] = parsed.data;
  }
  return { ok: true, models };
}

function migrateV1(raw: unknown): ParseResult {
  const parsed = legacyFileSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error) };
  const legacy = parseModels(parsed.data.synced_models ?? {}, legacyModelSchema);
  if (!legacy.ok) return legacy;
  const state = emptyState();
  state.last_check = normaliseTime(parsed.data.last_check ?? null);
  for (const [id, old] of Object.entries(legacy.models)) {
    const model = emptyModel(old.name);
    model.last_sync_time = normaliseTime(old.last_sync_time ?? null);
    model.sync_count = old.sync_count ?? 0;
    model.source_name = old.name.endsWith(LEGACY_SUFFIX) ? old.name.slice(0, -LEGACY_SUFFIX.length) : old.name;
    // No fingerprint yet: detection re-checks these first (oldest check), then compares normally.
    state.synced_models[id] = model;
  }
  return { ok: true, state, migratedFrom: 1 };
}

/** The original tool wrote naive local `isoformat()` strings; store them as UTC ISO when parseable. */
function normaliseTime(value: string | null): string | null {
  if (value === null || value === '') return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

function describeIssues(error: z.ZodError, prefix: PropertyKey[] = []): string {
  const first = error.issues.slice(0, 3).map((i) => `${[...prefix, ...i.path].map(String).join('.') || '(root)'}: ${i.message}`);
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return `does not match the state layout — ${first.join('; ')}${more}`;
}
