// The warehouse side of a run: connections are opened lazily (a quiet monitor cycle logs in to
// nothing and sends zero statements), and each model's transaction holds one connection from start
// to COMMIT — a Snowflake transaction belongs to its session, so two models never interleave on one
// connection. Snowflake gets up to `maxConnections` sessions (one per concurrent model); the
// embedded DuckDB file gets one, since it is local and its writers would only conflict. Before the
// first model of a run the tables' schema version is checked, and the tables installed or upgraded
// (warehouse/schema.ts), once per run.
import { AuthError, WarehouseError } from '../errors.js';
import type { ConversionReport } from '../push/report.js';
import type { SemanticModel } from '../schema/model.js';
import { applyPlan, type WarehouseBackend } from '../warehouse/backend.js';
import type { Dialect } from '../warehouse/dialect.js';
import { type Namespace, resolveIdentifier } from '../warehouse/names.js';
import type { PhysicalTarget } from '../warehouse/physical-names.js';
import { planMarkDeleted, planModelSync, type Statement, type SyncContext, type WarehousePlan } from '../warehouse/plan.js';
import { ensureSchema, type SchemaCheck } from '../warehouse/schema.js';
import type { PhysicalStep } from './physical-tables.js';
import { withWriteLock } from './write-lock.js';

export interface ModelWriteOptions {
  dryRun: boolean;
  createTables: boolean;
  tablesSchema: string;
}

export interface ModelWriteResult {
  statements: number;
  rowsChanged: number;
  /** With dryRun: the SQL that would run. */
  sql?: string[];
  /** Physical-table notes (type conflicts that were not applied). */
  notes?: string[];
}

export interface WarehouseSessionOptions {
  dialect: Dialect;
  /** Database and schema of the metadata tables (Snowflake); every statement names them in full. */
  namespace?: Namespace;
  open: () => Promise<WarehouseBackend>;
  maxConnections: number;
  /** Optional: plan and apply the physical tables of --create-tables on a connection. */
  physicalTables?: PhysicalStep;
}

export class WarehouseSession {
  readonly dialect: Dialect;
  private readonly options: WarehouseSessionOptions;
  private readonly idle: WarehouseBackend[] = [];
  private readonly all: Promise<WarehouseBackend>[] = [];
  private readonly waiters: Array<{ resolve: (b: WarehouseBackend) => void; reject: (e: unknown) => void }> = [];
  /** Statements sent by this session (for summaries and benchmarks). */
  statementsSent = 0;
  /** The first login while none has succeeded yet (later openers wait for it). */
  private firstLogin: Promise<WarehouseBackend> | null = null;
  private loggedIn = false;
  /** A refused login: every later model of the run fails with it instead of logging in again. */
  private loginFailure: AuthError | null = null;
  /** The schema check of this run (once, on the first connection that writes). */
  private schema: Promise<SchemaCheck> | null = null;
  /** Waits behind other writers' locks observed by this session (000625 retries included). */
  lockRetries = 0;

  constructor(options: WarehouseSessionOptions) {
    this.options = options;
    this.dialect = options.dialect;
  }

  /** Writes one model atomically; returns statement and row counts. */
  async syncModel(model: SemanticModel, report: ConversionReport | null, context: SyncContext, options: ModelWriteOptions): Promise<ModelWriteResult> {
    const ns = this.options.namespace;
    const physical: PhysicalTarget | null = options.createTables
      ? { ...(ns ? { database: ns.database } : {}), schema: resolveIdentifier(options.tablesSchema) }
      : null;
    const plan = withWriteLock(planModelSync(model, report, { ...context, physicalSchema: physical }, this.dialect, ns), context.modelId);
    if (options.dryRun) return { statements: 0, rowsChanged: 0, sql: describe(plan) };
    return this.withConnection(async (backend) => {
      const notes: string[] = [];
      let statements = await this.ensureSchemaOnce(backend, context, notes);
      const applied = await this.applyConflictRetried(backend, plan);
      statements += applied.executed;
      notes.push(...(plan.warnings ?? []));
      if (physical && this.options.physicalTables) {
        const step = await this.options.physicalTables(backend, model, context.modelId, physical);
        statements += step.statements;
        notes.push(...step.notes);
      }
      this.statementsSent += statements;
      const rowsChanged = applied.outcomes.filter((o) => /^(merge|delete vanished)/i.test(o.purpose)).reduce((n, o) => n + (o.rowsAffected ?? 0), 0);
      return { statements, rowsChanged, ...(notes.length ? { notes } : {}) };
    });
  }

  /** Sets DELETED_AT on a model's row (recorded, never erased). */
  async markDeleted(modelId: string, at: Date): Promise<void> {
    const plan = planMarkDeleted(modelId, at, this.dialect, this.options.namespace);
    await this.withConnection(async (backend) => {
      const applied = await applyPlan(backend, plan);
      this.statementsSent += applied.executed;
    });
  }

  /** Checks (and installs or upgrades) the tables once per run; the statements it sent, its notes into `notes`. */
  private async ensureSchemaOnce(backend: WarehouseBackend, context: SyncContext, notes: string[]): Promise<number> {
    if (this.schema) {
      await this.schema;
      return 0;
    }
    this.schema = ensureSchema(backend, {
      dialect: this.dialect,
      ...(this.options.namespace ? { namespace: this.options.namespace } : {}),
      toolVersion: context.toolVersion,
      at: context.syncedAt,
    });
    const check = await this.schema;
    notes.push(...check.notes);
    return check.statements;
  }

