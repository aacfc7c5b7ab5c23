// kill -9 of a running `monitor` at seeded random moments (issue 6 "Must show"). After every kill
// the state file is valid (atomic writes); the killed run's lock is taken over; and one clean run
// afterwards leaves every model synced exactly once in the warehouse and exactly one push twin each.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStateText } from '../../src/core/state/schema.js';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { runCli } from '../support/run-cli.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';
import { prng } from '../support/stand-in-env.js';
import { STANDIN_PASSWORD, STANDIN_USER, TOKEN, bimParts, monitorEnv, spawnMonitor, withMeasure } from './monitor-harness.js';

/** Seed of the kill delays; printed with the kill points so a failure can be replayed. */
const SEED = Number(process.env.FABRIC_SYNC_KILL_SEED ?? 20261126);
/**
 * Three kills in `npm test` (with this seed: at a cycle's end, with models in flight, at start-up);
 * benchmark 7 runs 30 and `node build/bench/crash-monitor.js --kills 40` the long version by hand.
 */
const KILLS = Number(process.env.FABRIC_SYNC_MONITOR_KILLS ?? 3);
type Trigger = { kind: 'startup' | 'detected' | 'cycle-end' | 'cycle-2' } | { kind: 'synced'; n: number };
const TRIGGERS: Trigger[] = [
  { kind: 'startup' },
  { kind: 'detected' },
  { kind: 'synced', n: 1 },
  { kind: 'synced', n: 2 },
  { kind: 'synced', n: 3 },
  { kind: 'cycle-end' },
  { kind: 'cycle-2' },
];

let emu: FabricEmulator;
let standIn: SnowflakeStandIn;

beforeAll(async () => {
  // A little latency on both sides spreads one cycle over a second or so, so kills land inside it.
  emu = await startFabricEmulator({ acceptTokens: [TOKEN], lroPolls: 1, lroRetryAfter: 0, latencyMs: 15 });
  // A kill can still land in a transaction whose BEGIN was on its way when the check above looked;
  // Snowflake aborts such a transaction once it blocks another while idle (after 5 minutes; 2 s here),
  // and the next round then goes on.
  standIn = await startSnowflakeStandIn({ users: { [STANDIN_USER]: STANDIN_PASSWORD }, delayMs: 3, idleBlockerAbortMs: 2_000 });
});
afterAll(async () => {
  expect(emu.violations).toEqual([]);
  await emu.close();
  await standIn.close();
});

/** Sessions of the stand-in between BEGIN and COMMIT/ROLLBACK, in the statements from index `from` on. */
function openTransactions(standIn: SnowflakeStandIn, from = 0): string[] {
  const open = new Map<string, boolean>();
  for (const st of standIn.statements.slice(from)) {
    if (/^\s*BEGIN\b/i.test(st.sqlText)) open.set(st.sessionId, true);
    else if (/^\s*(COMMIT|ROLLBACK)\b/i.test(st.sqlText) || /^\s*CREATE\b/i.test(st.sqlText)) open.set(st.sessionId, false);
  }
  return [...open].filter(([, v]) => v).map(([k]) => k);
}

/**
 * Waits (polling every few ms) until no transaction of this round's monitor (statements from `from`
 * on) is open; returns the ms waited.
 */
async function outsideTransactions(standIn: SnowflakeStandIn, from: number): Promise<number> {
  const t0 = Date.now();
  while (openTransactions(standIn, from).length > 0) {
    if (Date.now() - t0 > 10_000) throw new Error('a warehouse transaction stayed open for 10 s');
    await new Promise((r) => setTimeout(r, 1));
  }
  return Date.now() - t0;
}


