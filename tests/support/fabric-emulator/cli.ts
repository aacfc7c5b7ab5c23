// Standalone emulator for trying fabric-sync without a tenant:
//   npm run emulator -- --port 8400 --models tests/fixtures/models
// One workspace holds every model found in the folder (default: ../shared/corpus when present, else
// the synthetic models of tests/fixtures/models); the URL and the environment variables that
// point fabric-sync at it are printed. Ctrl-C stops it (and reports any contract violation seen).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startFabricEmulator } from './index.js';
import { loadModelFromPath } from './models.js';
import { corpusDir, hasCorpus, syntheticDir } from '../paths.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8400' },
    models: { type: 'string', default: hasCorpus ? corpusDir : syntheticDir },
    workspace: { type: 'string', default: 'Emulated Workspace' },
    token: { type: 'string' },
    'page-size': { type: 'string', default: '100' },
    'lro-polls': { type: 'string', default: '0' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(`Usage: npm run emulator -- [--port 8400] [--models DIR] [--workspace NAME] [--token TOKEN] [--page-size N] [--lro-polls N]

Serves the Fabric (/v1/...) and Power BI (/v1.0/myorg/...) REST APIs on 127.0.0.1 with one workspace
holding every model under DIR (*.SemanticModel folders, .bim files, or folders holding one; default
the corpus beside the repository when present, else tests/fixtures/models).
--token     accept only this bearer token (default: any non-empty token)
--lro-polls answer getDefinition with 202 and N 'Running' polls (default 0: 200 at once)
`);
  process.exit(0);
}

const modelsDir = path.resolve(values.models);
const token = values.token ?? 'emulator-token';
const emulator = await startFabricEmulator({
  port: Number(values.port),
  pageSize: Number(values['page-size']),
  lroPolls: Number(values['lro-polls']),
  ...(values.token ? { acceptTokens: [values.token] } : {}),
});
const workspaceId = emulator.addWorkspace({ name: values.workspace });
const loaded: string[] = [];
const names = new Set<string>();

/** A test fixture folder may only point at its model (EXPECTED.json `source`, e.g. the example). */
function modelFolder(dir: string): string {
  const expected = path.join(dir, 'EXPECTED.json');
  if (!existsSync(expected)) return dir;
  const source = (JSON.parse(readFileSync(expected, 'utf8')) as { source?: unknown }).source;
  return typeof source === 'string' ? path.resolve(dir, source) : dir;
}
for (const entry of readdirSync(modelsDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
  if (!entry.isDirectory() && !entry.name.toLowerCase().endsWith('.bim')) continue;
  try {
    const model = loadModelFromPath(modelFolder(path.join(modelsDir, entry.name)));
    // One model of a name per workspace: a second one (the TMSL twin of a TMDL model) says where it is from.
    const name = names.has(model.suggestedName) ? `${model.suggestedName} (${entry.name})` : model.suggestedName;
    names.add(name);
    emulator.addModel(workspaceId, { name, parts: model.parts });
    loaded.push(`  ${name} (${model.format}, ${model.parts.length} parts) ← ${entry.name}`);
  } catch (e) {
    process.stderr.write(`skipped ${entry.name}: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

process.stdout.write(`Fabric + Power BI emulator listening on ${emulator.url}
Workspace "${values.workspace}": ${workspaceId}
${loaded.length} models:
${loaded.join('\n')}

Point fabric-sync at it:
  export FABRIC_API_URL=${emulator.url}
  export POWERBI_API_URL=${emulator.url}
  export FABRIC_ACCESS_TOKEN=${token}
  export POWERBI_ACCESS_TOKEN=${token}
  export FABRIC_WORKSPACE_ID=${workspaceId}
(Fabric paths are served under ${emulator.url}/v1/..., Power BI paths under ${emulator.url}/v1.0/myorg/...)
Press Ctrl-C to stop.
`);

async function stop(): Promise<void> {
  await emulator.close();
  const { requests, writes } = emulator.stats;
  process.stdout.write(`\nstopped after ${requests} requests (${writes} writes)\n`);
  if (emulator.violations.length) {
    process.stderr.write(`${emulator.violations.length} responses broke the API contracts (tests/support/contracts):\n${emulator.violations.join('\n')}\n`);
    process.exitCode = 1;
  }
}
process.once('SIGINT', () => { void stop(); });
process.once('SIGTERM', () => { void stop(); });
