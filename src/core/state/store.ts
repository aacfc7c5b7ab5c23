// The state store (docs/architecture.md#state, issue 6 item 1): load (migrating or moving aside a bad file), lock,
// record what happened to each model, save atomically. Runners own it; readers and publishers never
// touch it (docs/architecture.md#the-flow). It stores only ids, names, times, counts, fingerprints and bounded,
// redacted error messages — never a secret.
import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock, Logger } from '../context.js';
import { ConfigError, storageErrorFrom } from '../errors.js';
import { redact, type Redactor } from '../redact.js';
import { removeLeftoverTemps, writeFileAtomic, type AtomicWriteHooks } from './atomic-write.js';
import { acquireLock, type HeldLock } from './lock.js';
import { MAX_ERROR_LENGTH, STATE_VERSION, emptyModel, emptyRecord, emptyState, parseStateText, type StateFile, type StateModel } from './schema.js';

export type { StateModel, StateFile } from './schema.js';

/** One model as the store hands it out: the stored fields plus its id. */
export type StateEntry = Readonly<StateModel> & { readonly id: string };

/** What detection reads: a frozen copy, so a pure function cannot change the store. */
export interface StateSnapshot {
  readonly models: Readonly<Record<string, StateEntry>>;
  readonly lastCheck: string | null;
  readonly scannerWatermark: string | null;
}

/** What scanner detection keeps between cycles (see sync/scanner.ts). */
export interface ScannerState {
  watermark: string | null;
  lastFullListing: string | null;
  pending: string[];
}

export interface SyncRecord {
  /** Published name (push twin name when there is one, else the source name). */
  name: string;
  fingerprint: string;
  sourceName?: string;
  workspaceId?: string;
  pushDatasetId?: string | null;
  pushName?: string | null;
  /** Fingerprint of the run's publishing settings (null: none); kept as it was when absent. */
  settings?: string | null;
  /** Epoch ms; default the store's clock. */
  at?: number;
}

/** Facts learnt about a model without syncing it (a check, a first sighting that was already up to date). */
export interface SeenRecord {
  name?: string;
  sourceName?: string;
  workspaceId?: string;
  fingerprint?: string;
  pushDatasetId?: string | null;
  pushName?: string | null;
}

export interface StateStore {
  readonly path: string;
  /** Warnings from opening (corrupt file moved aside, migration, stale lock) for the command to show. */
  readonly warnings: readonly string[];
  get(id: string): StateEntry | undefined;
  list(): StateEntry[];
  snapshot(): StateSnapshot;
  recordSync(id: string, record: SyncRecord): void;
  recordChecked(id: string, at: number, seen?: SeenRecord): void;
  recordFailure(id: string, error: string, nextRetryAt: number, seen?: SeenRecord): void;
  recordDeleted(id: string, at: number): void;
  /** Drop one model; returns whether it was known. */
  forget(id: string): boolean;
  /** Give a model's entry a new id (a local model once keyed by name, now by path); false when `from` is unknown or `to` taken. */
  rekey(from: string, to: string): boolean;
  reset(): void;
  setLastCheck(at: number): void;
  setScannerWatermark(watermark: string | null): void;
  scanner(): ScannerState;
  updateScanner(patch: Partial<ScannerState>): void;
  /** Atomic write; concurrent calls are serialised so the newest state always wins. No-op when clean. */
  save(): Promise<void>;
  /** Save pending changes and release the lock. */
  close(): Promise<void>;
}

export interface OpenStateOptions {
  clock: Clock;
  /** Take the exclusive `<state>.lock` (monitor, convert, state forget/reset). */
  lock: boolean;
  logger: Logger;
  /** Test seams. */
  hooks?: AtomicWriteHooks;
  lockIdentity?: { pid?: number; hostname?: string };
  /** Take over a lock from another host after this long without a heartbeat (see lock.ts). */
  lockStaleAfterMs?: number;
  /** Scrubs error messages before they are stored (the configured secrets; default: token shapes only). */
  redact?: Redactor;
}

