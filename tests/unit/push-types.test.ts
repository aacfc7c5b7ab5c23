// The TOM → push type table, row by row (docs/architecture.md#push-conversion, docs/architecture.md#conventions-in-the-code), and the stated rule for the
// four TOM types the Push API has no type for: binary dropped, variant/unknown/automatic → String.
import { describe, expect, test } from 'vitest';
import { TOM_DATA_TYPES, type SemanticModel, type TomDataType } from '../../src/core/schema/model.js';
import { PUSH_TYPE_MAP, pushTypeFor } from '../../src/core/schema/tom-types.js';
import { planPushDataset } from '../../src/core/publishers/push/plan.js';

const rows: [TomDataType, string | null, 'same' | 'mapped' | 'dropped'][] = [
  ['int64', 'Int64', 'same'],
  ['double', 'Double', 'same'],
  ['decimal', 'Decimal', 'same'],
  ['dateTime', 'Datetime', 'same'],
  ['string', 'String', 'same'],
  ['boolean', 'Boolean', 'same'],
  ['binary', null, 'dropped'],
  ['variant', 'String', 'mapped'],
  ['unknown', 'String', 'mapped'],
  ['automatic', 'String', 'mapped'],
];

function modelWith(type: TomDataType): SemanticModel {
  return {
    name: 'M', tables: [{
      name: 'T', isHidden: false, kind: 'data', storageMode: 'import', partitions: [], measures: [], hierarchies: [],
      columns: [
        { name: 'Id', dataType: 'int64', kind: 'data', isHidden: false, isKey: false },
        { name: 'X', dataType: type, kind: 'data', isHidden: false, isKey: false },
      ],
    }],
    relationships: [], roles: [], perspectives: [], cultures: [], expressions: [], functions: [], dataSources: 0,
  };
}

describe('TOM → push type table', () => {
  test('covers every TOM type exactly once', () => {
    expect(Object.keys(PUSH_TYPE_MAP).sort()).toEqual([...TOM_DATA_TYPES].sort());
    expect(rows.map((r) => r[0]).sort()).toEqual([...TOM_DATA_TYPES].sort());
  });

  test.each(rows)('%s → %s (%s)', (tom, push, rule) => {
    expect(pushTypeFor(tom)).toEqual({ push, rule });
    const plan = planPushDataset(modelWith(tom));
    const col = plan.request.tables[0]?.columns.find((c) => c.name === 'X');
    const entry = plan.report.entries.find((e) => e.kind === 'column' && e.name === 'X');
    if (rule === 'dropped') {
      expect(col).toBeUndefined();
      expect(entry).toMatchObject({ action: 'dropped', reason: 'unsupportedType' });
    } else {
      expect(col?.dataType).toBe(push);
      expect(entry).toMatchObject(rule === 'same' ? { action: 'kept' } : { action: 'changed', reason: 'typeMapped' });
    }
    expect(plan.report.lossy).toBe(rule !== 'same');
  });

  test('an unexpected type string is treated like unknown', () => {
    expect(pushTypeFor('geography')).toEqual({ push: 'String', rule: 'mapped' });
  });
});
