// Table.SelectRows predicates → Snowflake SQL conditions over the source columns, row by row. The
// SQL must keep exactly the rows M keeps: M's `null <> "x"` is true (SQL's is NULL), so `<>` keeps
// null rows explicitly and `not` is pushed down. M operators:
// https://learn.microsoft.com/powerquery-m/operators ; Snowflake EQUAL_NULL / STARTSWITH:
// https://docs.snowflake.com/en/sql-reference/functions/equal_null
import { describe, expect, it } from 'vitest';
import { traceModel } from '../../src/core/lineage/index.js';
import { col, model, mTable, param, snowflakeM } from './lineage-models.js';

async function filterOf(predicate: string) {
  const m = snowflakeM('DB', 'S', 'T', 'Table', [
    '    #"Renamed Columns" = Table.RenameColumns(T_Table,{{"STATUS", "Status"}, {"AMOUNT", "Amount"}}),',
    '    #"Added Custom" = Table.AddColumn(#"Renamed Columns", "Doubled", each [Amount] * 2),',
    `    #"Filtered Rows" = Table.SelectRows(#"Added Custom", ${predicate})`,
  ].join('\n'), '#"Filtered Rows"');
  const lineage = await traceModel(model([mTable('T', m, [col('Status')])], [param('MinAmount', '100'), param('Region', '"EMEA"')]));
  return lineage.tables[0]!;
}

const translated: Array<[string, string]> = [
  ['each [Status] = "open"', `"STATUS" = 'open'`],
  ['each ([Status] = "open")', `"STATUS" = 'open'`],
  ['each [Status] <> "void"', `("STATUS" <> 'void' OR "STATUS" IS NULL)`],
  ['each [Status] = null', `"STATUS" IS NULL`],
  ['each [Status] <> null', `"STATUS" IS NOT NULL`],
  ['each [Amount] > 10', `"AMOUNT" > 10`],
  ['each 10 < [Amount]', `"AMOUNT" > 10`],
  ['each [Amount] >= MinAmount', `"AMOUNT" >= 100`],
  ['each [Amount] <= -2.5', `"AMOUNT" <= -2.5`],
  ['each [REGION] = Region', `"REGION" = 'EMEA'`],
  ['each [Status] = "it\'s" and [NOTE] = "a\\b"', `"STATUS" = 'it''s' AND "NOTE" = 'a\\\\b'`],
  ['each [Status] = "open" or [Status] = "new"', `("STATUS" = 'open' OR "STATUS" = 'new')`],
  ['each ([Status] = "open" or [Status] = "new") and [Amount] > 0', `("STATUS" = 'open' OR "STATUS" = 'new') AND "AMOUNT" > 0`],
  ['each not ([Status] = "void")', `("STATUS" <> 'void' OR "STATUS" IS NULL)`],
  ['each not ([Status] = "a" or [Amount] < 5)', `("STATUS" <> 'a' OR "STATUS" IS NULL) AND "AMOUNT" >= 5`],
  ['each not not ([Amount] > 1)', `"AMOUNT" > 1`],
  ['each [ORDER_DATE] >= #date(2024, 1, 31)', `"ORDER_DATE" >= '2024-01-31'::DATE`],
  ['each [LOADED_AT] < #datetime(2024, 2, 1, 6, 30, 0)', `"LOADED_AT" < '2024-02-01 06:30:00'::TIMESTAMP_NTZ`],
  ['each [IS_ACTIVE]', `"IS_ACTIVE" = TRUE`],
  ['each [IS_ACTIVE] = true', `"IS_ACTIVE" = TRUE`],
  ['each not [IS_DELETED]', `"IS_DELETED" = FALSE`],
  ['each [Status] = [PREV_STATUS]', `EQUAL_NULL("STATUS", "PREV_STATUS")`],
  ['each [Status] <> [PREV_STATUS]', `NOT EQUAL_NULL("STATUS", "PREV_STATUS")`],
  ['each Text.StartsWith([Status], "op")', `STARTSWITH("STATUS", 'op')`],
  ['each Text.Contains([NOTE], "urgent")', `CONTAINS("NOTE", 'urgent')`],
  ['each List.Contains({"a", "b"}, [Status])', `"STATUS" IN ('a', 'b')`],
  ['each not List.Contains({"a"}, [Status])', `("STATUS" NOT IN ('a') OR "STATUS" IS NULL)`],
  ['each List.Contains({"a", null}, [Status])', `("STATUS" IN ('a') OR "STATUS" IS NULL)`],
  ['each _[Status] = "x"', `"STATUS" = 'x'`],
  ['(row) => row[Status] = "x"', `"STATUS" = 'x'`],
];

