// Key-pair login (SNOWFLAKE_PRIVATE_KEY_PATH + passphrase, the norm for service users; docs/architecture.md#configuration)
// through the real driver: an encrypted PKCS#8 key signs the JWT the stand-in verifies.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/context.js';
import { AuthError } from '../../src/core/errors.js';
import { openSnowflake } from '../../src/core/warehouse/snowflake.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE ??= '1';

const PASSPHRASE = 'correct horse battery staple';
let dir: string;
let keyPath: string;
let standIn: SnowflakeStandIn;

beforeAll(async () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE },
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'fs-wh-key-'));
  keyPath = path.join(dir, 'rsa_key.p8');
  await writeFile(keyPath, privateKey, { mode: 0o600 });
  standIn = await startSnowflakeStandIn({ users: {}, publicKeys: { FABRIC_SYNC: publicKey } });
});
afterAll(async () => {
  await standIn?.close();
  await rm(dir, { recursive: true, force: true });
});

const options = () => ({
  account: standIn.account,
  accessUrl: standIn.url,
  username: 'FABRIC_SYNC',
  privateKeyPath: keyPath,
  database: 'FABRIC_DB',
  schema: 'METADATA',
  queryTag: 'fabric-sync/test/keypair',
  logger: silentLogger,
});

describe('Snowflake key-pair login', () => {
  it('logs in with an encrypted private key and its passphrase (SNOWFLAKE_JWT chosen automatically)', async () => {
    const sf = await openSnowflake({ ...options(), privateKeyPassphrase: PASSPHRASE });
    const r = await sf.execute('SELECT 1 AS "ONE"');
    expect(r.rows).toEqual([{ ONE: 1 }]);
    await sf.close();
  });

  it('a wrong passphrase is an AuthError that names the key settings and not the passphrase', async () => {
    const err = await openSnowflake({ ...options(), privateKeyPassphrase: 'wrong-Passphrase-77' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).hint).toMatch(/SNOWFLAKE_PRIVATE_KEY_PATH/);
    expect((err as Error).message).toMatch(/^Snowflake login failed for user FABRIC_SYNC/);
    expect(JSON.stringify([(err as Error).message, (err as AuthError).hint])).not.toContain('wrong-Passphrase-77');
  });
});
