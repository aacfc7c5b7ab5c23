// Every TMDL model — synthetic (tests/fixtures/models) and, when present, the shared corpus — read by
// readTmdl and counted by summarize() must match its EXPECTED.json (docs/testing.md, "Expected counts").
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTmdl } from '../../src/core/schema/tmdl/index.js';
import { summarize } from '../../src/core/schema/summary.js';
import { filesIn } from '../support/model-files.js';
import { modelEntries } from '../support/paths.js';

function findDefinition(dir: string): string | undefined {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const p = path.join(dir, e.name);
    if (e.name === 'definition') return p;
    const inner = findDefinition(p);
    if (inner) return inner;
  }
  return undefined;
}


const tally = (keys: string[]) =>
  keys.reduce<Record<string, number>>((acc, k) => ((acc[k] = (acc[k] ?? 0) + 1), acc), {});

const entries = modelEntries().filter((e) => e.expected.format === 'TMDL');

describe('readTmdl on every TMDL model', () => {
  it('finds TMDL models', () => {
    expect(entries.length).toBeGreaterThan(0);
  });

  for (const entry of entries) {
    it(`${entry.tier} ${entry.id}: counts match EXPECTED.json`, () => {
      const def = findDefinition(entry.dir);
      expect(def, `no definition/ folder under ${entry.dir}`).toBeDefined();
      const { model, source } = readTmdl(filesIn(def!), { modelName: entry.id, location: def! });
      expect(source.format).toBe('TMDL');
      const s = summarize(model, 'TMDL');
      const exp = entry.expected as Record<string, any>;
      const extra = exp.extra as Record<string, any>;
      for (const key of ['tables', 'columns', 'calculatedColumns', 'measures', 'relationships', 'calculatedTables',
        'calculationGroups', 'roles', 'hierarchies'] as const) {
        expect(s[key], key).toBe(exp[key]);
      }
      for (const key of ['calculationItems', 'perspectives', 'cultures', 'expressions', 'functions', 'inactiveRelationships'] as const) {
        expect(s[key], `extra.${key}`).toBe(extra[key]);
      }
      const partitions = model.tables.flatMap((t) => t.partitions);
      expect(partitions.length, 'extra.partitions').toBe(extra.partitions);
      expect(tally(partitions.map((p) => p.mode ?? '(default)')), 'extra.partitionModes').toEqual(extra.partitionModes);
      expect(tally(partitions.map((p) => p.sourceType)), 'extra.partitionKinds').toEqual(extra.partitionKinds);
      // EXPECTED counts only columns that state a dataType; the rest default to TOM's `automatic`.
      const { automatic = 0, ...explicit } = s.dataTypes;
      expect(explicit, 'extra.dataTypes').toEqual(extra.dataTypes);
      const explicitTotal = Object.values(extra.dataTypes as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(automatic, 'columns without dataType').toBe(exp.columns - explicitTotal);
      expect(model.relationships.filter((r) => r.crossFilteringBehavior === 'bothDirections').length).toBe(extra.bothDirections);
      expect(s.columns).toBe(model.tables.reduce((n, t) => n + t.columns.length, 0));
    });

    it(`${entry.tier} ${entry.id}: the scanned read gives the model of the general path, key order included`, () => {
      const def = findDefinition(entry.dir)!;
      const files = filesIn(def);
      const scanned = readTmdl(files, { modelName: entry.id, location: def });
      const general = readTmdl(files, { modelName: entry.id, location: def, scan: false });
      expect(JSON.stringify(scanned)).toBe(JSON.stringify(general));
    });
  }
});
