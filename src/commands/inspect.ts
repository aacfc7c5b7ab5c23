import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import type { Bind, Command } from './context.js';

const Options = z.object({ datasetName: z.string().min(1).optional() });

export function registerInspect(program: Command, bind: Bind): void {
  program
    .command('inspect')
    .description('read a local model (model.bim, *.SemanticModel/, definition/) and summarise it')
    .argument('<path>', 'a .bim file, a *.SemanticModel or *.Dataset folder, or a TMDL definition/ folder')
    .option('--dataset-name <name>', 'the model name to use instead of the one derived from the path')
    .addHelpText(
      'after',
      `
Examples:
  $ fabric-sync inspect ./Sales.SemanticModel
  $ fabric-sync inspect ./model.bim --json
  $ fabric-sync inspect ./Sales.SemanticModel/definition --dataset-name "Sales Analytics"`,
    )
    .action(
      bind(async (ctx, pathArg, rawOptions) => {
        const parsed = Options.safeParse(rawOptions);
        if (!parsed.success) throw new UsageError(`Invalid option: ${parsed.error.issues[0]?.message}`);
        const { inspectModel } = await import('../core/schema/inspect.js');
        const result = await inspectModel(String(pathArg), { datasetName: parsed.data.datasetName });
        for (const w of result.warnings) ctx.ui.warn(w);
        const s = result.summary;
        ctx.ui.result({ ...s, fingerprint: result.fingerprint, location: result.location, warnings: result.warnings }, () => {
          const rows: Array<[string, number | string]> = [
            ['tables', s.tables],
            ['columns', `${s.columns} (${s.calculatedColumns} calculated)`],
            ['measures', s.measures],
            ['relationships', `${s.relationships} (${s.inactiveRelationships} inactive)`],
            ['calculated tables', s.calculatedTables],
            ['calculation groups', `${s.calculationGroups} (${s.calculationItems} items)`],
            ['hierarchies', s.hierarchies],
            ['roles', s.roles],
            ['perspectives', s.perspectives],
            ['cultures', s.cultures],
            ['shared expressions', s.expressions],
            ['storage modes', Object.entries(s.storageModes).map(([k, v]) => `${k} ${v}`).join(', ') || '-'],
          ];
          const head = `${ctx.ui.c.bold(s.name)}  ${s.format}${s.compatibilityLevel ? ` · compatibility ${s.compatibilityLevel}` : ''}${s.defaultMode ? ` · default mode ${s.defaultMode}` : ''}`;
          return [head, ctx.ui.table(['object', 'count'], rows), `fingerprint ${result.fingerprint.slice(0, 16)}`].join('\n');
        });
        return 0;
      }),
    );
}
