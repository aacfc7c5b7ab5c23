// Shapes shared by change detection, the monitor loop and the Fabric client (docs/architecture.md#reading-models-from-fabric).
// `ModelListing` is what listing a workspace yields for one semantic model; src/core/fabric returns
// this shape so detection never depends on which API (Power BI datasets or Fabric semanticModels)
// produced it.

export interface ModelListing {
  id: string;
  name: string;
  workspaceId: string;
  /** Power BI `addRowsAPIEnabled`: a push dataset (read through GET …/tables, not getDefinition). */
  isPushDataset: boolean;
  configuredBy?: string;
  createdDate?: string;
  targetStorageMode?: string;
  description?: string;
}

/** Why a model is processed this cycle. */
export type SyncReason = 'new' | 'changed' | 'recheck';

/** What the pipeline did with one model (the monitor records it in the state). */
export interface SyncOutcome {
  /** synced: published; unchanged: fingerprint equal, nothing written; skipped: deliberately not processed. */
  status: 'synced' | 'unchanged' | 'skipped';
  /** Fingerprint of the definition that was read. */
  fingerprint: string;
  /** With `synced`: fingerprint of the publishing settings it was published with (state `settings`). */
  settings?: string | null;
  /** null: the model has (and may have) no twin; the state forgets any it recorded. */
  pushDatasetId?: string | null;
  pushName?: string | null;
  /** The name users see (push twin name when one was published). */
  publishedName?: string;
  /** What the push step did (created, updated, recreated, unchanged). */
  pushAction?: string;
  /** With `recreated`: the id of the deleted twin (reports bound to it must be rebound). */
  replacedDatasetId?: string;
  /** Things the user must know (a twin recreated with a new id, no push file and why). */
  warnings?: string[];
  detail?: string;
}

/** Ids of local models (`convert --source`) carry this prefix; ids from the service are GUIDs. */
export const LOCAL_ID_PREFIX = 'local:';

export function isLocalModelId(id: string): boolean {
  return id.startsWith(LOCAL_ID_PREFIX);
}
