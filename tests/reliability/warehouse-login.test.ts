// Faults (issue 9): a refused Snowflake login costs one attempt per run, whatever the number of
// models or their concurrency, because Snowflake locks a user after repeated failed logins. The real
// driver against the stand-in, counting the logins the session asks for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/context.js';
import { AuthError } from '../../src/core/errors.js';
import { WarehouseSession } from '../../src/core/publishers/warehouse/session.js';
import { openSnowflake } from '../../src/core/warehouse/snowflake.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';

let standIn: SnowflakeStandIn;
beforeAll(async () => {
  standIn = await startSnowflakeStandIn({ users: { FABRIC_SYNC: 'right-password' } });
});
afterAll(async () => {
  await standIn.close();
});

function session(password: string) {
  let attempts = 0;
  const s = new WarehouseSession({
    dialect: 'snowflake',
    maxConnections: 4,
    open: () => {
      attempts++;
      return openSnowflake({ account: standIn.account, accessUrl: standIn.url, username: 'FABRIC_SYNC', password, database: 'FABRIC_DB', schema: 'METADATA', queryTag: 'fabric-sync/test', logger: silentLogger });
    },
  });
  return { s, attempts: () => attempts };
}

describe('warehouse session logins', () => {
  it('a wrong password is tried once for 8 concurrent models, and every model gets the AuthError', async () => {
    const { s, attempts } = session('wrong-password');
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => s.withConnection(async () => 'never')));
    await s.close();
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof AuthError)).toBe(true);
    console.log(`failed Snowflake logins per run with 8 concurrent models: ${attempts()}`);
    expect(attempts()).toBe(1);
  });

  it('the right password still opens up to maxConnections sessions', async () => {
    const { s, attempts } = session('right-password');
    let busy = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        s.withConnection(async (b) => {
          peak = Math.max(peak, ++busy);
          await b.execute('SELECT 1');
          busy--;
        }),
      ),
    );
    await s.close();
    expect(attempts()).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
  });
});
