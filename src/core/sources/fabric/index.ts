// The Fabric source (docs/architecture.md#reading-models-from-fabric): the semantic models of the
// watched workspaces (every visible one when none is configured). With `monitor.detection: scanner`
// the detector (scanner.ts) says which workspaces may have changed, and only those are listed.
import { ApiError, AuthError, FabricSyncError, isAuthRefusal } from '../../errors.js';
import type { Clock } from '../../context.js';
import { loadModelFromParts } from '../../schema/load.js';
import type { LoadedModel } from '../../schema/model.js';
import { readPushTables } from '../../schema/push-reader.js';
import { rejectInvalidText } from '../../schema/text-check.js';
import type { StateStore } from '../../state/store.js';
import { PUBLIC_APIS_SETTING } from '../../tenant-settings.js';
import type { ModelListing } from '../listing.js';
import type { ListResult, Source } from '../source.js';
import { createScannerPlanner } from './scanner.js';

/** The Fabric client calls a Fabric source makes (src/core/fabric). */
export interface FabricSourceApi {
  listWorkspaces(): Promise<Array<{ id: string; name?: string }>>;
  listModels(workspaceId: string): Promise<ModelListing[]>;
  getDefinition(workspaceId: string, modelId: string, format?: 'TMSL' | 'TMDL'): Promise<{ format: string; parts: Array<{ path: string; text: string }> }>;
  /** Power BI `Table` objects of `GET …/datasets/{id}/tables` (a push dataset's schema). */
  getPushTables(workspaceId: string, datasetId: string): Promise<unknown[]>;
  getModifiedWorkspaces(since: Date): Promise<string[]>;
}

export interface FabricSourceOptions {
  /** Watched workspaces; empty: every workspace the principal can see. */
  workspaces: string[];
  definitionFormat: 'TMSL' | 'TMDL';
  /**
   * `listing` lists every watched workspace each cycle; `scanner` (tenant admins) asks the admin API
   * which workspaces were modified since the persisted watermark and lists only those (scanner.ts).
   */
  detection?: 'listing' | 'scanner';
  /** Scanner detection: list every watched workspace at least this often (0: only when needed). */
  fullListingMs?: number;
}

/** Scanner detection lists every watched workspace at least this often (`monitor.fullListingHours`). */
const DEFAULT_FULL_LISTING_MS = 24 * 3_600_000;

export function fabricSource(api: FabricSourceApi, store: StateStore, clock: Clock, options: FabricSourceOptions): Source {
  const scanner = createScannerPlanner((since) => api.getModifiedWorkspaces(since), store, clock, { fullListingMs: options.fullListingMs ?? DEFAULT_FULL_LISTING_MS });
  return {
    async list(): Promise<ListResult> {
      const watched = options.workspaces.length ? options.workspaces : (await api.listWorkspaces()).map((w) => w.id);
      const plan = options.detection === 'scanner' ? await scanner.plan(watched) : undefined;
      const workspaces = plan ? plan.workspaces : watched;
      const listings: ModelListing[] = [];
      const listedWorkspaces: string[] = [];
      const failedWorkspaces: ListResult['failedWorkspaces'] = [];
      await Promise.all(
        workspaces.map(async (ws) => {
          try {
            listings.push(...(await api.listModels(ws)));
            listedWorkspaces.push(ws);
          } catch (e) {
            // No token at all fails every workspace alike: stop the run (exit code 3). A 401 or 403
            // answered for one workspace (after one retry with a fresh token) is that workspace's
            // failure: the others are still listed, and the monitor decides the exit code.
            if (e instanceof AuthError) throw e;
            failedWorkspaces.push({ id: ws, error: e instanceof Error ? e.message : String(e), errorClass: e instanceof Error ? e.name : 'Error', auth: isAuthRefusal(e), ...(e instanceof FabricSyncError && e.hint ? { hint: e.hint } : {}) });
          }
        }),
      );
      plan?.done(listedWorkspaces);
      return { listings, listedWorkspaces, failedWorkspaces };
    },
    read: (listing) => readModel(api, listing, options),
  };
}

/**
 * Reads one model's schema: getDefinition, or GET tables for a push dataset. There is no read-only
 * route (issue 13 item 19): the DAX INFO functions need semantic-model admin rights, the same write
 * permission getDefinition needs (https://learn.microsoft.com/dax/info-functions-dax), and
 * executeQueries does not run them; so a refusal says plainly what permission is missing.
 */
async function readModel(api: FabricSourceApi, listing: ModelListing, options: Pick<FabricSourceOptions, 'definitionFormat'>): Promise<LoadedModel> {
  const location = `fabric:${listing.workspaceId}/${listing.id}`;
  if (listing.isPushDataset) {
    const tables = await api.getPushTables(listing.workspaceId, listing.id);
    const model = readPushTables(listing.name, tables);
    return rejectInvalidText({ model, source: { format: 'PUSH', location }, warnings: [] });
  }
  let def: Awaited<ReturnType<FabricSourceApi['getDefinition']>>;
  try {
    def = await api.getDefinition(listing.workspaceId, listing.id, options.definitionFormat);
  } catch (e) {
    throw definitionRefused(e, listing) ?? e;
  }
  return loadModelFromParts(def.parts, { modelName: listing.name, location });
}

/** A 403 on getDefinition, restated as the permission it lacks. */
function definitionRefused(e: unknown, listing: ModelListing): ApiError | undefined {
  if (!(e instanceof ApiError) || e.status !== 403) return undefined;
  return new ApiError(
    `${e.message.replace(/\.$/, '')}. Reading the definition of '${listing.name}' needs write permission on the semantic model (the Contributor role or higher on workspace ${listing.workspaceId}); fabric-sync has no read-only way to get a model's schema.`,
    { status: e.status, url: e.url, method: e.method, ...(e.errorCode ? { errorCode: e.errorCode } : {}), ...(e.requestId ? { requestId: e.requestId } : {}) },
    { hint: `Give the service principal the Contributor role (or higher) on workspace ${listing.workspaceId}, or Write permission on the model; also check ${PUBLIC_APIS_SETTING}.`, cause: e },
  );
}
