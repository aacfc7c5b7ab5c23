// Issue 13 item 14: no size limits. A 200 MB model took 13 minutes and 7.5 GB, a 600 MB answer was
// held whole and downloaded again on every retry, a folder of 100,000 files ended in EMFILE, and a
// model name over Power BI's limit failed the whole model at the push step. Each case now ends in a
// clear error (or a clear skip) in seconds:
// - an answer bigger than the limit is cut off once it passes it (a declared Content-Length over it
//   is refused before reading) and is not requested again;
// - a local definition over 64 MiB and a definition/ folder of more than 10,000 files are refused
//   before they are read; a large folder is read a few files at a time, under a low open-files limit;
// - a push dataset name over 100 characters gets no push dataset, and the warehouse still gets the model.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DEFINITION_BYTES, MAX_MODEL_FILES, MAX_RESPONSE_BYTES } from '../../src/core/limits.js';
import { cliPath } from '../support/paths.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { FAST_CONFIG, cliEnv, modelParts, seedWorkspace, startWorld, workdir, type World } from './harness.js';
import { startHostileProxy, type HostileProxy } from './hostile-proxy.js';

const MB = 1024 * 1024;
let world: World;
let proxy: HostileProxy;
let ws: string;
let streamed: string;
let declared: string;

beforeAll(async () => {
  world = await startWorld();
  const seeded = seedWorkspace(world.emu, 'Huge', 3);
  ws = seeded.ws;
  [streamed, declared] = [...seeded.models.keys()] as [string, string];
  proxy = await startHostileProxy(world.emu.url, async (req, res, record) => {
    const url = req.url ?? '';
    if (url.includes(`/semanticModels/${declared}/getDefinition`)) {
      // Says up front that 300 MB follow; sends them only as fast as they are read.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(300 * MB) });
      await pump(res, 300 * MB, record);
      return true;
    }
    if (url.includes(`/semanticModels/${streamed}/getDefinition`)) {
      // No length: 300 MB of not-JSON, chunked, as fast as the client reads.
      res.writeHead(200, { 'content-type': 'application/json' });
      await pump(res, 300 * MB, record);
      return true;
    }
    return false;
  });
});
afterAll(async () => {
  await proxy?.close();
  await world?.close();
});

/** Writes `total` bytes of 'x' with backpressure, stopping when the client hangs up. */
async function pump(res: import('node:http').ServerResponse, total: number, record: { bytesSent: number }): Promise<void> {
  const chunk = Buffer.alloc(MB, 'x');
  while (record.bytesSent < total && !res.destroyed) {
    record.bytesSent += chunk.length;
    if (!res.write(chunk)) await new Promise<void>((r) => { res.once('drain', r); res.once('close', r); });
  }
  if (!res.destroyed) res.end();
}

