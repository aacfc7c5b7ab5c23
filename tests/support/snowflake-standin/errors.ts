// Snowflake error codes the stand-in answers with (docs/snowflake.md#wire-protocol). They travel
// as HTTP 200 + success:false, because a non-200 makes snowflake-sdk retry.

export class SfError extends Error {
  constructor(readonly code: string, readonly sqlState: string, message: string) {
    super(message);
    this.name = 'SfError';
  }
}

export const sfErrors = {
  multiStatement: (actual: number, desired: number) =>
    new SfError('000008', '0A000', `Actual statement count ${actual} did not match the desired statement count ${desired}.`),
  emptyStatement: () => new SfError('000900', '42000', 'Empty SQL statement.'),
  invalidInValues: (expr: string) =>
    new SfError('002014', '22000', `SQL compilation error:\nInvalid expression [${expr}] in VALUES clause`),
  insufficientPrivileges: (object: string) =>
    new SfError('003001', '42501', `SQL access control error:\nInsufficient privileges to operate on ${object}.`),
  unsupported: (what: string) =>
    new SfError('000002', '0A000', `Unsupported feature '${what}'.`),
  doesNotExist: (name: string) =>
    new SfError('002003', '42S02', `SQL compilation error:\nObject '${name}' does not exist or not authorized.`),
  injected: (code = '000603', message = 'SQL execution internal error: injected failure.') =>
    new SfError(code, code === '000603' ? 'XX000' : 'P0000', message),
  syntax: (detail: string) =>
    new SfError('001003', '42000', `SQL compilation error:\n${/^syntax error/.test(detail) ? detail : `syntax error: ${detail}`}`),
};

/** Translate a DuckDB exception into the Snowflake error a client would have seen. */
export function fromDuckDb(err: unknown): SfError {
  if (err instanceof SfError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const first = raw.split('\n')[0] ?? raw;
  let m: RegExpMatchArray | null;
  if ((m = first.match(/^Catalog Error: (?:Table|View|Schema|Table Function|Catalog) with name (.+?) does not exist/))) {
    return sfErrors.doesNotExist(m[1]!.replace(/^"|"$/g, ''));
  }
  if ((m = first.match(/^Catalog Error: .* with name (.+?) already exists/))) {
    return new SfError('002002', '42710', `SQL compilation error:\nObject '${m[1]}' already exists.`);
  }
  if ((m = first.match(/^Binder Error: (?:Referenced column|Column|Table) "?(.+?)"? (?:not found|does not have)/))) {
    return new SfError('000904', '42000', `SQL compilation error: error line 0 at position 0\ninvalid identifier '${m[1]}'`);
  }
  if (first.startsWith('Parser Error')) return sfErrors.syntax(first.replace(/^Parser Error: /, ''));
  if (first.startsWith('Binder Error') || first.startsWith('Catalog Error')) {
    return new SfError('002043', '02000', `SQL compilation error:\n${first.replace(/^\w+ Error: /, '')}`);
  }
  if (/NOT NULL constraint failed/.test(first)) {
    return new SfError('100072', '22000', `NULL result in a non-nullable column (${first})`);
  }
  if (/CHECK constraint failed/.test(first) && /length\(/.test(first)) {
    return new SfError('100078', '22000', 'String is too long and would be truncated');
  }
  if (/^Conversion Error: .*(DECIMAL|out of range)/.test(first)) {
    return new SfError('100039', '22003', `Numeric value out of range (${first.replace(/^Conversion Error: /, '')})`);
  }
  if (/Malformed JSON/i.test(first)) return new SfError('100069', '22P02', `Error parsing JSON: ${first}`);
  if (first.startsWith('Conversion Error') || first.startsWith('Invalid Input Error')) {
    return new SfError('100038', '22018', first.replace(/^\w+ (?:\w+ )?Error: /, ''));
  }
  if (/Current transaction is aborted/.test(first)) {
    return new SfError('000603', 'XX000', 'SQL execution internal error: stand-in limitation: an earlier statement of this transaction failed '
      + 'and DuckDB discarded the transaction (Snowflake would continue it). ROLLBACK first.');
  }
  if (/Conflict|TransactionContext/.test(first)) {
    return new SfError('000625', '57014', `Statement aborted because of a conflicting transaction: ${first}`);
  }
  return new SfError('000603', 'XX000', `SQL execution internal error: ${first}`);
}
