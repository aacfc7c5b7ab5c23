// The warehouse connections of a run (docs/architecture.md#warehouse): opened lazily (a quiet monitor
// cycle logs in to nothing and sends zero statements), and each model's transaction holds one
// connection from start to COMMIT — a Snowflake transaction belongs to its session, so two models
// never interleave on one connection. Snowflake gets up to `maxConnections` sessions (one per
// concurrent model); the embedded DuckDB file gets one, since it is local and its writers would only
// conflict. Every publisher that writes to the warehouse target shares this pool.
import { AuthError, WarehouseError } from '../errors.js';
import { isRetired, type WarehouseBackend } from './backend.js';
import type { Dialect } from './dialect.js';
import type { Namespace } from './names.js';

export interface WarehousePoolOptions {
  dialect: Dialect;
  /** Database and schema of the metadata tables (Snowflake); every statement names them in full. */
  namespace?: Namespace;
  open: () => Promise<WarehouseBackend>;
  maxConnections: number;
}

export class WarehousePool {
  readonly dialect: Dialect;
  readonly namespace: Namespace | undefined;
  private readonly options: WarehousePoolOptions;
  private readonly idle: WarehouseBackend[] = [];
  private readonly all: Promise<WarehouseBackend>[] = [];
  private readonly waiters: Array<{ resolve: (b: WarehouseBackend) => void; reject: (e: unknown) => void }> = [];
  /** The first login while none has succeeded yet (later openers wait for it). */
  private firstLogin: Promise<WarehouseBackend> | null = null;
  private loggedIn = false;
  /** A refused login: every later model of the run fails with it instead of logging in again. */
  private loginFailure: AuthError | null = null;

  constructor(options: WarehousePoolOptions) {
    this.options = options;
    this.dialect = options.dialect;
    this.namespace = options.namespace;
  }

  /** Runs `fn` with a connection of its own; opens one when none is idle and the pool has room. */
  async withConnection<T>(fn: (backend: WarehouseBackend) => Promise<T>): Promise<T> {
    const backend = await this.acquire();
    let result: T;
    try {
      result = await fn(backend);
    } catch (e) {
      // A connection the engine declared unusable (DuckDB after a FATAL error, e.g. a checkpoint on
      // a full disk) or one whose ROLLBACK failed is dropped, not handed to the next model; that one
      // opens a new connection.
      if ((e instanceof WarehouseError && e.code === 'DUCKDB_FATAL') || isRetired(backend)) await this.discard(backend);
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
    this.wakeWaiter();
  }

  /**
   * Hands the room of a dropped connection, or of an open that failed, to the next waiting model: it
   * opens a connection of its own. Should that fail too, the one after it is woken in turn, so that no
   * model waits for a connection nobody will release.
   */
  private wakeWaiter(): void {
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
          this.wakeWaiter();
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
