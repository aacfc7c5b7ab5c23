// Peak RSS of reading one model (benchmark 1), in a fresh process so nothing else counts:
// node build/bench/readers-child.js <model path>  → {"maxRssBytes", "tables", "columns", "measures", "relationships"}
import { loadModel } from '../src/core/schema/load.js';

async function main(): Promise<void> {
  const loaded = await loadModel(process.argv[2]!);
  const m = loaded.model;
  const out = {
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    format: loaded.source.format,
    tables: m.tables.length,
    columns: m.tables.reduce((n, t) => n + t.columns.length, 0),
    measures: m.tables.reduce((n, t) => n + t.measures.length, 0),
    relationships: m.relationships.length,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
