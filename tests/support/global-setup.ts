// Runs once before the test files: says which tiers cannot run here, one line each (paths.ts), and
// makes the run's one local TLS certificate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeLocalCertificate } from './entra/index.js';
import { TIERS } from './paths.js';

export default async function setup(): Promise<() => void> {
  for (const tier of Object.values(TIERS)) if (!tier.available) process.stdout.write(`${tier.skipped}\n`);
  // The HTTPS stand-ins (Entra ID) serve this certificate, and every test worker — started after this,
  // with this environment — trusts it from process start, as do the CLIs the tests spawn. So a CLI
  // run inside a worker (tests/support/run-cli.ts) reaches them exactly as a spawned one does.
  const dir = mkdtempSync(path.join(tmpdir(), 'fabric-sync-tls-'));
  const { caCertPath } = await writeLocalCertificate(dir);
  process.env.FABRIC_SYNC_TEST_TLS = dir;
  process.env.NODE_EXTRA_CA_CERTS = caCertPath;
  return () => rmSync(dir, { recursive: true, force: true });
}
