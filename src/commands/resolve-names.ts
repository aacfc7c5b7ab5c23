// Turns `--workspace` and `--dataset-id` names (or `fab` paths) into ids before a run (issue 14 item 8).
// Ids pass through without a request; a name costs one workspace listing and one model listing per
// workspace searched, on a Fabric client of its own that is closed before the run starts.
import { realSleep, systemClock } from '../core/context.js';
import type { Config } from '../core/config/schema.js';
import { FabricNames, type FabricRefs } from '../core/names/fabric-names.js';
import { composeRun } from '../core/run/compose.js';
import type { CommandContext } from './context.js';

/** The same references as ids. A model found by name also fixes its workspace (so the run lists only that one). */
export async function resolveFabricRefs(ctx: CommandContext, config: Config, refs: FabricRefs): Promise<FabricRefs> {
  const runtime = composeRun(config, {
    clock: systemClock,
    sleep: realSleep,
    logger: ctx.ui.logger(),
    version: ctx.version,
    verbose: ctx.globals.verbose,
    disabled: ['push', 'warehouse'],
    dryRun: true,
    fabric: true,
    signal: ctx.signal,
    pauses: ctx.pauses,
  });
  try {
    const names = new FabricNames(runtime.api!);
    const workspaces = refs.workspaces ? await Promise.all(refs.workspaces.map((w) => names.workspace(w, '--workspace'))) : undefined;
    if (refs.datasetId === undefined) return workspaces ? { workspaces } : {};
    const model = await names.model(refs.datasetId, '--dataset-id', workspaces ?? config.fabric.workspaces);
    if (model.id !== refs.datasetId) ctx.ui.debug(`--dataset-id ${refs.datasetId} is model ${model.id}${model.workspaceId ? ` in workspace ${model.workspaceId}` : ''}`);
    return { workspaces: model.workspaceId ? [model.workspaceId] : workspaces, datasetId: model.id };
  } finally {
    await runtime.close();
  }
}
