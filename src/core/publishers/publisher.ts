// What a publisher is (docs/architecture.md#plug-ins): something that takes one canonical model and
// puts it somewhere — a push dataset in Fabric, rows in the warehouse. The runner (src/core/sync)
// knows publishers only through this interface; the list of them is in src/core/run/compose.ts.
//
// Per model, publishers run in list order: `plan` (pure: the model, the settings and what the
// publishers before it found) and then `apply` (the I/O, on the run's session). Facts a publisher
// learns while applying (the push twin's id) reach the ones after it through `RunFacts`.
import type { Config } from '../config/schema.js';
import type { Clock, Logger } from '../context.js';
import type { FabricClient } from '../fabric/client.js';
import type { LoadedModel, SemanticModel } from '../schema/model.js';
import type { LineageRow } from '../lineage/rows.js';
import type { StateEntry } from '../state/store.js';
import type { WarehousePool } from '../warehouse/pool.js';
import type { ConversionReport } from './report.js';

/** What the command line turns on or off for every publisher. */
export interface RunFlags {
  dryRun: boolean;
  /** Publishers turned off by their `--no-<name>` flag. */
  disabled: ReadonlySet<string>;
  /** The warehouse target of this run ('none': no warehouse). */
  target: 'snowflake' | 'duckdb' | 'none';
}

/** The model a publisher is asked to publish, as the runner knows it. */
export interface ModelTarget {
  /** Stable id: the Fabric item id, or `local:<resolved path>` for a local source. */
  modelId: string;
  workspaceId: string | null;
  /** The source already is a push dataset: synced without conversion. */
  isPushDataset: boolean;
  /** The request last published for this model, when known (the push publisher compares relationships with it). */
  previousRequest?: object;
  /** Why this model must not touch its push twin (another model owns a dataset of that name). */
  pushBlocked?: string;
}

/** What the publishers of one model have found so far (read by the later ones and by the runner). */
export interface RunFacts {
  /** The name users see: the push twin's name when one was planned, else the source name. */
  publishedName: string;
  /** The push conversion report, when the model was converted. */
  report: ConversionReport | null;
  /** The push twin written (or found) for the model. */
  twin: { datasetId: string; name: string; action: string; replacedDatasetId?: string } | null;
  /** The file a publisher wrote the model's definition to (the push request), when it did. */
  definitionFile: string | null;
  /**
   * What the semantic-view publisher traced and translated, for the warehouse publisher to write in
   * its model transaction (_SEMANTIC_LINEAGE, the translation columns of _SEMANTIC_MEASURES).
   */
  semantic?: SemanticFacts | null;
}

/** The lineage rows and each measure's translation (docs/semantic-view.md). */
export interface SemanticFacts {
  lineage: LineageRow[];
  measures: Array<{ table: string; measure: string; sql: string | null; grade: string; reason: string | null }>;
}

export interface PlanContext<S> {
  loaded: LoadedModel;
  target: ModelTarget;
  settings: S;
  fingerprint: string;
  /** The run's clock reading for this model (planners never read a clock themselves). */
  now: Date;
  runId: string;
  toolVersion: string;
  facts: Readonly<RunFacts>;
}

/** What a run gives publishers to apply their plans with; built once by src/core/run/compose.ts. */
export interface PublishSession {
  /** The Fabric client; null for a local model without a workspace. */
  fabric: FabricClient | null;
  /** The warehouse target's connections (Snowflake or DuckDB); null without a warehouse. */
  warehouse: WarehousePool | null;
  clock: Clock;
  logger: Logger;
  runId: string;
  toolVersion: string;
}

export interface Skipped {
  skipped: string;
}

export interface Applied<O> {
  /** Shown under the publisher's name in `--json` and in the NDJSON `model-synced` event detail. */
  outcome: O | Skipped;
  facts?: Partial<RunFacts>;
  /** Things the user must know (human output, --json, NDJSON). */
  warnings?: string[];
  /**
   * The publisher failed after reporting its facts: the publishers after it still run (the
   * warehouse keeps the model's rows), then the model fails with this error.
   */
  error?: Error;
}

export interface DeletedModel {
  entry: StateEntry;
  at: Date;
  /** `monitor.prune`: remove what the publisher created for the model, not only record the deletion. */
  prune: boolean;
  /** The other models the state knows (a publisher must not remove what another live model still uses). */
  others: readonly StateEntry[];
}

export interface Publisher<S = unknown, P = unknown, O extends object = object> {
  readonly name: string;
  /** This publisher's settings, from the loaded configuration and the command's flags. */
  settings(config: Config, flags: RunFlags): S;
  enabled(settings: S): boolean;
  /** The outcome when it is not enabled. */
  disabled(settings: S): Skipped;
  /** Pure: no I/O, no clock, no randomness (all of it is in the context). May be asynchronous (the M parser is). */
  plan(model: SemanticModel, context: PlanContext<S>): P | Promise<P>;
  apply(plan: P, session: PublishSession, settings: S): Promise<Applied<O>>;
  /** A model gone from its source: record it (and with `prune`, remove what was published). */
  deleted?(model: DeletedModel, session: PublishSession, settings: S): Promise<void>;
  /** One phrase on the outcome: `cycle` for monitor lines, `table` for the convert summary table. */
  describe(outcome: O | Skipped, form: 'cycle' | 'table'): string;
  /** What a dry run would send, one line each (convert --dry-run). */
  planLines?(outcome: O | Skipped): string[];
}

/** A publisher with its settings resolved for one run. */
export interface ConfiguredPublisher {
  publisher: Publisher;
  settings: unknown;
}

export function isSkipped(outcome: object): outcome is Skipped {
  return 'skipped' in outcome;
}
