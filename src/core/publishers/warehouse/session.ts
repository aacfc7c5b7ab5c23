// The warehouse publisher's writer: one model's rows in one transaction, on a connection of the
// run's pool (src/core/warehouse/pool.ts). Before the first model of a run the tables' schema
// version is checked, and the tables installed or upgraded (schema.ts), once per run.
import { randomUUID } from 'node:crypto';
import { WarehouseError } from '../../errors.js';
import type { ConversionReport } from '../report.js';
import type { SemanticModel } from '../../schema/model.js';
import type { WarehouseBackend } from '../../warehouse/backend.js';
import { applyPlan } from './apply.js';
import type { Dialect } from '../../warehouse/dialect.js';
import { resolveIdentifier } from '../../warehouse/names.js';
import { WarehousePool, type WarehousePoolOptions } from '../../warehouse/pool.js';
import type { PhysicalTarget } from './physical-names.js';
import type { Statement } from '../../warehouse/statement.js';
import { planMarkDeleted, planModelSync, type SyncContext, type WarehousePlan } from './plan.js';
import { ensureSchema, type SchemaCheck } from './schema.js';
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

export interface WarehouseSessionOptions extends WarehousePoolOptions {
  /** Optional: plan and apply the physical tables of --create-tables on a connection. */
  physicalTables?: PhysicalStep;
}

export class WarehouseSession {
  readonly dialect: Dialect;
  readonly pool: WarehousePool;
  private readonly physicalTables: PhysicalStep | undefined;
  /** Statements sent by this session (for summaries and benchmarks). */
  statementsSent = 0;
  /** The schema check of this run (once, on the first connection that writes). */
  private schema: Promise<SchemaCheck> | null = null;
  /** Waits behind other writers' locks observed by this session (000625 retries included). */
  lockRetries = 0;

  /** Over the run's pool (`pool`: the connections every warehouse publisher shares), or a pool of its own. */
  constructor(options: WarehouseSessionOptions | { pool: WarehousePool; physicalTables?: PhysicalStep }) {
    this.pool = 'pool' in options ? options.pool : new WarehousePool(options);
    this.dialect = this.pool.dialect;
    this.physicalTables = options.physicalTables;
  }

  /** Writes one model atomically; returns statement and row counts. */
  async syncModel(model: SemanticModel, report: ConversionReport | null, context: SyncContext, options: ModelWriteOptions): Promise<ModelWriteResult> {
    const ns = this.pool.namespace;
    const physical: PhysicalTarget | null = options.createTables
      ? { ...(ns ? { database: ns.database } : {}), schema: resolveIdentifier(options.tablesSchema) }
      : null;
    const plan = withWriteLock(planModelSync(model, report, { ...context, batchId: context.batchId ?? randomUUID(), physicalSchema: physical }, this.dialect, ns), context.modelId);
    if (options.dryRun) return { statements: 0, rowsChanged: 0, sql: describe(plan) };
    return this.pool.withConnection(async (backend) => {
      const notes: string[] = [];
      let statements = await this.ensureSchemaOnce(backend, context, notes);
      const applied = await this.applyConflictRetried(backend, plan);
      statements += applied.executed;
      notes.push(...(plan.warnings ?? []));
      if (physical && this.physicalTables) {
        const step = await this.physicalTables(backend, model, context.modelId, physical);
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
    const plan = planMarkDeleted(modelId, at, this.dialect, this.pool.namespace);
    await this.pool.withConnection(async (backend) => {
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
      ...(this.pool.namespace ? { namespace: this.pool.namespace } : {}),
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

  withConnection<T>(fn: (backend: WarehouseBackend) => Promise<T>): Promise<T> {
    return this.pool.withConnection(fn);
  }

  close(): Promise<void> {
    return this.pool.close();
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
