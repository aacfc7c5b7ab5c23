// The Node versions the package promises (package.json engines) are the ones every production
// dependency accepts: a dependency that declares a newer Node makes npm warn on every install and an
// `engine-strict` install refuse the package (docs/testing.md#engines).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths.js';

interface LockEntry { version?: string; dev?: boolean; optional?: boolean; engines?: { node?: string } | string[] }
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };

/** The lowest Node release of each major line the package promises, and the lines it is tested on. */
const promised = ['20', '22', '24'].map((major) => semver.minVersion(`${pkg.engines.node} ^${major}`)?.version);

describe('engines', () => {
  it('promises Node 20, 22 and 24', () => {
    for (const v of ['20.18.1', '22.0.0', '24.0.0']) expect(semver.satisfies(v, pkg.engines.node), v).toBe(true);
    expect(semver.satisfies('18.20.0', pkg.engines.node)).toBe(false);
  });

  it('every production dependency accepts the lowest promised release of each line', () => {
    const refusals: string[] = [];
    for (const [where, entry] of Object.entries(lock.packages)) {
      const range = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
      if (!where || entry.dev || !range) continue;
      for (const v of promised as string[]) {
        if (!semver.satisfies(v, range)) refusals.push(`${where.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${range}, refuses ${v}`);
      }
    }
    expect(promised).toEqual([expect.any(String), expect.any(String), expect.any(String)]);
    expect(refusals).toEqual([]);
  });
});
