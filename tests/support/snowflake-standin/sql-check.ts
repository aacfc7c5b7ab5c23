// An independent check of every statement the stand-in receives: the Snowflake dialect of the
// polyglot SQL parser (@polyglot-sql/sdk, Rust compiled to WebAssembly; it declares Node >= 22 but
// runs unchanged on Node 20, 22 and 24 — checked with the same statements on each). DuckDB accepts
// SQL Snowflake would refuse and the other way round, so the stand-in's own translator is no judge
// of syntax; a statement this parser rejects fails here with Snowflake's syntax error 001003.
// The parser is permissive (it also takes other dialects' syntax), so it catches malformed SQL,
// not every construct Snowflake lacks; the stand-in's own rules cover the known ones.

type Validate = (sql: string, dialect: string) => { valid: boolean; errors: { message: string; line?: number; column?: number }[] };

let loaded: Promise<Validate> | undefined;

function parser(): Promise<Validate> {
  loaded ??= import('@polyglot-sql/sdk').then((m) => m.validate as unknown as Validate);
  return loaded;
}

/** Verdicts by statement text: a writer sends the same text for every model (the values are binds). */
const verdicts = new Map<string, string | undefined>();

/** The parser's complaint about `sql` as Snowflake SQL, or undefined when it parses. */
export async function snowflakeSyntaxProblem(sql: string): Promise<string | undefined> {
  if (verdicts.has(sql)) return verdicts.get(sql);
  const validate = await parser();
  const r = validate(sql, 'snowflake');
  const e = r.errors[0];
  const problem = r.valid ? undefined : e ? `${e.message}${e.line !== undefined ? ` (line ${e.line}, column ${e.column ?? '?'})` : ''}` : 'rejected by the Snowflake parser';
  if (verdicts.size >= 5000) verdicts.delete(verdicts.keys().next().value!);
  verdicts.set(sql, problem);
  return problem;
}
