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
});

export const stateFileSchema = z.object({
  version: z.literal(STATE_VERSION),
  synced_models: z.record(z.string().min(1), stateModelSchema),
  last_check: isoTime.nullable().default(null),
  scanner: z.object({ watermark: isoTime.nullable().default(null) }).default({ watermark: null }),
});

export type StateModel = z.output<typeof stateModelSchema>;
export type StateFile = z.output<typeof stateFileSchema>;

/** The original layout (version 1): only what the first tool wrote. */
const legacyFileSchema = z.object({
  synced_models: z
    .record(
      z.string().min(1),
      z.object({
        name: z.string(),
        last_sync_time: z.string().nullable().optional(),
        sync_count: z.number().int().nonnegative().optional(),
      }),
    )
    .default({}),
  last_check: z.string().nullable().optional(),
});

export function emptyState(): StateFile {
  return { version: STATE_VERSION, synced_models: {}, last_check: null, scanner: { watermark: null } };
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
  return { ok: true, state: parsed.data };
}

function migrateV1(raw: unknown): ParseResult {
  const parsed = legacyFileSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error) };
  const state = emptyState();
  state.last_check = normaliseTime(parsed.data.last_check ?? null);
  for (const [id, old] of Object.entries(parsed.data.synced_models)) {
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

function describeIssues(error: z.ZodError): string {
  const first = error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return `does not match the state layout — ${first.join('; ')}${more}`;
}
