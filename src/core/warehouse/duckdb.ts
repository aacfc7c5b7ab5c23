// The embedded warehouse (docs/architecture.md#configuration: the default target when no Snowflake settings exist): the
// same tables in a DuckDB file, through @duckdb/node-api. Values come back as the Snowflake driver
// returns them (numbers, Dates, parsed JSON), so both targets read alike. The engine is imported
// lazily so that `--help` and `validate` never load it (docs/architecture.md#conventions-in-the-code).
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance, DuckDBResultReader, DuckDBValue } from '@duckdb/node-api';
import { WarehouseError } from '../errors.js';
import type { ExecuteResult, WarehouseBackend } from './backend.js';
import { quoteIdent } from './dialect.js';
import type { Bind } from './statement.js';

export const DEFAULT_DUCKDB_PATH = '.fabric-sync/metadata.duckdb';

/** WarehouseError code of a DuckDB error after which the database must be reopened. */
export const FATAL_CODE = 'DUCKDB_FATAL';

export interface DuckDbOptions {
  /** File path (created with its directory), or `:memory:`. Default `.fabric-sync/metadata.duckdb`. */
  path?: string;
  /** Schema for the metadata tables (created if missing); default `main`. */
  schema?: string;
  /** Open the file read-only (`fabric-sync query`, `diff`): the file must exist and nothing can change it. */
  readOnly?: boolean;
}

export async function openDuckDb(options: DuckDbOptions = {}): Promise<WarehouseBackend> {
  const file = options.path ?? DEFAULT_DUCKDB_PATH;
  if (file !== ':memory:' && !options.readOnly) await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const create = () => DuckDBInstance.create(file, options.readOnly ? { access_mode: 'READ_ONLY' } : undefined);
  let instance: DuckDBInstance;
  try {
    try {
      instance = await create();
    } catch (e) {
      // A file created on a full disk is left without its headers (0, 4 or 8 KiB), and DuckDB then
      // refuses it on every later open, space or not. Such a file holds no data: remove it and
      // create the database anew (once space is back), instead of failing every run until someone
      // deletes it by hand. Only when DuckDB says the file is not a database — never on a lock held
      // by another process, which may be creating that very file — and never a file not DuckDB's.
      if (options.readOnly || file === ':memory:' || !NOT_A_DATABASE.test(String((e as Error).message))) throw e;
      if (!(await removeIfHeaderless(file))) throw e;
      instance = await create();
    }
  } catch (e) {
    throw new WarehouseError(`Could not open the DuckDB file ${file}: ${(e as Error).message}`, {}, {
      cause: e,
      hint: 'Check that the path is writable and that no other process (another fabric-sync, the duckdb CLI) holds the file open.',
    });
  }
  const conn = await instance.connect();
  const backend = new DuckDbBackend(instance, conn);
  if (options.schema && options.schema !== 'main') {
    await backend.execute(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
    await backend.execute(`USE ${quoteIdent(options.schema)}`);
  }
  return backend;
}

class DuckDbBackend implements WarehouseBackend {
  readonly dialect = 'duckdb' as const;
  constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  async execute(sql: string, binds?: Bind[] | Bind[][]): Promise<ExecuteResult> {
    try {
      if (binds && binds.length > 0 && Array.isArray(binds[0])) {
        // An array bind: one prepared statement run per row, like the Snowflake server does.
        const prepared = await this.conn.prepare(sql);
        let affected = 0;
        try {
          for (const row of binds as Bind[][]) {
            prepared.bind(row as DuckDBValue[]);
            affected += (await prepared.run()).rowsChanged;
          }
        } finally {
          prepared.destroySync();
        }
        return { rows: [], rowsAffected: affected };
      }
      const reader = await this.conn.runAndReadAll(sql, binds && binds.length ? (binds as DuckDBValue[]) : undefined);
      return { rows: readRows(reader), rowsAffected: isDml(sql) ? reader.rowsChanged : undefined };
    } catch (e) {
      const message = (e as Error).message.split('\n')[0] ?? 'DuckDB statement failed';
      // A COMMIT that failed (its WAL could not be written: a full disk) has already rolled the
      // transaction back. The ROLLBACK sent after it finds none and must not fail: a failed ROLLBACK
      // retires the connection (warehouse/backend.ts), and reopening the file costs the next model.
      if (/^\s*ROLLBACK\s*;?\s*$/i.test(sql) && /no transaction is active/i.test(message)) return { rows: [] };
      // After a FATAL error (a checkpoint that hit a full disk) DuckDB invalidates the database: this
      // connection must not be used again; the session drops it and the next model opens the file anew.
      const fatal = /^FATAL|database has been invalidated/i.test(message);
      const full = /No space left on device|disk quota/i.test(message);
      throw new WarehouseError(message, fatal ? { code: FATAL_CODE } : {}, {
        cause: e,
        ...(full ? { hint: 'The disk that holds the DuckDB file is full: free space (df -h), then run again; the model was rolled back and its previous rows are unchanged.' } : {}),
      });
    }
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** DuckDB's words for a file too short to hold its headers (an empty file, a header alone, a short read). */
const NOT_A_DATABASE = /not a valid DuckDB database file|Corrupt database file|Could not read enough bytes|read \d+ bytes/i;

/** The size of DuckDB's file headers (one main and two database headers of 4 KiB); data starts after them. */
const HEADERS_SIZE = 3 * 4096;
/** DuckDB's magic bytes, at offset 8 of the main header. */
const MAGIC = Buffer.from('DUCK');

/**
 * Removes `file` when it is what a full disk leaves of a new DuckDB file: empty, or DuckDB's first
 * header without the rest (it can hold no data). Any other file, a stranger's above all, is left
 * alone. True when it removed the file.
 */
async function removeIfHeaderless(file: string): Promise<boolean> {
  const size = await stat(file).then((s) => (s.isFile() ? s.size : undefined), () => undefined);
  if (size === undefined || size >= HEADERS_SIZE) return false;
  if (size > 0) {
    const head = await readFile(file).catch(() => Buffer.alloc(0));
    if (!head.subarray(8, 8 + MAGIC.length).equals(MAGIC)) return false;
  }
  await rm(file, { force: true });
  return true;
}

function isDml(sql: string): boolean {
  return /^\s*(INSERT|UPDATE|DELETE|MERGE)\b/i.test(sql);
}

function readRows(reader: DuckDBResultReader): Record<string, unknown>[] {
  const names = reader.columnNames();
  const json = reader.columnTypes().map((t) => t.alias === 'JSON');
  return reader.getRowObjectsJS().map((row) => {
    const out: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const v = row[name];
      out[name] = typeof v === 'bigint' ? Number(v) : json[i] && typeof v === 'string' ? JSON.parse(v) : v;
    });
    return out;
  });
}
