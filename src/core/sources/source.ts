// What a source is (docs/architecture.md#plug-ins): where semantic models come from — a file or
// folder on disk (local.ts), or the watched Fabric workspaces (fabric/). The runner lists a source,
// compares the listing with the state, and reads the models it must publish.
import type { LoadedModel } from '../schema/model.js';
import type { ModelListing } from './listing.js';

export interface ListResult {
  listings: ModelListing[];
  /** Workspaces listed successfully this cycle (only their models can be declared deleted). */
  listedWorkspaces: string[];
  /** `auth`: refused for authorisation reasons (401/403), as opposed to throttling, 5xx or a bad answer. */
  failedWorkspaces: { id: string; error: string; errorClass?: string; auth?: boolean; hint?: string }[];
}

export interface Source {
  /** Every model the source holds now (a Fabric source lists only what its detector says may have changed). */
  list(signal: AbortSignal): Promise<ListResult>;
  /** One model's definition, read into the canonical model. */
  read(listing: ModelListing): Promise<LoadedModel>;
}
