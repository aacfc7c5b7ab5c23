// Snowflake stand-in: the HTTP protocol snowflake-sdk speaks (docs/snowflake.md#wire-protocol), executing
// on DuckDB, strict where Snowflake is strict, recording every query-request for assertions, with
// fault and latency injection (docs/architecture.md#stand-ins, issue 5 item 4).
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { authenticate, type LoginData } from './auth.js';
import { SfError, fromDuckDb, sfErrors } from './errors.js';
import { quoteIdent, quoteString, splitStatements, tokenize, type Token } from './lexer.js';
import { LockManager, type LockWait } from './locks.js';
import { column } from './rowset.js';
import { SemanticViewCatalog } from './semantic-view-catalog.js';
import { Session, type Bind, type Outcome, type PrivilegeKind } from './session.js';
import { snowflakeSyntaxProblem } from './sql-check.js';
import { STATEMENT_TYPE_ID, classify } from './translate.js';

export interface StandInOptions {
  /** user → password (default { FABRIC_SYNC: 'secret' }); user names match case-insensitively. */
  users?: Record<string, string>;
  /** user → PEM public key for key-pair (SNOWFLAKE_JWT) login. */
  publicKeys?: Record<string, string>;
  /** Default 'standin'; the JWT claims must name it. */
  account?: string;
  /** Default FABRIC_DB / METADATA, created at start (plus PUBLIC). */
  database?: string; schema?: string;
  /** Added to every query-request (latency injection). */
  delayMs?: number;
  /** DuckDB file attached as the database; default in-memory. */
  dbPath?: string;
  /**
   * How long a transaction that blocks another may stay idle before it is aborted (Snowflake: 5
   * minutes, the default here too); tests set a few hundred ms.
   */
  idleBlockerAbortMs?: number;
  /** Statements that may wait on one lock before 000625 (Snowflake: 20). */
  maxLockWaiters?: number;
  /** Parse every statement with the Snowflake-dialect parser and refuse what it rejects (default true). */
  sqlCheck?: boolean;
}
export interface RecordedStatement {
  sessionId: string; sqlText: string; binds: unknown; rows: number; error?: string; at: number; queryTag?: string;
  /** Snowflake error code when the statement failed. */
  code?: string;
  /** The Snowflake-dialect parser rejected the statement (it then failed with 001003). */
  parseError?: string;
  /** The driver re-sent a request id already executed (after a lost answer); answered from the first run. */
  retry?: boolean;
}
export interface FailRule {
  index?: number; match?: RegExp; code?: string; message?: string; times?: number; dropConnection?: boolean;
  /** With dropConnection: run the statement first, then drop (the answer is lost, the work is done). */
  afterExecute?: boolean;
  /** With dropConnection: send HTTP 200 and half of the JSON answer, then close (a response cut mid-body). */
  truncate?: boolean;
}
export interface SnowflakeStandIn {
  /** accessUrl for the driver: http://127.0.0.1:PORT */
  url: string;
  account: string;
  /** Every query-request, in order (token-expired answers excluded). */
  statements: RecordedStatement[];
  /** Successful logins. */
  logins: number;
  /** Bodies the driver POSTed to /telemetry/send (in-band telemetry after login). */
  telemetry: unknown[];
  /** Session-token renewals the driver made (POST /session/token-request). */
  tokenRenewals: number;
  /** Expire every current session token: the next request gets 390112 and the driver renews it with the master token. */
  expireSessionTokens(): void;
  /**
   * Fail the Nth query-request from now (0-based; with times > 1 the next ones too), or the next one
   * matching `match`; default error 000603. dropConnection destroys the socket instead of answering.
   */
  failAt(rule: FailRule): void;
  /** Answer 003001 "Insufficient privileges" for such statements ('USAGE': every statement but BEGIN/COMMIT/ROLLBACK/ALTER SESSION). */
  denyPrivilege(kind: PrivilegeKind): void;
  clearFaults(): void;
  /** Semantic views created through CREATE SEMANTIC VIEW (checked against the documented grammar). */
  semanticViews: SemanticViewCatalog;
  /** Raw DuckDB SQL on the shared database (current schema = the configured one); not recorded. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Every wait for another transaction's table lock, and how it ended. */
  lockWaits: LockWait[];
  /** Transactions aborted for blocking another while idle. */
  abortedTransactions: { sessionId: string; table: string; idleMs: number }[];
  /** Informational constraints declared so far (their SQL text). */
  constraints(): string[];
  /** Current database and schema of a session (by session id), as CURRENT_DATABASE()/CURRENT_SCHEMA() see them. */
  sessionContext(sessionId: string): { database: string; schema: string } | undefined;
  /** Open transactions (session ids). */
  openTransactions(): string[];
  resetRecording(): void;
  close(): Promise<void>;
}

