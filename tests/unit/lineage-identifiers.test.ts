// Snowflake identifier rules for configured names, row by row: unquoted → upper-case, "quoted" kept
// with "" for ", 255 characters at most. https://docs.snowflake.com/en/sql-reference/identifiers-syntax
import { describe, expect, it } from 'vitest';
import { formatSnowflakeName, parseSnowflakeIdentifier, parseSnowflakeName, parseSnowflakeObjectName } from '../../src/core/lineage/index.js';

const valid: Array<[string, string[]]> = [
  ['targets', ['TARGETS']],
  ['Db.Schema.Targets', ['DB', 'SCHEMA', 'TARGETS']],
  ['_x$1', ['_X$1']],
  ['"Mixed Case"', ['Mixed Case']],
  ['"a.b"."c"', ['a.b', 'c']],
  ['"say ""hi"""', ['say "hi"']],
  ['db . "s" . t', ['DB', 's', 'T']],
];

const invalid: Array<[string, string]> = [
  ['', 'empty name part'],
  ['a..b', 'empty name part'],
  ['1abc', "'1abc' is not a valid unquoted identifier"],
  ['my-table', "'my-table' is not a valid unquoted identifier"],
  ['"open', 'unterminated quoted identifier'],
  ['""', 'empty quoted identifier'],
  ['"a"b', "unexpected 'b'"],
  [`"${'x'.repeat(256)}"`, 'longer than 255 characters'],
];

describe('Snowflake names', () => {
  for (const [text, parts] of valid) {
    it(`${text} → ${parts.join(' | ')}`, () => {
      expect(parseSnowflakeName(text)).toEqual({ ok: true, parts });
    });
  }
  for (const [text, error] of invalid) {
    it(`rejects ${text.slice(0, 20) || '(empty)'}: ${error}`, () => {
      const parsed = parseSnowflakeName(text);
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.error).toContain(error);
    });
  }

  it('an object name has exactly three parts', () => {
    expect(parseSnowflakeObjectName('sales.public."Orders"')).toEqual({ ok: true, database: 'SALES', schema: 'PUBLIC', name: 'Orders' });
    expect(parseSnowflakeObjectName('a.b.c.d')).toEqual({ ok: false, error: "'a.b.c.d' must be fully qualified as DATABASE.SCHEMA.OBJECT (4 parts given)" });
  });

  it('a column is one identifier', () => {
    expect(parseSnowflakeIdentifier('amount')).toEqual({ ok: true, name: 'AMOUNT' });
    expect(parseSnowflakeIdentifier('a.b')).toEqual({ ok: false, error: "'a.b' must be a single identifier" });
  });

  it('formats names back, quoting only what Snowflake would not read back unchanged', () => {
    expect(formatSnowflakeName(['SALES', 'Mixed', 'A B', 'X"Y', 'T_1$'])).toBe('SALES."Mixed"."A B"."X""Y".T_1$');
    for (const [, parts] of valid) expect(parseSnowflakeName(formatSnowflakeName(parts))).toEqual({ ok: true, parts });
  });
});
