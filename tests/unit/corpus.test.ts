// Issue 2 "Must show": every corpus model (every folder with EXPECTED.json, so an added model is tested
// too) loads from its corpus folder and its summary matches the counts of corpus/SOURCES.md.
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/core/schema/fingerprint.js';
import { loadModel } from '../../src/core/schema/load.js';
import { summarize } from '../../src/core/schema/summary.js';
import { corpusEntries } from '../support/paths.js';

const COUNTS = [
  'format',
  'tables',
  'columns',
  'calculatedColumns',
  'measures',
  'relationships',
  'calculatedTables',
  'calculationGroups',
  'roles',
  'hierarchies',
] as const;
const EXTRA = [
  'compatibilityLevel',
  'calculationItems',
  'perspectives',
  'cultures',
  'expressions',
  'inactiveRelationships',
  'dataTypes',
  'functions',
] as const;

const entries = corpusEntries();

describe('corpus', () => {
  it('has models to test', () => {
    expect(entries.length).toBeGreaterThanOrEqual(13);
  });

  for (const entry of entries) {
    it(`${entry.id}: summary matches EXPECTED.json`, async () => {
      const loaded = await loadModel(entry.dir);
      const summary = summarize(loaded.model, loaded.source.format);
      const want: Record<string, unknown> = {};
      const got: Record<string, unknown> = {};
      for (const k of COUNTS) {
        want[k] = entry.expected[k];
        got[k] = summary[k];
      }
      const extra = (entry.expected.extra ?? {}) as Record<string, unknown>;
      for (const k of EXTRA) {
        if (extra[k] === undefined || extra[k] === null) continue;
        want[k] = extra[k];
        got[k] = summary[k];
      }
      // EXPECTED.json tallies declared data types only; a TMDL column that declares none (some
      // calculated-table columns) is TOM's `automatic`, which the counts leave out.
      if (got.dataTypes && !('automatic' in (want.dataTypes as object))) {
        const { automatic: _automatic, ...declared } = got.dataTypes as Record<string, number>;
        got.dataTypes = declared;
      }
      if (extra.defaultMode !== undefined) {
        want.defaultMode = extra.defaultMode;
        got.defaultMode = summary.defaultMode;
      }
      expect(got).toEqual(want);
      expect(fingerprint(loaded.model)).toMatch(/^[0-9a-f]{64}$/);
    });
  }

  it('BIM models never keep data-source details, only their count', async () => {
    for (const entry of entries.filter((e) => e.expected.format === 'BIM')) {
      const loaded = await loadModel(entry.dir);
      const extra = entry.expected.extra as { dataSources: number };
      expect(loaded.model.dataSources).toBe(extra.dataSources);
      expect(JSON.stringify(loaded.model)).not.toMatch(/connectionString|impersonationMode|Password=/i);
    }
  });
});