export async function openStateStore(path: string, options: OpenStateOptions): Promise<StateStore> {
  const { clock, logger } = options;
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    logger.warn(m);
  };
  await mkdir(dirname(path), { recursive: true }).catch((e: unknown) => {
    throw storageErrorFrom(e, 'create the folder of the state file', dirname(path)) ?? e;
  });
  let lock: HeldLock | undefined;
  if (options.lock) {
    lock = await acquireLock(path, {
      logger: { ...logger, warn },
      now: () => clock.now(),
      ...options.lockIdentity,
      ...(options.lockStaleAfterMs === undefined ? {} : { foreignStaleMs: options.lockStaleAfterMs }),
    });
    await removeLeftoverTemps(path);
  }
  try {
    const { state, dirty } = await load(path, clock, warn, logger);
    return new FileStateStore(path, state, dirty, warnings, lock, options.hooks ?? {}, clock, options.redact ?? redact);
  } catch (e) {
    await lock?.release();
    throw e;
  }
}

async function load(path: string, clock: Clock, warn: (m: string) => void, logger: Logger): Promise<{ state: StateFile; dirty: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: emptyState(), dirty: false };
    throw e;
  }
  const parsed = parseStateText(text);
  if (parsed.ok) {
    if (parsed.migratedFrom !== undefined) {
      logger.info(`Upgraded state file ${path} from version ${parsed.migratedFrom} to ${STATE_VERSION}.`);
    }
    return { state: parsed.state, dirty: parsed.migratedFrom !== undefined };
  }
  if (parsed.newerVersion !== undefined) {
    // Moving it aside would lose a newer tool's state; refuse instead.
    throw new ConfigError(`The state file ${path} was ${parsed.reason}.`, [], {
      hint: 'Upgrade fabric-sync, or point state.path at another file.',
    });
  }
  const aside = `${path}.corrupt-${new Date(clock.now()).toISOString().replace(/:/g, '-')}`;
  await rename(path, aside);
  warn(
    `The state file ${path} is corrupt (${parsed.reason}). It was moved to ${aside} and this run starts with an empty state: ` +
      'every model is treated as new once (publishing is idempotent, nothing is duplicated).',
  );
  return { state: emptyState(), dirty: true };
}