describe('monitor: kill -9 at random moments', () => {
  it(`leaves a valid state after each of ${KILLS} kills, and one clean run converges`, async () => {
    const random = prng(SEED);
    const ws = emu.addWorkspace({ name: 'Crash' });
    const models = new Map<string, string>(); // id → name
    const add = (name: string) => models.set(emu.addModel(ws, { name, parts: bimParts({ name }) }), name);
    for (let i = 1; i <= 10; i++) add(`Crash ${String(i).padStart(2, '0')}`);
    const cwd = mkdtempSync(path.join(tmpdir(), 'fs-monitor-crash-'));
    const env = monitorEnv(emu, [ws], standIn, { FABRIC_SYNC_CONCURRENCY: '2' });
    const statePath = path.join(cwd, 'sync_state.json');
    const points: string[] = [];
    const failures: string[] = [];

    // The warehouse already has its tables (as after a first day in production): the kills are
    // about our state and our writes, not about two sessions creating tables at the same moment.
    const warmWs = emu.addWorkspace({ name: 'Crash warm-up' });
    emu.addModel(warmWs, { name: 'Warm-up', parts: bimParts({ name: 'Warm-up' }) });
    const warm = await runCli(['monitor', '--once'], { cwd: mkdtempSync(path.join(tmpdir(), 'fs-monitor-warm-')), env: monitorEnv(emu, [warmWs], standIn) });
    expect(warm.code, warm.stderr).toBe(0);

    for (let k = 1; k <= KILLS; k++) {
      // Give every run work: change three models' measures, and now and then add a model.
      const ids = [...models.keys()];
      for (let j = 0; j < 3; j++) {
        const target = ids[Math.floor(random() * ids.length)]!;
        emu.updateModelPart(target, 'model.bim', (t) => withMeasure(t, `SUM('Sales'[Amount]) * ${k + 1}.${j}`));
      }
      if (random() < 0.3) add(`Crash late ${k}`);
      // The kill point: a seeded trigger plus a random few ms, so kills spread over start-up,
      // listing, models in flight (before and after their push and warehouse writes), the state
      // saves, the sleep between cycles and the next cycle.
      const trigger = TRIGGERS[Math.floor(random() * TRIGGERS.length)]!;
      const jitter = Math.round(random() * (trigger.kind === 'startup' ? 900 : 150));

      const from = standIn.statements.length;
      const m = spawnMonitor(['monitor', '--interval', '1', '--max-cycles', '3', '--json'], { cwd, env });
      const t0 = Date.now();
      if (trigger.kind !== 'startup') {
        // Falls back to the first cycle-end when the run has fewer models to sync than the trigger.
        let synced = 0;
        await m.waitFor((e) => {
          if (e.type === 'model-synced') synced += 1;
          if (trigger.kind === 'synced') return synced >= trigger.n || e.type === 'cycle-end';
          if (trigger.kind === 'cycle-2') return e.type === 'cycle-start' && e.cycle === 2;
          return e.type === trigger.kind;
        }, 20_000);
      }
      await new Promise((r) => setTimeout(r, jitter));
      // Never inside a warehouse transaction: a transaction left open by a killed session keeps its
      // locks (Snowflake aborts it only after 5 minutes idle while blocking). That case has its own test below.
      const waitedMs = await outsideTransactions(standIn, from);
      const last = m.events.at(-1);
      m.child.kill('SIGKILL');
      const r = await m.done;
      for (const e of m.events.filter((x) => x.type === 'model-failed')) failures.push(`run ${k}: ${String(e.name)}: ${String(e.error)}`);
      const seen = last ? `event ${m.events.length} (cycle ${last.cycle} ${last.type}${last.name ? ` ${String(last.name)}` : ''})` : 'start-up, no event yet';
      const point = `kill ${k} (${trigger.kind}${'n' in trigger ? ` ${trigger.n}` : ''}): ${Date.now() - t0} ms after spawn, ${jitter}${waitedMs ? `+${waitedMs}` : ''} ms after ${seen}`;
      points.push(r.signal === 'SIGKILL' ? point : `${point} (had already exited ${r.code})`);

      // The state file is absent (nothing saved yet) or valid — never half-written.
      if (existsSync(statePath)) {
        const parsed = parseStateText(readFileSync(statePath, 'utf8'));
        expect(parsed.ok, `${point}: ${parsed.ok ? '' : parsed.reason}`).toBe(true);
      }
    }
    console.log(`seed ${SEED}\n${points.join('\n')}`);
    expect(points.filter((p) => p.includes('had already exited'))).toEqual([]);
    expect(failures).toEqual([]);

    // The clean run: takes over the dead run's lock, finishes every model.
    const clean = await runCli(['monitor', '--once', '--json'], { cwd, env });
    expect(clean.code, clean.stderr + clean.stdout).toBe(0);
    const end = clean.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'cycle-end');
    expect(end.counts.failed).toBe(0);

    // Exactly one push twin per model, and nothing else.
    const twins = emu.pushDatasets(ws).map((d) => d.name).sort();
    expect(twins).toEqual([...models.values()].map((n) => `${n}_PushSync`).sort());

    // Exactly one warehouse row per model, carrying the model's current definition.
    const state = parseStateText(readFileSync(statePath, 'utf8'));
    if (!state.ok) throw new Error(state.reason);
    const rows = await standIn.query(`SELECT MODEL_ID, MODEL_NAME, FINGERPRINT, DELETED_AT, TABLE_COUNT FROM _SEMANTIC_METADATA WHERE WORKSPACE_ID = '${ws}' ORDER BY MODEL_ID`);
    expect(rows.map((x) => x.MODEL_ID)).toEqual([...models.keys()].sort());
    for (const row of rows) {
      const entry = state.state.synced_models[String(row.MODEL_ID)]!;
      expect(row).toMatchObject({ MODEL_NAME: `${models.get(String(row.MODEL_ID))}_PushSync`, FINGERPRINT: entry.fingerprint, DELETED_AT: null, TABLE_COUNT: 3 });
      expect(entry.failures).toBe(0);
    }
    const tables = await standIn.query('SELECT MODEL_ID, count(*) AS n FROM _SEMANTIC_TABLES GROUP BY MODEL_ID HAVING count(*) <> 3');
    expect(tables).toEqual([]);

    // And the state agrees with Fabric: the twin ids recorded are the ones that exist.
    const byName = new Map(emu.pushDatasets(ws).map((d) => [d.name, d.id]));
    for (const [id, name] of models) expect(state.state.synced_models[id]!.push_dataset_id).toBe(byName.get(`${name}_PushSync`));
  }, 85_000);

  // A kill -9 between the model's MERGE and its COMMIT leaves a detached transaction holding its
  // locks. Snowflake makes the next writer wait (it does not fail it) and aborts the blocker once
  // it has been idle for 5 minutes while blocking (https://docs.snowflake.com/en/sql-reference/transactions,
  // "Aborting transactions"); the stand-in does the same after 1 s here. The next run must wait
  // within its LOCK_TIMEOUT and then write the model.
  it('a kill inside the warehouse transaction: the next run waits for the lock, then writes the model', async () => {
    // Slow statements make the window between MERGE and COMMIT seconds wide, so the kill lands in it.
    const slow = await startSnowflakeStandIn({ users: { [STANDIN_USER]: STANDIN_PASSWORD }, delayMs: 120, idleBlockerAbortMs: 1000 });
    try {
      const ws = emu.addWorkspace({ name: 'Detached transaction' });
      const id = emu.addModel(ws, { name: 'Detached', parts: bimParts({ name: 'Detached' }) });
      const cwd = mkdtempSync(path.join(tmpdir(), 'fs-monitor-detached-'));
      const env = monitorEnv(emu, [ws], slow);
      // Synced once, then changed: the killed run updates an existing row (and locks it).
      const first = await runCli(['monitor', '--once'], { cwd, env });
      expect(first.code, first.stderr).toBe(0);
      emu.updateModelPart(id, 'model.bim', (t) => withMeasure(t, "SUM('Sales'[Amount]) * 2"));
      const from = slow.statements.length;
      const m = spawnMonitor(['monitor', '--once', '--json'], { cwd, env });
      const t0 = Date.now();
      while (!slow.statements.slice(from).some((st) => /^\s*MERGE INTO\s+("FABRIC_DB"\."METADATA"\.)?"?_SEMANTIC_METADATA/i.test(st.sqlText))) {
        if (Date.now() - t0 > 30_000) throw new Error('no MERGE seen');
        await new Promise((r) => setTimeout(r, 5));
      }
      m.child.kill('SIGKILL');
      await m.done;
      expect(openTransactions(slow)).toHaveLength(1);

      const next = await runCli(['monitor', '--once', '--json'], { cwd, env });
      expect(next.code, next.stderr).toBe(0);
      const rows = await slow.query(`SELECT SYNC_COUNT FROM _SEMANTIC_METADATA WHERE MODEL_ID = '${id}'`);
      expect(rows).toEqual([{ SYNC_COUNT: 2 }]);
      // It waited on the killed run's lock rather than failing, and the blocker was aborted.
      expect(slow.lockWaits.some((w) => w.outcome === 'granted' && w.waitedMs > 0)).toBe(true);
      expect(slow.abortedTransactions).toHaveLength(1);
    } finally {
      await slow.close();
    }
  }, 60_000);
});