  /**
   * Applies a plan. A transaction aborted because more than 20 statements were queued on one lock
   * (Snowflake 000625) was rolled back whole, so it is run again after a short wait; a statement
   * that waited out LOCK_TIMEOUT is not retried (it has already waited as long as allowed).
   */
  private async applyConflictRetried(backend: WarehouseBackend, plan: WarehousePlan): ReturnType<typeof applyPlan> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await applyPlan(backend, plan);
      } catch (e) {
        if (!isQueueFull(e) || attempt >= CONFLICT_ATTEMPTS) throw e;
        this.lockRetries++;
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 80 * Math.min(attempt, 5)));
      }
    }
  }

  /** Runs `fn` with a connection of its own; opens one when none is idle and the pool has room. */
  async withConnection<T>(fn: (backend: WarehouseBackend) => Promise<T>): Promise<T> {
    const backend = await this.acquire();
    let result: T;
    try {
      result = await fn(backend);
    } catch (e) {
      // A connection the engine declared unusable (DuckDB after a FATAL error, e.g. a checkpoint on
      // a full disk) is dropped, not handed to the next model; that one opens the file anew.
      if (e instanceof WarehouseError && e.code === 'DUCKDB_FATAL') await this.discard(backend);
      else this.release(backend);
      throw e;
    }
    this.release(backend);
    return result;
  }

  private async discard(backend: WarehouseBackend): Promise<void> {
    const settled = await Promise.allSettled(this.all);
    const at = settled.findIndex((r) => r.status === 'fulfilled' && r.value === backend);
    if (at >= 0) this.all.splice(at, 1);
    await backend.close().catch(() => undefined);
    const waiter = this.waiters.shift();
    if (waiter) this.acquire().then(waiter.resolve, waiter.reject);
  }

  async close(): Promise<void> {
    const opened = await Promise.allSettled(this.all.splice(0));
    const idle = new Set(this.idle.splice(0));
    // A connection still in use (a model abandoned after the shutdown grace period) is closed when that
    // model lets go of it: closing an embedded database under a running statement can crash the process.
    for (const r of opened) if (r.status === 'fulfilled' && !idle.has(r.value)) this.closeOnRelease.add(r.value);
    await Promise.allSettled([...idle].map((b) => b.close()));
  }

  private readonly closeOnRelease = new Set<WarehouseBackend>();

  /**
   * Closes the connections between monitor cycles (none is in use then): a long-running monitor
   * keeps no warehouse session idle for hours — Snowflake would expire it — and a quiet cycle opens
   * none. The next model that needs the warehouse opens a fresh one.
   */
  async recycle(): Promise<void> {
    if (this.idle.length !== this.all.length) return; // a model is still writing
    await this.close();
  }

  private async acquire(): Promise<WarehouseBackend> {
    for (;;) {
      // Snowflake locks a user after a few failed logins in a row: a wrong password or key must
      // cost one attempt per run, not one per model (issue 9, faults).
      if (this.loginFailure) throw this.loginFailure;
      const idle = this.idle.pop();
      if (idle) return idle;
      // Until one login has succeeded, log in one at a time, for the same reason.
      if (this.firstLogin && !this.loggedIn) {
        await this.firstLogin.catch(() => undefined);
        continue;
      }
      if (this.all.length < Math.max(1, this.options.maxConnections)) {
        const opening = this.options.open();
        this.all.push(opening);
        if (!this.loggedIn) this.firstLogin = opening;
        try {
          const backend = await opening;
          this.loggedIn = true;
          return backend;
        } catch (e) {
          this.all.splice(this.all.indexOf(opening), 1);
          if (this.firstLogin === opening) this.firstLogin = null;
          if (e instanceof AuthError) this.loginFailure = e;
          throw e;
        }
      }
      return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
    }
  }

  private release(backend: WarehouseBackend): void {
    if (this.closeOnRelease.delete(backend)) {
      void backend.close().catch(() => undefined);
      return;
    }
    const next = this.waiters.shift();
    if (next) next.resolve(backend);
    else this.idle.push(backend);
  }
}

/** Attempts of one model transaction aborted by a full lock queue (000625) before giving up. */
const CONFLICT_ATTEMPTS = 25;

/** Snowflake 000625 for a lock's full waiter queue, not for a LOCK_TIMEOUT that ran out. */
function isQueueFull(e: unknown): boolean {
  return e instanceof WarehouseError && e.code === '000625' && !/LOCK_TIMEOUT|lock timeout/i.test(e.message);
}

/** The SQL a plan would run, one line per statement with its purpose (for --dry-run). */
function describe(plan: WarehousePlan): string[] {
  const line = (s: Statement) => {
    const rows = Array.isArray(s.binds?.[0]) ? ` -- ${s.binds!.length} rows` : '';
    return `${s.sql.replace(/\s+/g, ' ').trim()};${rows}  -- ${s.purpose}`;
  };
  return [...plan.ddl, ...plan.transaction].map(line);
}
