// Issue 13 items 18 and 19: what a refusal tells the user.
// - getDefinition refused (the principal is only a Viewer): there is no read-only route to a schema
//   (the DAX INFO functions need the same write permission, and executeQueries does not run them), so
//   no executeQueries request is sent, even with the old fabric.infoFallback setting on, and the
//   error says plainly that reading a definition needs write permission on the model.
// - Hints name the tenant setting by its 2025 name, "Service principals can call Fabric public APIs"
//   (and the old name for tenants not yet migrated), and the admin scanner hint adds that the app
//   must have no Power BI permissions that require admin consent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { TOKEN, cliEnv, modelParts, startWorld, workdir, type World } from './harness.js';

let world: World;
beforeAll(async () => {
  // Answers INFO.VIEW queries, so an executeQueries fallback, if one were attempted, would "work" here.
  world = await startWorld({ describeModel: () => ({ TABLES: [{ '[Name]': 'Sales' }], COLUMNS: [], MEASURES: [], RELATIONSHIPS: [] }), adminTokens: ['an-admin-token'] });
});
afterAll(async () => {
  await world?.close();
});

describe('permission refusals and their hints', () => {
  it('getDefinition denied: no executeQueries fallback, a plain "needs write permission" error, exit 3', async () => {
    const { emu } = world;
    const ws = emu.addWorkspace({ name: 'viewer-only', members: [], viewers: [TOKEN] });
    const id = emu.addModel(ws, { name: 'Budget', parts: modelParts({ name: 'Budget' }) });
    const from = emu.requestLog.length;
    const cwd = workdir('viewer', { fabric: { infoFallback: true } });
    const r = await runCli(['convert', '--auto', '--json'], { cwd, env: cliEnv(world, [ws]), timeoutMs: 60_000 });
    const sent = emu.requestLog.slice(from).map((q) => `${q.method} ${q.path}`);
    expect(sent.filter((q) => q.includes('executeQueries'))).toEqual([]);
    expect(r.code, r.stderr).toBe(3);
    const m = JSON.parse(r.stdout).models.find((x: { id: string }) => x.id === id);
    expect(m.error.message).toMatch(/needs write permission on the semantic model \(the Contributor role or higher/);
    expect(m.error.message).not.toMatch(/INFO\.VIEW|fallback/);
    const v = await runCli(['validate', '--json'], { cwd, env: cliEnv(world, [ws]), timeoutMs: 60_000 });
    const checks = JSON.parse(v.stdout).checks as Array<{ id: string; status: string; message: string }>;
    expect(checks.find((c) => c.id === `fabric.role:${ws}`)).toMatchObject({ status: 'fail', message: expect.stringMatching(/needs write permission on the model/) });
    expect(checks.find((c) => c.id === 'fabric.infoFallback')).toMatchObject({ status: 'warn', message: expect.stringMatching(/no effect/) });
    expect(checks.some((c) => c.id === 'fabric.executeQueries')).toBe(false);
    console.log(`getDefinition denied: exit ${r.code}, executeQueries requests 0; validate exit ${v.code}`);
  }, 60_000);

  it('a refused token names "Service principals can call Fabric public APIs"; the scanner hint names admin consent', async () => {
    const { emu } = world;
    const ws = emu.addWorkspace({ name: 'hints' });
    emu.addModel(ws, { name: 'Hinted', parts: modelParts({ name: 'Hinted' }) });
    const refused = await runCli(['convert', '--auto'], { cwd: workdir('hint-401'), env: cliEnv(world, [ws], { FABRIC_ACCESS_TOKEN: 'not-a-valid-token' }), timeoutMs: 60_000 });
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(/tenant setting "Service principals can call Fabric public APIs" \(Developer settings; called "Service principals can use Fabric APIs" in tenants not yet migrated\)/);
    const scanner = await runCli(['validate', '--json'], { cwd: workdir('hint-scanner', { monitor: { detection: 'scanner' } }), env: cliEnv(world, [ws]), timeoutMs: 60_000 });
    const check = JSON.parse(scanner.stdout).checks.find((c: { id: string }) => c.id === 'fabric.scanner');
    expect(check).toMatchObject({ status: 'fail', failure: 'permission' });
    expect(check.hint).toMatch(/"Service principals can access read-only admin APIs"/);
    expect(check.hint).toMatch(/no Power BI API permissions that require admin consent/);
    console.log(`hints: refused token exit ${refused.code} names the 2025 setting; scanner refusal names admin consent (validate exit ${scanner.code})`);
  }, 60_000);
});
