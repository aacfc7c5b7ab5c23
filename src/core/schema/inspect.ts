// The one core call behind `fabric-sync inspect <path>` (issue 2 item 6): load, summarise, fingerprint.
// The command renders the result; nothing here prints.
import { fingerprint } from './fingerprint.js';
import { loadModel } from './load.js';
import { summarize, type ModelSummary } from './summary.js';

export interface InspectResult {
  summary: ModelSummary;
  fingerprint: string;
  warnings: string[];
  /** The file or folder the model was actually read from (after path resolution). */
  location: string;
}

export async function inspectModel(pathArg: string, options: { datasetName?: string } = {}): Promise<InspectResult> {
  const loaded = await loadModel(pathArg, options);
  return {
    summary: summarize(loaded.model, loaded.source.format),
    fingerprint: fingerprint(loaded.model),
    warnings: loaded.warnings,
    location: loaded.source.location,
  };
}
