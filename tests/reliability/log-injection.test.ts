// Issue 13 item 7: any workspace contributor can name a model, and names were printed raw. Models
// named to become Azure DevOps logging commands (`##vso[` anywhere in a line), GitHub Actions
// workflow commands (`::cmd::` at the start of a line, or the legacy `##[cmd]` anywhere), terminal
// escapes (OSC 52 clipboard write, OSC 8 hyperlink, clear screen), a bare CR and a bidi override go
// through convert and monitor, human and --json, under GitHub Actions and Azure DevOps, with and
// without colour; one of them also fails, so it reaches the error annotations. Every output line is
// then read the way the CI agents read it (their parsers are quoted in src/commands/safe-text.ts):
// the only commands allowed are our own `::error::`/`::warning::` and `##vso[task.logissue`
// annotations, and no escape sequence but a colour (SGR) reaches the terminal. --json stays exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runSpawnedCli } from '../support/run-cli.js';
import { FAST_CONFIG, cliEnv, modelParts, startWorld, workdir, type World } from './harness.js';

const HOSTILE = [
  'Evil\n##vso[task.setvariable variable=FS_PWNED]yes',
  'Mid ##vso[task.setvariable variable=FS_PWNED2]yes',
  '::warning file=x.ts::gh-injected',
  'cr\r::error::cr-injected',
  'Legacy ##[error]legacy-gh',
  'Term\u001b]52;c;cHduZWQ=\u0007\u001b[2J\u001b]8;;https://evil.example/\u0007link\u001b]8;;\u0007\u009b31m',
  'bidi\u202egnp.exe',
];
const FAILING = 'Fails\n##vso[task.complete result=Succeeded;]done\n::error::fake-failure';

let world: World;
let ws: string;
beforeAll(async () => {
  world = await startWorld();
  ws = world.emu.addWorkspace({ name: 'inject' });
  for (const name of [...HOSTILE, 'Plain Model']) world.emu.addModel(ws, { name, parts: modelParts({ name }) });
  const failing = world.emu.addModel(ws, { name: FAILING, parts: modelParts({ name: FAILING }) });
  world.emu.fault({ path: `/semanticModels/${failing}/getDefinition`, kind: 'lroFailed' });
});
afterAll(async () => {
  await world?.close();
});

// eslint-disable-next-line no-control-regex -- the escape sequences are what is looked for
const SGR = /\u001b\[[0-9;]*m/g;

/** What a CI agent or a terminal would act on in one line of output, except our own annotations. */
function problemsOf(line: string): string[] {
  const p: string[] = [];
  const vso = line.split('##vso[').length - 1;
  const ours = /^##vso\[task\.logissue type=(error|warning)\]/.test(line);
  if (vso > (ours ? 1 : 0)) p.push('Azure DevOps ##vso[ command');
  if (/^\s*::/.test(line) && !/^::(error|warning)::/.test(line)) p.push('GitHub ::command');
  if (line.includes('##[')) p.push('GitHub legacy ##[command');
  const noColour = line.replace(SGR, '');
  // eslint-disable-next-line no-control-regex -- control characters are what is looked for
  if (/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(noColour)) p.push(`control character ${JSON.stringify(noColour.match(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/)?.[0])}`);
  return p;
}

describe('log and terminal injection through model names', () => {
  it('no output line becomes a CI command or a terminal escape; --json carries the names exactly', async () => {
    const ci = { GITHUB_ACTIONS: 'true', TF_BUILD: 'True' };
    const runs: Array<{ label: string; args: string[]; env: Record<string, string> }> = [
      { label: 'convert', args: ['convert', '--auto'], env: ci },
      { label: 'convert colour', args: ['convert', '--auto', '--verbose'], env: { ...ci, FORCE_COLOR: '1' } },
      { label: 'convert --json', args: ['convert', '--auto', '--json'], env: ci },
      { label: 'monitor', args: ['monitor', '--once', '--verbose'], env: ci },
      { label: 'monitor --json', args: ['monitor', '--once', '--json'], env: ci },
    ];
    const found: string[] = [];
    let lines = 0;
    let annotations = 0;
    for (const run of runs) {
      const cwd = workdir('inject', FAST_CONFIG);
      // The --verbose runs are spawned: every line the process prints, libraries' writes included.
      const cli = run.args.includes('--verbose') ? runSpawnedCli : runCli;
      const r = await cli(run.args, { cwd, env: cliEnv(world, [ws], run.env), timeoutMs: 60_000 });
      expect(r.code, `${run.label}\n${r.stderr.slice(0, 2000)}`).toBe(1); // the failing model
      for (const [stream, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
        // Both agents split on LF and on a bare CR.
        for (const line of text.split(/\r\n|\n|\r/)) {
          lines++;
          if (/^(::(error|warning)::|##vso\[task\.logissue)/.test(line)) annotations++;
          for (const p of problemsOf(line)) found.push(`${run.label} ${stream}: ${p} in ${JSON.stringify(line.slice(0, 160))}`);
        }
      }
      if (run.args.includes('--json')) {
        const names = run.label.startsWith('convert')
          ? (JSON.parse(r.stdout).models as Array<{ name: string }>).map((m) => m.name)
          : r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'model-new').map((e) => e.name as string);
        expect(names.sort()).toEqual([...HOSTILE, FAILING, 'Plain Model'].sort());
      } else if (!(r.stdout + r.stderr).includes('Evil\\n#\\x23vso[task.setvariable variable=FS_PWNED]yes')) {
        // The names are still shown, escaped: the text of the would-be command is visible, not run.
        found.push(`${run.label}: the hostile name is not shown in its escaped form`);
      }
    }
    console.log(`log injection: ${runs.length} runs, ${lines} lines read as Azure DevOps / GitHub Actions / a terminal would, ${annotations} annotations of our own, injected commands or escapes ${found.length}`);
    expect(annotations).toBeGreaterThan(0);
    expect(found).toEqual([]);
  }, 120_000);
});