interface ArmedRule extends FailRule { from: number; remaining: number }

interface Envelope { data: unknown; code: string | null; message: string | null; success: boolean }

function errorEnvelope(err: SfError, queryId: string | null = null): Envelope {
  return {
    success: false, code: err.code, message: err.message,
    data: { internalError: false, errorCode: err.code, age: 0, sqlState: err.sqlState, queryId, line: -1, pos: -1, type: 'COMPILATION' },
  };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  let buf = Buffer.concat(chunks);
  if (buf.length === 0) return {};
  if (req.headers['content-encoding'] === 'gzip' || (buf[0] === 0x1f && buf[1] === 0x8b)) buf = gunzipSync(buf);
  return JSON.parse(buf.toString('utf8'));
}

/** A name from the login URL as Snowflake reads it: unquoted → upper-case, "quoted" → as written. */
function identifierValue(text: string): string {
  const m = /^"((?:[^"]|"")+)"$/.exec(text);
  return m ? m[1]!.replaceAll('""', '"') : text.toUpperCase();
}

function toPlain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  return v;
}

export async function startSnowflakeStandIn(options: StandInOptions = {}): Promise<SnowflakeStandIn> {
  const users = options.users ?? { FABRIC_SYNC: 'secret' };
  const publicKeys = options.publicKeys ?? {};
  const account = options.account ?? 'standin';
  const database = (options.database ?? 'FABRIC_DB').toUpperCase();
  const schema = (options.schema ?? 'METADATA').toUpperCase();

  const locks = new LockManager({ idleBlockerAbortMs: options.idleBlockerAbortMs ?? 300_000, maxWaiters: options.maxLockWaiters ?? 20 });
  const instance = await DuckDBInstance.create(':memory:');
  const admin = await instance.connect();
  await admin.run(`ATTACH ${quoteString(options.dbPath ?? ':memory:')} AS ${quoteIdent(database)}`);
  await admin.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(database)}.${quoteIdent(schema)}`);
  await admin.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(database)}."PUBLIC"`);
  await admin.run(`USE ${quoteIdent(database)}.${quoteIdent(schema)}`);

  const sessions = new Map<string, Session>();
  const results = new Map<string, unknown>();
  const rules: ArmedRule[] = [];
  const denied = new Set<PrivilegeKind>();
  let counter = 0;
  const connections: DuckDBConnection[] = [admin];
  const semanticViews = new SemanticViewCatalog();

  const allSessions = new Map<string, Session>();
  // Per stand-in, not per process: test files that share a worker process each start their own.
  const constraintNames = new Set<string>();
  const standIn: SnowflakeStandIn = {
    url: '', account, statements: [], logins: 0, telemetry: [], tokenRenewals: 0, semanticViews,
    lockWaits: locks.waits, abortedTransactions: locks.aborted,
    constraints: () => [...allSessions.values()].flatMap((s) => s.constraintsDeclared),
    sessionContext: (id) => { const s = allSessions.get(id); return s ? { database: s.database, schema: s.schema } : undefined; },
    openTransactions: () => [...allSessions.values()].filter((s) => s.inTransaction).map((s) => s.id),
    expireSessionTokens() { for (const t of sessions.keys()) expired.add(t); },
    failAt(rule) {
      rules.push({ ...rule, from: counter + (rule.index ?? 0), remaining: rule.times ?? 1 });
    },
    denyPrivilege(kind) { denied.add(kind); },
    clearFaults() { rules.length = 0; denied.clear(); },
    async query(sql) {
      const r = await admin.runAndReadAll(sql);
      return r.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, toPlain(v)])));
    },
    resetRecording() { standIn.statements.length = 0; },
    async close() {
      // Waiting statements fail and idle-abort timers stop before any connection closes.
      for (const session of allSessions.values()) session.closed = true;
      locks.close();
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      // A statement still running for a client that went away ends in milliseconds (no new one starts:
      // the sessions are closed); its connection is closed after it.
      for (const until = Date.now() + 10_000; inFlight > 0 && Date.now() < until;) await new Promise((r) => setTimeout(r, 5));
      for (const c of connections) { try { c.closeSync(); } catch { /* already closed */ } }
      instance.closeSync();
    },
  };

  function remember(queryId: string, data: unknown): void {
    results.set(queryId, data);
    if (results.size > 2000) results.delete(results.keys().next().value!);
  }

  async function login(url: URL, body: { data?: LoginData }): Promise<Envelope> {
    const data = body.data ?? {};
    let user: string;
    try { user = authenticate(data, users, publicKeys, account, Date.now()); } catch (e) { return errorEnvelope(e as SfError); }
    const conn = await instance.connect();
    connections.push(conn);
    const token = randomBytes(24).toString('base64url');
    const id = String(1_000_001 + standIn.logins);
    // The login's names follow Snowflake's identifier rules (unquoted → upper-case, "quoted" kept).
    const db = identifierValue(url.searchParams.get('databaseName') ?? database);
    const sc = identifierValue(url.searchParams.get('schemaName') ?? schema);
    const session = await Session.open(id, token, conn, user, db, sc, locks, constraintNames);
    allSessions.set(id, session);
    const tag = data.SESSION_PARAMETERS?.QUERY_TAG;
    if (typeof tag === 'string') session.params.QUERY_TAG = tag;
    sessions.set(token, session);
    byMaster.set(`master-${token}`, session);
    standIn.logins++;
    return {
      success: true, code: null, message: null,
      data: {
        token, masterToken: `master-${token}`, validityInSeconds: 3600, masterValidityInSeconds: 14400,
        sessionId: Number(id), serverVersion: '9.0.0-standin', displayUserName: user, firstLogin: false,
        healthCheckInterval: 45, newClientForUpgrade: null, idToken: null, idTokenValidityInSeconds: 0,
        responseData: null, mfaToken: null, mfaTokenValidityInSeconds: 0,
        parameters: [
          // Large on purpose: keeps array binds inline instead of the stage path (docs/snowflake.md#array-binds).
          { name: 'CLIENT_STAGE_ARRAY_BINDING_THRESHOLD', value: 1_000_000_000 },
          { name: 'TIMEZONE', value: 'UTC' },
          { name: 'CLIENT_SESSION_KEEP_ALIVE', value: false },
          { name: 'CLIENT_RESULT_PREFETCH_THREADS', value: 1 },
        ],
        sessionInfo: { databaseName: session.database, schemaName: session.schema, warehouseName: url.searchParams.get('warehouse'), roleName: url.searchParams.get('roleName') ?? 'PUBLIC' },
      },
    };
  }

  function tokenOf(req: IncomingMessage): string {
    return /Token="([^"]+)"/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  }
  function sessionOf(req: IncomingMessage): Session | undefined {
    return sessions.get(tokenOf(req));
  }
  /** Session tokens made to expire by expireSessionTokens(): answered 390112 so the driver renews. */
  const expired = new Set<string>();
  /** The session a master token belongs to (token renewal, docs/snowflake.md#wire-protocol). */
  const byMaster = new Map<string, Session>();

  function armedFault(sqlText: string, index: number): ArmedRule | undefined {
    const rule = rules.find((r) => r.remaining > 0 && index >= r.from && (r.match === undefined || r.match.test(sqlText)));
    if (rule) rule.remaining--;
    return rule;
  }

  interface QueryBody { sqlText?: string; bindings?: Record<string, Bind>; parameters?: Record<string, unknown>; asyncExec?: boolean }

  /**
   * Snowflake serialises DDL: two sessions running the same CREATE TABLE IF NOT EXISTS both succeed.
   * DuckDB's optimistic catalog reports a write-write conflict instead, so DDL runs one at a time here
   * and a conflict with another session's open transaction is waited out (as a Snowflake lock wait).
   */
  let ddlQueue: Promise<unknown> = Promise.resolve();
  function runDdl(fn: () => Promise<Outcome>): Promise<Outcome> {
    const attempt = async (): Promise<Outcome> => {
      for (let i = 0; ; i++) {
        try {
          return await fn();
        } catch (e) {
          if (!(e instanceof SfError && e.code === '000625') || i >= 200) throw e;
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    };
    const p = ddlQueue.then(attempt, attempt);
    ddlQueue = p.catch(() => undefined);
    return p;
  }

  /** Executions by the driver's requestId: a retried request is answered, not run twice (as Snowflake does). */
  const byRequestId = new Map<string, Promise<Envelope>>();
  /** Every execution by queryId, for async execution, result fetches and monitoring. */
  const running = new Map<string, Promise<Envelope>>();

  async function queryRequest(req: IncomingMessage, res: ServerResponse, url: URL, body: QueryBody): Promise<Envelope | undefined> {
    const session = sessionOf(req);
    if (expired.has(tokenOf(req))) return errorEnvelope(new SfError('390112', '08001', 'Your session has expired. Please login again.'));
    if (!session) return errorEnvelope(new SfError('390104', '08001', 'User must login again to access the service.'));
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    const sqlText = body.sqlText ?? '';
    const tag = body.parameters?.QUERY_TAG ?? session.params.QUERY_TAG;
    const record: RecordedStatement = {
      sessionId: session.id, sqlText, binds: body.bindings, rows: 0, at: Date.now(),
      ...(typeof tag === 'string' ? { queryTag: tag } : {}),
    };
    standIn.statements.push(record);
    const index = counter++;
    const requestId = url.searchParams.get('requestId');
    const earlier = requestId === null ? undefined : byRequestId.get(requestId);
    if (earlier) {
      record.retry = true;
      return earlier;
    }
    const fault = armedFault(sqlText, index);
    const drop = (envelope?: Envelope): undefined => {
      record.error ??= 'connection dropped (injected)';
      if (fault?.truncate) {
        const text = JSON.stringify(envelope ?? { success: true, code: null, message: null, data: {} });
        res.writeHead(200, { 'content-type': 'application/json' }).end(text.slice(0, Math.floor(text.length / 2)));
        return undefined;
      }
      req.socket.destroy();
      res.destroy();
      return undefined;
    };
    if (fault?.dropConnection && !fault.afterExecute) return drop();
    const queryId = randomUUID();
    const fail = (err: SfError): Envelope => { record.error = err.message; record.code = err.code; return errorEnvelope(err, queryId); };
    const run = fault && !fault.dropConnection
      ? Promise.resolve(fail(sfErrors.injected(fault.code, fault.message)))
      : runQuery(session, body, sqlText, queryId, record, fail);
    if (requestId !== null) {
      byRequestId.set(requestId, run);
      if (byRequestId.size > 5000) byRequestId.delete(byRequestId.keys().next().value!);
    }
    running.set(queryId, run);
    void run.then(() => { if (running.size > 5000) running.delete(running.keys().next().value!); });
    if (body.asyncExec) {
      // Snowflake answers 333334 at once; the driver then polls /monitoring/queries/{id} and GETs the result.
      return {
        success: true, code: '333334', message: 'Asynchronous execution in progress. Use provided query id to perform query monitoring and management.',
        data: { queryId, getResultUrl: `/queries/${queryId}/result` },
      };
    }
    const envelope = await run;
    return fault?.dropConnection ? drop(envelope) : envelope;
  }

  async function runQuery(session: Session, body: QueryBody, sqlText: string, queryId: string, record: RecordedStatement,
    fail: (err: SfError) => Envelope): Promise<Envelope> {
    let statements: Token[][];
    try { statements = splitStatements(tokenize(sqlText)); } catch (e) { return fail(sfErrors.syntax((e as Error).message)); }
    if (statements.length === 0) return fail(sfErrors.emptyStatement());
    const desired = Number(body.parameters?.MULTI_STATEMENT_COUNT ?? session.params.MULTI_STATEMENT_COUNT ?? 1);
    if (desired !== 0 && desired !== statements.length) return fail(sfErrors.multiStatement(statements.length, desired));
    if (options.sqlCheck !== false) {
      for (const st of statements) {
        // Semantic-view statements have their own grammar checker (semantic-view.ts), written
        // from Snowflake's reference; the general parser knows no SEMANTIC VIEW syntax.
        if (semanticViews.owns(st)) continue;
        const text = sqlText.slice(st[0]!.start, st.at(-1)!.end);
        const problem = await snowflakeSyntaxProblem(text);
        if (problem !== undefined) {
          record.parseError = problem;
          return fail(sfErrors.syntax(`rejected by the Snowflake-dialect parser: ${problem}`));
        }
      }
    }
    for (const st of statements) {
      const missing = Session.needs(st).find((k) => denied.has(k));
      if (missing) {
        const on = missing === 'CREATE SCHEMA' ? `database '${session.database}'` : `schema '${session.schema}'`;
        return fail(sfErrors.insufficientPrivileges(on));
      }
    }

    return session.serialize(async () => {
      const ids: string[] = [];
      let data: Record<string, unknown> = {};
      for (const st of statements) {
        const childId = statements.length === 1 ? queryId : randomUUID();
        const text = statements.length === 1 ? sqlText : sqlText.slice(st[0]!.start, st.at(-1)!.end);
        let outcome;
        try {
          const exec = (): Promise<Outcome> => semanticViews.owns(st) ? semanticViews.execute(session, st, text)
            : session.execute(st, text, statements.length === 1 ? body.bindings : undefined);
          outcome = classify(st) === 'ddl' ? await runDdl(exec) : await exec();
        } catch (e) {
          return fail(fromDuckDb(e));
        }
        record.rows += outcome.rows;
        data = {
          parameters: [], rowtype: outcome.rowtype, rowset: outcome.rowset,
          total: outcome.rowset.length, returned: outcome.rowset.length, queryId: childId,
          databaseProvider: null, finalDatabaseName: session.database, finalSchemaName: session.schema,
          finalWarehouseName: 'WH', finalRoleName: 'PUBLIC', numberOfBinds: Object.keys(body.bindings ?? {}).length,
          arrayBindSupported: false, statementTypeId: STATEMENT_TYPE_ID[outcome.kind], version: 1,
          sendResultTime: Date.now(), queryResultFormat: 'json', queryContext: { entries: [] },
        };
        remember(childId, data);
        ids.push(childId);
      }
      if (statements.length > 1) {
        data = {
          ...data, queryId, resultIds: ids.join(','), resultTypes: ids.map(() => '4096').join(','), statementTypeId: 0x1000,
          rowtype: [column('multiple statement execution', 'text')], rowset: [['Multiple statements executed successfully.']],
          total: 1, returned: 1,
        };
        remember(queryId, data);
      }
      return { success: true, code: null, message: null, data };
    });
  }

  /** GET /monitoring/queries/{id}: what getQueryStatus()/getResultsFromQueryId() poll. */
  async function monitoring(queryId: string): Promise<Envelope> {
    const p = running.get(queryId);
    let status = 'NO_DATA';
    let errorMessage = '';
    if (results.has(queryId)) status = 'SUCCESS';
    else if (p) {
      const done = await Promise.race([p, new Promise<undefined>((r) => setImmediate(() => r(undefined)))]);
      status = done === undefined ? 'RUNNING' : done.success ? 'SUCCESS' : 'FAILED_WITH_ERROR';
      if (done && !done.success) errorMessage = done.message ?? '';
    }
    return { success: true, code: null, message: null, data: { queries: [{ id: queryId, status, errorMessage }] } };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<Envelope | undefined> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const ok: Envelope = { success: true, code: null, message: null, data: null };
    if (req.method === 'GET') {
      const m = /^\/queries\/([^/]+)\/result$/.exec(path);
      if (m) {
        const data = results.get(m[1]!);
        if (data) return { success: true, code: null, message: null, data };
        const pending = running.get(m[1]!);
        return pending ? pending : errorEnvelope(new SfError('000709', '02000', `Statement ${m[1]} not found`));
      }
      const mon = /^\/monitoring\/queries\/([^/]+)$/.exec(path);
      if (mon) return monitoring(mon[1]!);
      return undefined;
    }
    const body = (await readBody(req)) as Record<string, unknown>;
    if (path === '/session/v1/login-request') return login(url, body as { data?: LoginData });
    if (path === '/queries/v1/query-request') return queryRequest(req, res, url, body as QueryBody);
    if (path === '/session' && url.searchParams.get('delete') === 'true') {
      const s = sessionOf(req);
      if (s) {
        sessions.delete(s.token);
        allSessions.delete(s.id);
        await s.end();
        connections.splice(connections.indexOf(s.conn), 1);
      }
      return ok;
    }
    if (path === '/session/token-request') {
      const master = tokenOf(req);
      const s = byMaster.get(master);
      if (!s) return errorEnvelope(new SfError('390114', '08001', 'Authentication token has expired.  The user must authenticate again.'));
      sessions.delete(s.token);
      s.token = randomBytes(24).toString('base64url');
      sessions.set(s.token, s);
      standIn.tokenRenewals++;
      return { ...ok, data: { sessionToken: s.token, validityInSecondsST: 3600, masterToken: master, validityInSecondsMT: 14400, sessionId: Number(s.id) } };
    }
    if (path === '/telemetry/send') { standIn.telemetry.push(body); return ok; }
    if (path === '/session/heartbeat' || /^\/queries\/(v1|[^/]+)\/abort-request$/.test(path)) return ok;
    return undefined;
  }

  // Requests being answered: close() waits for them, as closing DuckDB under a running statement can
  // bring the whole process down (a client killed mid-statement leaves its statement running here).
  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    route(req, res).finally(() => inFlight--).then((envelope) => {
      if (res.headersSent || res.destroyed) return;
      if (envelope === undefined) { res.writeHead(404, { 'content-type': 'application/json' }).end('{"success":false,"message":"not found"}'); return; }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(envelope));
    }).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(errorEnvelope(fromDuckDb(err))));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return standIn;
}
