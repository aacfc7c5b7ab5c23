// The local source: one model file or definition folder on disk (`convert --source`). A local model
// is identified by where it is, not by its name: two folders named Sales are two models, and neither
// is ever taken for a Fabric model (issue 13 item 4).
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { loadModel } from '../schema/load.js';
import type { LoadedModel } from '../schema/model.js';
import { LOCAL_ID_PREFIX } from './listing.js';
import type { Source } from './source.js';

export function localSource(location: string, options: { datasetName?: string; workspaceId?: string } = {}): Source {
  let loaded: Promise<LoadedModel> | undefined;
  const load = () => (loaded ??= loadModel(location, { datasetName: options.datasetName }));
  return {
    async list() {
      const { model, source } = await load();
      const listing = { id: await localModelId(source.location), name: model.name, workspaceId: options.workspaceId ?? '', isPushDataset: false };
      return { listings: [listing], listedWorkspaces: [], failedWorkspaces: [] };
    },
    read: () => load(),
  };
}

/** `local:` + the real path of the model file or definition folder (symbolic links resolved). */
async function localModelId(location: string): Promise<string> {
  const resolved = await realpath(location).catch(() => path.resolve(location));
  return `${LOCAL_ID_PREFIX}${resolved}`;
}
