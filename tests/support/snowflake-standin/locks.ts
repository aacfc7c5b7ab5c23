// Snowflake's table locks, which DuckDB does not have (DuckDB fails a conflicting write at once,
// optimistically; Snowflake makes it wait). Modelled from https://docs.snowflake.com/en/sql-reference/transactions
// ("Resource locking", "Lock wait timeout", "Aborting transactions"):
// - UPDATE, DELETE and MERGE lock the standard table they write until their transaction ends
//   (at once in autocommit); another transaction's UPDATE/DELETE/MERGE on it waits. INSERT writes
//   new partitions and is not blocked here (the docs say it "often" runs in parallel).
// - A waiting statement gives up after the session's LOCK_TIMEOUT (https://docs.snowflake.com/en/sql-reference/parameters#lock-timeout,
//   default 43,200 s; 0 = do not wait) or its STATEMENT_TIMEOUT_IN_SECONDS.
// - A transaction that blocks another and has been idle (no statement running) for 5 minutes is
//   aborted and rolled back by Snowflake; here the idle time is an option, so tests can wait ms.
// - More than 20 statements waiting on one lock: the next fails with 000625 (the real message is
//   quoted in https://github.com/brooklyn-data/dbt_artifacts/issues/431).
// Snowflake documents no error code for a LOCK_TIMEOUT that ran out; the stand-in answers 000625
// with a message naming LOCK_TIMEOUT, and 000630 for the statement timeout.
import { SfError } from './errors.js';

export interface LockHolder {
  readonly id: string;
  /** A statement of this session is running now. */
  running: boolean;
  /** Date.now() when its last statement ended. */
  lastActivity: number;
  /** Called when Snowflake would abort the holder's idle transaction. */
  abortIdleTransaction(reason: string): Promise<void>;
}

export interface LockWait {
  sessionId: string;
  table: string;
  blockedBy: string;
  waitedMs: number;
  outcome: 'granted' | 'lock-timeout' | 'statement-timeout' | 'queue-full';
}

export interface LockOptions {
  /** Idle time after which a blocking transaction is aborted (Snowflake: 5 minutes). */
  idleBlockerAbortMs: number;
  /** Waiters allowed per lock before 000625 (Snowflake: 20). */
  maxWaiters: number;
}

interface Waiter {
  session: LockHolder;
  grant: () => void;
  cancel: (err: SfError) => void;
}

interface TableLock {
  holder: LockHolder;
  queue: Waiter[];
}

export class LockManager {
  private readonly locks = new Map<string, TableLock>();
  /** Every wait, for assertions ("the waits observed"). */
  readonly waits: LockWait[] = [];
  /** Transactions aborted for blocking others while idle. */
  readonly aborted: { sessionId: string; table: string; idleMs: number }[] = [];

  private closed = false;

  constructor(private readonly options: LockOptions) {}

  /** The stand-in is closing: every waiting statement fails now, so none runs on a closed connection later. */
  close(): void {
    this.closed = true;
    for (const lock of this.locks.values()) {
      for (const w of lock.queue.splice(0)) w.cancel(new SfError('390104', '08001', 'The stand-in is shutting down.'));
    }
    this.locks.clear();
  }

  /** Tables a session holds. */
  heldBy(session: LockHolder): string[] {
    return [...this.locks].filter(([, l]) => l.holder === session).map(([t]) => t);
  }

  /** Takes `table` for `session`, waiting behind another holder as Snowflake does. */
  async acquire(session: LockHolder, table: string, limits: { lockTimeoutS: number; statementTimeoutS: number }): Promise<void> {
    if (this.closed) throw new SfError('390104', '08001', 'The stand-in is shutting down.');
    const lock = this.locks.get(table);
    if (!lock) {
      this.locks.set(table, { holder: session, queue: [] });
      return;
    }
    if (lock.holder === session) return;
    const t0 = Date.now();
    const record = (outcome: LockWait['outcome']): void => {
      this.waits.push({ sessionId: session.id, table, blockedBy: lock.holder.id, waitedMs: Date.now() - t0, outcome });
    };
    if (lock.queue.length >= this.options.maxWaiters) {
      record('queue-full');
      throw new SfError('000625', '57014', `Statement has locked table '${table}' in transaction of session ${lock.holder.id} and this lock has not yet been released.\n`
        + `Your statement was aborted because the number of waiters for this lock exceeds the ${this.options.maxWaiters} statements limit.`);
    }
    const lockMs = limits.lockTimeoutS * 1000;
    const lockTimeout = (holder: string): SfError => new SfError('000625', '57014', `Statement has locked table '${table}' in transaction of session ${holder} and this lock has not yet been released.\n`
      + `Your statement was aborted because it waited longer than LOCK_TIMEOUT (${limits.lockTimeoutS} s) for this lock.`);
    if (lockMs === 0) {
      record('lock-timeout');
      throw lockTimeout(lock.holder.id);
    }
    const statementMs = limits.statementTimeoutS > 0 ? limits.statementTimeoutS * 1000 : Infinity;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const waiter: Waiter = {
        session,
        grant: () => finish(() => { record('granted'); resolve(); }),
        cancel: (err) => finish(() => reject(err)),
      };
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearInterval(poll);
        fn();
      };
      const fail = (outcome: LockWait['outcome'], err: SfError): void => finish(() => {
        const current = this.locks.get(table);
        if (current) current.queue.splice(current.queue.indexOf(waiter), 1);
        record(outcome);
        reject(err);
      });
      lock.queue.push(waiter);
      const tick = Math.max(2, Math.min(50, Math.floor(this.options.idleBlockerAbortMs / 4)));
      const poll = setInterval(() => {
        const waited = Date.now() - t0;
        const current = this.locks.get(table);
        if (waited >= lockMs) {
          fail('lock-timeout', lockTimeout(current?.holder.id ?? '?'));
          return;
        }
        if (waited >= statementMs) {
          fail('statement-timeout', new SfError('000630', '57014', `Statement reached its statement or warehouse timeout of ${limits.statementTimeoutS} second(s) and was canceled.`));
          return;
        }
        const holder = current?.holder;
        if (holder && holder !== session && !holder.running && Date.now() - holder.lastActivity >= this.options.idleBlockerAbortMs) {
          this.aborted.push({ sessionId: holder.id, table, idleMs: Date.now() - holder.lastActivity });
          void holder.abortIdleTransaction(`idle for ${Date.now() - holder.lastActivity} ms while blocking another transaction on ${table}`);
        }
      }, tick);
      poll.unref?.();
    });
  }

  /** Releases every lock of a session (COMMIT, ROLLBACK, DDL's implicit commit, end of an autocommit statement). */
  releaseAll(session: LockHolder): void {
    if (this.closed) return;
    for (const [table, lock] of [...this.locks]) {
      if (lock.holder !== session) continue;
      const next = lock.queue.shift();
      if (next) {
        lock.holder = next.session;
        next.grant();
      } else {
        this.locks.delete(table);
      }
    }
  }
}