describe('row filters that translate exactly', () => {
  for (const [predicate, sql] of translated) {
    it(`${predicate} → ${sql}`, async () => {
      const t = await filterOf(predicate);
      expect(t.filters).toEqual([{ step: 'Filtered Rows', m: predicate, sql, kind: 'rows' }]);
      expect(t.confidence).toBe('exact');
      expect(t.steps.at(-1)).toMatchObject({ function: 'Table.SelectRows', effect: 'filter', detail: sql });
    });
  }

  it('drops a filter that keeps every row', async () => {
    const t = await filterOf('each true');
    expect(t.filters).toEqual([]);
    expect(t.confidence).toBe('exact');
    expect(t.steps.at(-1)).toMatchObject({ effect: 'none', detail: 'keeps every row' });
  });
});

const untranslated: Array<[string, string]> = [
  ['each Text.Upper([Status]) = "OPEN"', 'Text.Upper'],
  ['each [Doubled] > 10', 'the column Doubled is computed in M'],
  ['each [Amount] > null', 'a comparison with null'],
  ['each not Text.StartsWith([Status], "x")', 'Text.StartsWith'],
  ['each Text.StartsWith([Status], "x", Comparer.OrdinalIgnoreCase)', 'Text.StartsWith'],
  ['each [Amount] > List.Max(Limits)', 'List.Max'],
  ['(a, b) => true', 'not a one-argument function'],
  ['Predicate', 'the condition is not'],
];

describe('row filters that do not translate make the lineage approximate', () => {
  for (const [predicate, reason] of untranslated) {
    it(predicate, async () => {
      const t = await filterOf(predicate);
      expect(t.confidence).toBe('approximate');
      expect(t.source).toMatchObject({ name: 'T' });
      expect(t.filters.every((f) => f.sql === undefined)).toBe(true);
      expect(t.reason).toContain('Filtered Rows');
      expect(JSON.stringify(t.steps.at(-1))).toContain(reason);
    });
  }

  it('an incremental refresh window is recorded as such, not as a fixed filter', async () => {
    const m = snowflakeM('DB', 'S', 'T', 'Table', '    #"Filtered Rows" = Table.SelectRows(T_Table, each [ORDER_DATE] >= RangeStart and [ORDER_DATE] < RangeEnd)', '#"Filtered Rows"');
    const expressions = [
      { name: 'RangeStart', kind: 'm', expression: '#datetime(2020, 1, 1, 0, 0, 0) meta [IsParameterQuery=true, Type="DateTime", IsParameterQueryRequired=true]' },
      { name: 'RangeEnd', kind: 'm', expression: '#datetime(2021, 1, 1, 0, 0, 0) meta [IsParameterQuery=true, Type="DateTime", IsParameterQueryRequired=true]' },
    ];
    const t = (await traceModel(model([mTable('T', m, [col('ORDER_DATE')])], expressions))).tables[0]!;
    expect(t.filters).toEqual([{ step: 'Filtered Rows', m: 'each [ORDER_DATE] >= RangeStart and [ORDER_DATE] < RangeEnd', kind: 'incrementalRefresh' }]);
    expect(t.confidence).toBe('approximate');
    expect(t.reason).toContain('incremental refresh window');
  });
});
