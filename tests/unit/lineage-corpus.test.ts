// Lineage over every real model of the shared corpus: it must never throw, every table gets a
// confidence and a reason, and the result is plain JSON. Prints per model how many tables were traced,
// approximate or left without source (by reason), the figures issue 16 asks to report.
import { expect, it } from 'vitest';
import { MParseCache, traceModel } from '../../src/core/lineage/index.js';
import { loadModel } from '../../src/core/schema/load.js';
import { corpusEntries } from '../support/paths.js';
import { describeCorpus } from '../support/tiers.js';

describeCorpus('lineage over the corpus', () => {
  const cache = new MParseCache();
  for (const entry of corpusEntries()) {
    it(`${entry.id}: traces without throwing`, async () => {
      const { model } = await loadModel(entry.dir);
      const lineage = await traceModel(model, {}, cache);
      expect(lineage.tables.map((t) => t.table)).toEqual(model.tables.map((t) => t.name));
      for (const t of lineage.tables) {
        expect(t.reason.length).toBeGreaterThan(0);
        expect(t.columns).toHaveLength(model.tables.find((m) => m.name === t.table)!.columns.length);
        if (t.confidence === 'none') expect(t.source).toBeNull();
        else expect(t.source).not.toBeNull();
      }
      expect(JSON.parse(JSON.stringify(lineage))).toEqual(lineage);
      const count = (c: string): number => lineage.tables.filter((t) => t.confidence === c).length;
      const none: Record<string, number> = {};
      for (const t of lineage.tables) if (t.confidence === 'none') none[t.reasonCode] = (none[t.reasonCode] ?? 0) + 1;
      const byReason = Object.entries(none).map(([code, n]) => `${code} ${n}`).join(', ');
      console.log(`lineage ${entry.id}: ${lineage.tables.length} tables, traced ${count('exact')}, approximate ${count('approximate')}, none ${count('none')}${byReason ? ` (${byReason})` : ''}`);
    });
  }
});
