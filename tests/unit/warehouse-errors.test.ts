// Snowflake error codes → typed errors with hints (docs/architecture.md#conventions-in-the-code), row by row.
import { describe, expect, it } from 'vitest';
import { AuthError, WarehouseError } from '../../src/core/errors.js';
import { grantsFor, snowflakeError, type SnowflakeWhere } from '../../src/core/warehouse/snowflake-errors.js';

const where: SnowflakeWhere = { phase: 'statement', account: 'acme-prod', username: 'SVC', database: 'ANALYTICS', schema: 'PBI', role: 'FABRIC_SYNC_ROLE' };
const driver = (code: string | number, message: string, sqlState?: string) => Object.assign(new Error(message), { code, sqlState });

describe('snowflakeError', () => {
  it.each([
    ['login', '390100', 'Incorrect username or password was specified.', AuthError, /SNOWFLAKE_PASSWORD/],
    ['login', '390144', 'JWT token is invalid.', AuthError, /SNOWFLAKE_PRIVATE_KEY_PATH/],
    ['login', 401001, 'Network error. Could not reach Snowflake.', WarehouseError, /SNOWFLAKE_ACCOUNT/],
    ['statement', '003001', "SQL access control error:\nInsufficient privileges to operate on schema 'PBI'", AuthError, /GRANT CREATE TABLE, CREATE VIEW ON SCHEMA "ANALYTICS"."PBI" TO ROLE "FABRIC_SYNC_ROLE";/],
    ['statement', '002003', "SQL compilation error:\nSchema 'ANALYTICS.PBI' does not exist or not authorized.", WarehouseError, /GRANT USAGE ON DATABASE "ANALYTICS"/],
    ['statement', '000606', 'No active warehouse selected in the current session.', WarehouseError, /SNOWFLAKE_WAREHOUSE/],
    ['statement', '100038', "Numeric value 'x' is not recognized", WarehouseError, /rolled back/],
  ] as const)('%s %s → %s', (phase, code, message, type, hint) => {
    const e = snowflakeError(driver(code, message, '42000'), { ...where, phase });
    expect(e).toBeInstanceOf(type);
    expect((e as AuthError).hint).toMatch(hint);
    expect(e.message).not.toContain('\n');
    if (e instanceof WarehouseError) expect(e.code).toBe(String(code));
  });

  it('grantsFor lists warehouse, database and schema usage, CREATE TABLE and DML on the tables', () => {
    expect(grantsFor({ database: 'A"B', schema: 'S', role: undefined, warehouse: 'WH' })).toBe(
      'GRANT USAGE ON WAREHOUSE "WH" TO ROLE "FABRIC_SYNC_ROLE"; GRANT USAGE ON DATABASE "A""B" TO ROLE "FABRIC_SYNC_ROLE"; ' +
        'GRANT USAGE ON SCHEMA "A""B"."S" TO ROLE "FABRIC_SYNC_ROLE"; GRANT CREATE TABLE, CREATE VIEW ON SCHEMA "A""B"."S" TO ROLE "FABRIC_SYNC_ROLE"; ' +
        'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "A""B"."S" TO ROLE "FABRIC_SYNC_ROLE";',
    );
  });
});