describe('size limits', () => {
  it('an answer over the limit is cut off at the limit and not fetched again; the other models finish', async () => {
    const started = Date.now();
    const r = await runCli(['convert', '--auto', '--json'], { cwd: workdir('huge', FAST_CONFIG), env: cliEnv(world, [ws], { FABRIC_API_URL: proxy.url }), timeoutMs: 120_000 });
    const took = Date.now() - started;
    const doc = JSON.parse(r.stdout);
    const byId = new Map(doc.models.map((m: { id: string }) => [m.id, m]));
    const tries = (id: string) => proxy.requests.filter((q) => q.path.includes(`/semanticModels/${id}/getDefinition`));
    const sent = (id: string) => tries(id).reduce((n, q) => n + q.bytesSent, 0);
    console.log(`huge answers: declared 300 MiB → ${tries(declared).length} request, ${(sent(declared) / MB).toFixed(0)} MiB sent; streamed 300 MiB → ${tries(streamed).length} request, ${(sent(streamed) / MB).toFixed(0)} MiB sent before the cut (limit ${(MAX_RESPONSE_BYTES / MB).toFixed(0)} MiB); run ${(took / 1000).toFixed(1)} s, exit ${r.code}`);
    expect(r.code, r.stderr).toBe(1);
    for (const id of [declared, streamed]) {
      expect((byId.get(id) as { status: string }).status).toBe('failed');
      expect((byId.get(id) as { error: { message: string } }).error.message).toMatch(/is larger than 89\.3 MiB, the most fabric-sync reads/);
      expect(tries(id)).toHaveLength(1);
    }
    // The declared one is refused before its body is read; the streamed one is cut just past the limit
    // (plus what the socket buffers held), never read to its 300 MB end.
    expect(sent(declared)).toBeLessThan(32 * MB);
    expect(sent(streamed)).toBeLessThan(MAX_RESPONSE_BYTES + 32 * MB);
    expect(doc.synced).toBe(1);
  }, 150_000);

  it('a local definition over the limit is refused before it is read (exit 2, in seconds)', async () => {
    const cwd = workdir('big-local');
    const bim = JSON.parse(modelParts({ name: 'Big' })[0]!.text);
    bim.model.description = 'd'.repeat(MAX_DEFINITION_BYTES + MB);
    const file = path.join(cwd, 'Big.bim');
    writeFileSync(file, JSON.stringify(bim));
    const started = Date.now();
    const r = await runCli(['convert', '--source', file, '--no-push'], { cwd, timeoutMs: 120_000 });
    const took = Date.now() - started;
    console.log(`local definition of ${((MAX_DEFINITION_BYTES + MB) / MB).toFixed(0)} MiB → exit ${r.code} in ${(took / 1000).toFixed(1)} s`);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/The model is 65\.\d MiB, over the limit of 64\.0 MiB; it was not read/);
    expect(took).toBeLessThan(10_000);
  }, 150_000);

  it('a definition/ folder over the file limit is refused; a large one is read under a low open-files limit', async () => {
    const tmdl = (n: number) => {
      const dir = path.join(workdir('files'), 'Many.SemanticModel', 'definition');
      mkdirSync(path.join(dir, 'tables'), { recursive: true });
      writeFileSync(path.join(dir, 'model.tmdl'), 'model Model\n\tculture: en-US\n');
      for (let i = 1; i < n; i++) writeFileSync(path.join(dir, 'tables', `T${i}.tmdl`), `table T${i}\n\tcolumn A\n\t\tdataType: string\n`);
      return path.dirname(dir);
    };
    const over = await runCli(['inspect', tmdl(MAX_MODEL_FILES + 1)], { timeoutMs: 120_000 });
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(new RegExp(`holds ${MAX_MODEL_FILES + 1} \\.tmdl files, over the limit of ${MAX_MODEL_FILES}`));
    // 3,000 files with at most 256 files open (a common default is 256 or 1,024).
    const many = await inspectWithFileLimit(tmdl(3000), 256);
    console.log(`definition folders: ${MAX_MODEL_FILES + 1} files → exit ${over.code}; 3000 files under ulimit -n 256 → exit ${many.code}`);
    expect(many.code, many.stderr).toBe(0);
    expect(JSON.parse(many.stdout).tables).toBe(2999);
  }, 180_000);

  it('a push dataset name over 100 characters gets no push dataset, with a reason; the warehouse still gets the model', async () => {
    const name = `Quarterly ${'Revenue '.repeat(12)}Model`; // 111 characters, 120 with _PushSync
    const ws2 = world.emu.addWorkspace({ name: 'long-names' });
    const id = world.emu.addModel(ws2, { name, parts: modelParts({ name }) });
    const r = await runCli(['convert', '--auto', '--json'], { cwd: workdir('long-name'), env: cliEnv(world, [ws2]), timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout).models.find((x: { id: string }) => x.id === id);
    expect(m.status).toBe('synced');
    expect(m.push.skipped).toMatch(/push dataset name would be 120 characters, over Power BI's limit of 100/);
    expect(world.emu.pushDatasets(ws2)).toEqual([]);
    const rows = await world.standIn.query(`SELECT SOURCE_MODEL_NAME FROM _SEMANTIC_METADATA WHERE MODEL_ID = '${id}'`);
    expect(rows).toEqual([{ SOURCE_MODEL_NAME: name }]);
  }, 60_000);
});

/** `inspect --json` with the open-files limit lowered (ulimit -n), as a constrained host would run it. */
function inspectWithFileLimit(dir: string, limit: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `ulimit -n ${limit} && exec "$0" "$1" inspect "$2" --json`, process.execPath, cliPath, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