class FileStateStore implements StateStore {
  private dirty: boolean;
  private queued: Promise<void> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    readonly path: string,
    private state: StateFile,
    dirty: boolean,
    readonly warnings: string[],
    private readonly lock: HeldLock | undefined,
    private readonly hooks: AtomicWriteHooks,
    private readonly clock: Clock,
    private readonly redactor: Redactor,
  ) {
    this.dirty = dirty;
  }

  get(id: string): StateEntry | undefined {
    const m = this.state.synced_models[id];
    return m ? Object.freeze({ ...m, id }) : undefined;
  }

  scanner(): ScannerState {
    const s = this.state.scanner;
    return { watermark: s.watermark, lastFullListing: s.last_full_listing, pending: [...s.pending] };
  }

  updateScanner(patch: Partial<ScannerState>): void {
    const s = this.state.scanner;
    if (patch.watermark !== undefined) s.watermark = patch.watermark;
    if (patch.lastFullListing !== undefined) s.last_full_listing = patch.lastFullListing;
    if (patch.pending !== undefined) s.pending = [...new Set(patch.pending)];
    this.dirty = true;
  }

  list(): StateEntry[] {
    return Object.entries(this.state.synced_models).map(([id, m]) => Object.freeze({ ...m, id }));
  }

  snapshot(): StateSnapshot {
    const models = emptyRecord<StateEntry>();
    for (const e of this.list()) models[e.id] = e;
    return Object.freeze({
      models: Object.freeze(models),
      lastCheck: this.state.last_check,
      scannerWatermark: this.state.scanner.watermark,
    });
  }

  recordSync(id: string, r: SyncRecord): void {
    const m = this.entry(id, r.name);
    const at = iso(r.at ?? this.clock.now());
    m.name = r.name;
    m.fingerprint = r.fingerprint;
    m.last_sync_time = at;
    m.last_checked_at = at;
    m.sync_count += 1;
    m.failures = 0;
    m.next_retry_at = null;
    m.last_error = null;
    m.deleted_at = null;
    if (r.sourceName !== undefined) m.source_name = r.sourceName;
    if (r.workspaceId !== undefined) m.workspace_id = r.workspaceId;
    if (r.pushDatasetId !== undefined) m.push_dataset_id = r.pushDatasetId;
    if (r.pushName !== undefined) m.push_name = r.pushName;
    if (r.settings !== undefined) m.settings = r.settings;
    this.dirty = true;
  }

  recordChecked(id: string, at: number, seen: SeenRecord = {}): void {
    const m = this.entry(id, seen.name ?? seen.sourceName ?? id);
    m.last_checked_at = iso(at);
    m.failures = 0;
    m.next_retry_at = null;
    m.last_error = null;
    m.deleted_at = null;
    applySeen(m, seen);
    this.dirty = true;
  }

  recordFailure(id: string, error: string, nextRetryAt: number, seen: SeenRecord = {}): void {
    const m = this.entry(id, seen.name ?? seen.sourceName ?? id);
    m.failures += 1;
    m.next_retry_at = iso(nextRetryAt);
    m.last_error = sanitiseError(error, this.redactor);
    // The fingerprint is NOT taken from a failed attempt: the next attempt must still see a difference.
    applySeen(m, { ...seen, fingerprint: undefined });
    this.dirty = true;
  }

  recordDeleted(id: string, at: number): void {
    const m = this.state.synced_models[id];
    if (!m) return;
    m.deleted_at = iso(at);
    m.failures = 0;
    m.next_retry_at = null;
    this.dirty = true;
  }

  forget(id: string): boolean {
    if (!(id in this.state.synced_models)) return false;
    delete this.state.synced_models[id];
    this.dirty = true;
    return true;
  }

  rekey(from: string, to: string): boolean {
    const models = this.state.synced_models;
    if (!(from in models) || to in models) return false;
    models[to] = models[from]!;
    delete models[from];
    this.dirty = true;
    return true;
  }

  reset(): void {
    this.state = emptyState();
    this.dirty = true;
  }

  setLastCheck(at: number): void {
    this.state.last_check = iso(at);
    this.dirty = true;
  }

  setScannerWatermark(watermark: string | null): void {
    this.state.scanner.watermark = watermark;
    this.dirty = true;
  }

  save(): Promise<void> {
    // A save already queued but not started will serialise the newest state: share it.
    if (this.queued) return this.queued;
    const run = this.chain.then(async () => {
      this.queued = undefined;
      if (!this.dirty) return;
      this.dirty = false;
      const text = `${JSON.stringify(this.state, null, 2)}\n`;
      try {
        await writeFileAtomic(this.path, text, this.hooks);
      } catch (e) {
        this.dirty = true;
        throw e;
      }
      await this.lock?.refresh();
    });
    this.queued = run;
    this.chain = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.save();
    } finally {
      await this.lock?.release();
    }
  }

  private entry(id: string, name: string): StateModel {
    let m = this.state.synced_models[id];
    if (!m) {
      m = emptyModel(name);
      this.state.synced_models[id] = m;
    }
    return m;
  }
}

function applySeen(m: StateModel, seen: SeenRecord): void {
  if (seen.name !== undefined) m.name = seen.name;
  if (seen.sourceName !== undefined) m.source_name = seen.sourceName;
  if (seen.workspaceId !== undefined) m.workspace_id = seen.workspaceId;
  if (seen.fingerprint !== undefined) m.fingerprint = seen.fingerprint;
  if (seen.pushDatasetId !== undefined) m.push_dataset_id = seen.pushDatasetId;
  if (seen.pushName !== undefined) m.push_name = seen.pushName;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Messages arrive sanitised from the HTTP layer; this is defence in depth for the one file we keep
 * on disk: the shared scrubber (src/core/redact.ts — the configured secrets when the command passed
 * them, bearer tokens, JWTs, `secret=`-style pairs), then the length bounded.
 */
export function sanitiseError(message: string, redactor: Redactor = redact): string {
  const cleaned = redactor(message);
  return cleaned.length > MAX_ERROR_LENGTH ? `${cleaned.slice(0, MAX_ERROR_LENGTH - 1)}…` : cleaned;
}
