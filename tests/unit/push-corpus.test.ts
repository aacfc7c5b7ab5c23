// The push planner on every model (issue 4 "Must show") — the synthetic ones in tests/fixtures/models and,
// when present, the corpus's real ones: the request validates against the project's CreateDatasetRequest
// contract (name patterns included; the contract is held to Microsoft's Swagger by
// contracts-conformance.test.ts) and the documented limits, the report lists every object, and the known
// losses carry their reasons. Models built in code cover USERELATIONSHIP chains, renamed tables and the
// 75/75/75 limits.
import { describe, expect, test } from 'vitest';
import { validateContractBody } from '../support/contracts/index.js';
import { corpusEntries, modelEntries, synthetic } from '../support/paths.js';
import { describeCorpus } from '../support/tiers.js';
import { loadModel } from '../../src/core/schema/load.js';
import type { Column, Measure, Relationship, SemanticModel, Table } from '../../src/core/schema/model.js';
import { assertStrict, planPushDataset } from '../../src/core/publishers/push/plan.js';
import { summarizeReport } from '../../src/core/publishers/report.js';
import { PUSH_TABLE_NAME_PATTERN } from '../../src/core/publishers/push/names.js';
import { ConversionError } from '../../src/core/errors.js';

const entries = modelEntries();
const extra = (e: (typeof entries)[number], k: string): number => Number((e.expected.extra as Record<string, unknown> | undefined)?.[k] ?? 0);

describe.each(entries)('$tier $id', (entry) => {
  test('plans a valid request and reports every object', async () => {
    const { model } = await loadModel(entry.dir);
    const plan = planPushDataset(model);
    const { request, report } = plan;
    expect(request.name).toBe(`${model.name}_PushSync`);
    expect(JSON.stringify(planPushDataset(model))).toBe(JSON.stringify(plan)); // deterministic

    if (plan.empty) {
      expect(request.tables).toEqual([]);
      expect(report.empty).toBe(true);
    } else {
      expect(validateContractBody('CreateDatasetRequest', request)).toEqual([]);
    }
    // Documented limits and name rules (docs/fabric-rest.md, "Push datasets").
    expect(request.tables.length).toBeLessThanOrEqual(75);
    expect(request.relationships?.length ?? 0).toBeLessThanOrEqual(75);
    const names = request.tables.map((t) => t.name.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
    for (const t of request.tables) {
      expect(t.name).toMatch(PUSH_TABLE_NAME_PATTERN);
      expect(t.columns.length).toBeGreaterThan(0);
      expect(t.columns.length).toBeLessThanOrEqual(75);
      const cols = new Set(t.columns.map((c) => c.name));
      for (const c of t.columns) if (c.sortByColumn !== undefined) expect(cols.has(c.sortByColumn)).toBe(true);
    }
    for (const r of request.relationships ?? []) {
      expect(r.name).toMatch(PUSH_TABLE_NAME_PATTERN);
      const from = request.tables.find((t) => t.name === r.fromTable);
      const to = request.tables.find((t) => t.name === r.toTable);
      expect(from?.columns.some((c) => c.name === r.fromColumn)).toBe(true);
      expect(to?.columns.some((c) => c.name === r.toColumn)).toBe(true);
    }
    // Every table, column, measure and relationship of the model has exactly one entry.
    const keyOf = (kind: string, table: string | undefined, name: string): string => `${kind}|${table ?? ''}|${name}`;
    const listed = new Map(report.entries.map((e) => [keyOf(e.kind, e.table, e.name), e]));
    const objects = [
      ...model.tables.map((t) => keyOf('table', undefined, t.name)),
      ...model.tables.flatMap((t) => t.columns.map((c) => keyOf('column', t.name, c.name))),
      ...model.tables.flatMap((t) => t.measures.map((m) => keyOf('measure', t.name, m.name))),
      ...model.relationships.map((r) => keyOf('relationship', undefined, r.name)),
    ];
    for (const k of objects) expect(listed.has(k), k).toBe(true);
    const pushedMeasures = request.tables.reduce((n, t) => n + (t.measures?.length ?? 0), 0);
    expect(pushedMeasures).toBe(report.entries.filter((e) => e.kind === 'measure' && e.action !== 'dropped').length);

    // Known losses of the model, with their reasons.
    const count = (kind: string, reason: string): number => report.entries.filter((e) => e.kind === kind && e.reason === reason).length;
    expect(count('table', 'calculationGroup')).toBe(entry.expected.calculationGroups);
    expect(count('table', 'calculatedTable')).toBe(entry.expected.calculatedTables);
    expect(count('relationship', 'inactiveRelationship')).toBe(extra(entry, 'inactiveRelationships'));
    expect(count('relationship', 'manyToMany')).toBe(extra(entry, 'manyToMany'));
    expect(count('hierarchy', 'hierarchy')).toBe(entry.expected.hierarchies);
    expect(count('role', 'role')).toBe(entry.expected.roles);
    for (const t of model.tables) {
      for (const c of t.columns.filter((x) => x.kind === 'calculated')) {
        const e = listed.get(keyOf('column', t.name, c.name));
        expect(e?.action).toBe('dropped');
        expect(e?.reason).toBe(t.kind === 'data' ? 'calculatedColumn' : 'tableDropped');
      }
    }
    const summary = summarizeReport(report);
    // Dropped (the loss) and not applicable (partitions, shared expressions) are counted apart.
    expect(summary.counts.kept + summary.counts.changed + summary.counts.dropped + summary.counts.notApplicable).toBe(report.entries.length);
    expect(summary.counts.notApplicable).toBe(report.entries.filter((e) => e.informational).length);
    expect(summary.entries.length).toBe(report.entries.length - summary.counts.kept);
  });
});

describe('reasons on named synthetic models', () => {
  const plan = async (dir: string) => planPushDataset((await loadModel(dir)).model);

  test('syn-retail: calc group, calculated tables and field parameter, USERELATIONSHIP, many-to-many, measures on dropped objects, a renamed table', async () => {
    const { report, request, nameMap } = await plan(synthetic.retailTmdl);
    const find = (kind: string, name: string) => report.entries.find((e) => e.kind === kind && e.name === name);
    expect(report.entries.filter((e) => e.kind === 'table' && e.action === 'dropped').map((e) => `${e.name}: ${e.reason}`).sort()).toEqual([
      'Date: calculatedTable', 'Metric Selector: calculatedTable', 'Time Intelligence: calculationGroup', 'Top Stores: calculatedTable',
    ]);
    expect(find('measure', 'Sales Qty by Ship Date')).toMatchObject({ action: 'dropped', reason: 'usesUserelationship' });
    expect(find('measure', 'Line Margin Total')).toMatchObject({ action: 'dropped', reason: 'referencesDropped', detail: expect.stringContaining('Line Margin') });
    expect(find('measure', 'Sales Amount (Δ LY)')).toMatchObject({ action: 'dropped', reason: 'referencesDropped' });
    expect(find('relationship', '5e0f1a2b-0000-4000-8000-000000000105')).toMatchObject({ action: 'dropped', reason: 'manyToMany' });
    expect(find('relationship', '5e0f1a2b-0000-4000-8000-000000000104')).toMatchObject({ action: 'dropped', reason: 'inactiveRelationship' });
    expect(find('table', 'Returns & Refunds (Q1.2026)')).toMatchObject({ action: 'changed', reason: 'renamed' });
    const renamed = nameMap['Returns & Refunds (Q1.2026)']!;
    expect(request.tables.find((t) => t.name === renamed)?.measures?.find((m) => m.name === '"Quoted" ; DROP TABLE x; --')?.expression).toBe(`COUNTROWS('${renamed}')`);
  });

  test('syn-directlake: the measures of an import measure table move to the first Direct Lake table pushed', async () => {
    const { report, request } = await plan(synthetic.directLake);
    const moved = report.entries.filter((e) => e.reason === 'movedTable').map((e) => e.name);
    expect(moved).toEqual(['Trip Count', 'Distance (km)', 'Fuel per 100 km', 'Electric Share']);
    expect(request.tables[0]?.name).toBe('Trips');
    expect(request.tables[0]?.measures?.map((m) => m.name)).toEqual(moved);
  });

  test('a model of calculated tables and a calculation group only → empty plan, strict refuses it', () => {
    const p = planPushDataset(model([
      table('Dates', [col('Date', { kind: 'calculatedTableColumn' })], [], { kind: 'calculatedTable' }),
      table('Periods', [col('Name', { dataType: 'string' })], [], { kind: 'calculationGroup' }),
    ]));
    expect(p.empty).toBe(true);
    expect(summarizeReport(p.report).text).toMatch(/no table can be pushed/);
    expect(() => assertStrict(p)).toThrow(ConversionError);
  });
});

describeCorpus('reasons on named corpus models', () => {
  const plan = async (id: string) => {
    const e = corpusEntries().find((x) => x.id === id);
    if (!e) throw new Error(`corpus model ${id} missing`);
    return planPushDataset((await loadModel(e.dir)).model);
  };

  test('as-sales-bim: calc group, calculated tables, USERELATIONSHIP measure and the measures built on a dropped table', async () => {
    const { report } = await plan('as-sales-bim');
    const find = (name: string) => report.entries.find((e) => e.name === name);
    expect(report.entries.filter((e) => e.kind === 'table' && e.action === 'dropped').map((e) => e.reason).sort())
      .toEqual(['calculatedTable', 'calculatedTable', 'calculatedTable', 'calculationGroup']);
    expect(find('Sales Qty by Delivery Date')).toMatchObject({ action: 'dropped', reason: 'usesUserelationship' });
    expect(find('Value (ly)')).toMatchObject({ action: 'dropped', reason: 'referencesDropped', detail: expect.stringContaining('[Value]') });
  });

  test('te-adventureworks-1400: measure → measure → dropped calculated column is dropped transitively', async () => {
    const { report } = await plan('te-adventureworks-1400');
    const find = (name: string) => report.entries.find((e) => e.kind === 'measure' && e.name === name);
    expect(find('Internet Total Gross Profit')).toMatchObject({ reason: 'referencesDropped', detail: expect.stringContaining("'Internet Sales'[Gross Profit]") });
    expect(find('Internet Previous Quarter Gross Profit')).toMatchObject({ reason: 'referencesDropped', detail: expect.stringContaining('[Internet Total Gross Profit]') });
    expect(find('Internet Previous Quarter Gross Profit Proportion to QTD')?.action).toBe('dropped');
  });

  test('fuam-core: measures of calculated measure tables move to the first pushed table; the 75-column limit is reported', async () => {
    const { report, request } = await plan('fuam-core');
    const moved = report.entries.filter((e) => e.reason === 'movedTable');
    expect(moved.length).toBeGreaterThan(200);
    const host = request.tables[0];
    expect(host?.measures?.length).toBeGreaterThanOrEqual(moved.length);
    const limited = report.entries.filter((e) => e.reason === 'columnLimit');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.detail).toMatch(/first 75/);
  });

  test('dt-calcgroup and dt-standard: only calculated tables and a calc group → empty plan, strict refuses it', async () => {
    for (const id of ['dt-calcgroup', 'dt-standard']) {
      const p = await plan(id);
      expect(p.empty).toBe(true);
      expect(summarizeReport(p.report).text).toMatch(/no table can be pushed/);
      expect(() => assertStrict(p)).toThrow(ConversionError);
    }
  });
});

// --- synthetic models -------------------------------------------------------------------------

const col = (name: string, over: Partial<Column> = {}): Column => ({ name, dataType: 'int64', kind: 'data', isHidden: false, isKey: false, ...over });
const meas = (name: string, expression: string): Measure => ({ name, expression, isHidden: false });
const table = (name: string, columns: Column[], measures: Measure[] = [], over: Partial<Table> = {}): Table => ({
  name, isHidden: false, kind: 'data', storageMode: 'import', partitions: [], columns, measures, hierarchies: [], ...over,
});
const rel = (name: string, ft: string, fc: string, tt: string, tc: string, over: Partial<Relationship> = {}): Relationship => ({
  name, fromTable: ft, fromColumn: fc, toTable: tt, toColumn: tc, fromCardinality: 'many', toCardinality: 'one', crossFilteringBehavior: 'oneDirection', isActive: true, ...over,
});
const model = (tables: Table[], relationships: Relationship[] = []): SemanticModel => ({
  name: 'Synthetic', tables, relationships, roles: [], perspectives: [], cultures: [], expressions: [], functions: [], dataSources: 0,
});

describe('synthetic models', () => {
  test('a USERELATIONSHIP measure and a measure that references it are both dropped; the others stay', () => {
    const m = model(
      [
        table('Sales', [col('OrderDate'), col('ShipDate'), col('Qty')], [
          meas('Qty', 'SUM(Sales[Qty])'),
          meas('Qty by Ship', "CALCULATE([Qty], userelationship(Sales[ShipDate], 'Date'[Date]))"),
          meas('Qty by Ship LY', "CALCULATE([Qty by Ship], SAMEPERIODLASTYEAR('Date'[Date]))"),
          meas('Label', '"uses USERELATIONSHIP( in a string" & [Qty]'),
        ]),
        table('Date', [col('Date', { dataType: 'dateTime' })]),
      ],
      [rel('r1', 'Sales', 'OrderDate', 'Date', 'Date'), rel('r2', 'Sales', 'ShipDate', 'Date', 'Date', { isActive: false })],
    );
    const { report, request } = planPushDataset(m);
    const reason = (n: string) => report.entries.find((e) => e.kind === 'measure' && e.name === n);
    expect(reason('Qty by Ship')).toMatchObject({ action: 'dropped', reason: 'usesUserelationship' });
    expect(reason('Qty by Ship LY')).toMatchObject({ action: 'dropped', reason: 'referencesDropped' });
    expect(reason('Qty')?.action).toBe('kept');
    expect(reason('Label')?.action).toBe('kept');
    expect(request.tables[0]?.measures?.map((x) => x.name)).toEqual(['Qty', 'Label']);
    expect(report.entries.find((e) => e.name === 'r2')).toMatchObject({ action: 'dropped', reason: 'inactiveRelationship' });
  });

  test('a renamed table keeps its map, and measures referencing it are rewritten in every form', () => {
    const m = model(
      [
        table('Sales.Fact', [col('Amount', { dataType: 'decimal' }), col('Key')], [meas('Total', "SUM('Sales.Fact'[Amount])")]),
        table('Sales_Fact', [col('Key')], [meas('Rows', 'COUNTROWS(Sales.Fact) + SUMX(Sales.Fact, Sales.Fact[Amount]) + COUNTROWS(Sales_Fact)')]),
        table('Dim (Old)', [col('Key')]),
      ],
      [rel('Sales.Fact→Dim', 'Sales.Fact', 'Key', 'Dim (Old)', 'Key')],
    );
    const plan = planPushDataset(m);
    // `Sales_Fact` already is a valid name, so it keeps it; `Sales.Fact` gets the stable suffix.
    expect(plan.nameMap).toEqual({ 'Sales.Fact': 'Sales_Fact_2', Sales_Fact: 'Sales_Fact', 'Dim (Old)': 'Dim _Old_' });
    const measures = plan.request.tables.flatMap((t) => t.measures ?? []);
    expect(measures.find((x) => x.name === 'Total')?.expression).toBe("SUM('Sales_Fact_2'[Amount])");
    expect(measures.find((x) => x.name === 'Rows')?.expression).toBe(
      "COUNTROWS('Sales_Fact_2') + SUMX('Sales_Fact_2', 'Sales_Fact_2'[Amount]) + COUNTROWS(Sales_Fact)",
    );
    expect(plan.request.relationships).toEqual([
      { name: 'Sales_Fact→Dim', fromTable: 'Sales_Fact_2', fromColumn: 'Key', toTable: 'Dim _Old_', toColumn: 'Key', crossFilteringBehavior: 'OneDirection' },
    ]);
    expect(plan.report.entries.find((e) => e.kind === 'table' && e.name === 'Sales.Fact')).toMatchObject({ action: 'changed', reason: 'renamed', pushName: 'Sales_Fact_2' });
    expect(plan.report.entries.find((e) => e.kind === 'measure' && e.name === 'Total')).toMatchObject({ action: 'changed', reason: 'rewritten' });
    expect(validateContractBody('CreateDatasetRequest', plan.request)).toEqual([]);
  });

  test('measures of a calculated measure table move to the first pushed table; qualified references to them lose the dropped qualifier', () => {
    const m = model([
      table('Sales', [col('Qty')]),
      table('_Measures', [col('Dummy', { kind: 'calculatedTableColumn' })], [
        meas('Total', 'SUM(Sales[Qty])'),
        meas('Double', "'_Measures'[Total] * 2 + _Measures[Total]"),
        meas('Uses dummy', "COUNTROWS('_Measures') + MAX('_Measures'[Dummy])"),
      ], { kind: 'calculatedTable' }),
    ]);
    const plan = planPushDataset(m);
    expect(plan.request.tables.map((t) => t.name)).toEqual(['Sales']);
    expect(plan.request.tables[0]?.measures).toEqual([
      { name: 'Total', expression: 'SUM(Sales[Qty])' },
      { name: 'Double', expression: '[Total] * 2 + [Total]' },
    ]);
    const entry = (n: string) => plan.report.entries.find((e) => e.kind === 'measure' && e.name === n);
    expect(entry('Total')).toMatchObject({ action: 'changed', reason: 'movedTable', pushName: 'Sales' });
    expect(entry('Uses dummy')).toMatchObject({ action: 'dropped', reason: 'referencesDropped' });
    expect(entry('Uses dummy')?.detail).toMatch(/table '_Measures'.*column '_Measures'\[Dummy\]/);
  });

  test('limits: the first 75 tables, 75 columns and 75 relationships in model order are kept, each loss reported', () => {
    const dims = Array.from({ length: 80 }, (_, i) => table(`D${i}`, [col('K')]));
    const wide = table('Fact', Array.from({ length: 80 }, (_, i) => col(`C${i}`)));
    const rels = Array.from({ length: 74 }, (_, i) => rel(`r${i}`, 'Fact', `C${i}`, `D${i}`, 'K'));
    const plan = planPushDataset(model([wide, ...dims], rels));
    expect(plan.request.tables).toHaveLength(75);
    expect(plan.request.tables[0]?.columns).toHaveLength(75);
    expect(plan.request.tables.at(-1)?.name).toBe('D73');
    const dropped = (reason: string) => plan.report.entries.filter((e) => e.reason === reason).map((e) => e.name);
    expect(dropped('tableLimit')).toEqual(['D74', 'D75', 'D76', 'D77', 'D78', 'D79']);
    expect(dropped('columnLimit')).toEqual(['C75', 'C76', 'C77', 'C78', 'C79']);
    expect(plan.request.relationships).toHaveLength(74);
    expect(validateContractBody('CreateDatasetRequest', plan.request)).toEqual([]);

    const rels80 = Array.from({ length: 80 }, (_, i) => rel(`r${i}`, 'Fact', `C${i % 70}`, `D${i % 70}`, 'K'));
    const plan2 = planPushDataset(model([wide, ...dims.slice(0, 70)], rels80));
    expect(plan2.request.relationships).toHaveLength(75);
    expect(plan2.report.entries.filter((e) => e.reason === 'relationshipLimit').map((e) => e.name)).toEqual(['r75', 'r76', 'r77', 'r78', 'r79']);
  });

  test('relationships: one-to-many is flipped to many-to-one; one-to-one and many-to-many dropped', () => {
    const m = model(
      [table('A', [col('K')]), table('B', [col('K')])],
      [
        rel('flip', 'A', 'K', 'B', 'K', { fromCardinality: 'one', toCardinality: 'many', crossFilteringBehavior: 'bothDirections' }),
        rel('oo', 'A', 'K', 'B', 'K', { fromCardinality: 'one', toCardinality: 'one' }),
        rel('mm', 'A', 'K', 'B', 'K', { fromCardinality: 'many', toCardinality: 'many' }),
      ],
    );
    const plan = planPushDataset(m);
    expect(plan.request.relationships).toEqual([{ name: 'flip', fromTable: 'B', fromColumn: 'K', toTable: 'A', toColumn: 'K', crossFilteringBehavior: 'BothDirections' }]);
    expect(plan.report.entries.filter((e) => e.kind === 'relationship').map((e) => [e.name, e.action, e.reason])).toEqual([
      ['oo', 'dropped', 'oneToOne'], ['mm', 'dropped', 'manyToMany'], ['flip', 'changed', 'reversed'],
    ]);
  });

  test('column attributes: kept where valid, reported where not', () => {
    const m = model([table('T', [
      col('Name', { dataType: 'string', sortByColumn: 'Order', formatString: '@', dataCategory: 'city', summarizeBy: 'none', isHidden: true }),
      col('Order', { summarizeBy: 'sum' }),
      col('Calc', { kind: 'calculated', expression: '1' }),
      col('Bad', { sortByColumn: 'Calc', dataCategory: 'Years', summarizeBy: 'median' }),
    ])]);
    const plan = planPushDataset(m);
    expect(plan.request.tables[0]?.columns).toEqual([
      { name: 'Name', dataType: 'String', formatString: '@', sortByColumn: 'Order', dataCategory: 'City', isHidden: true, summarizeBy: 'none' },
      { name: 'Order', dataType: 'Int64', summarizeBy: 'sum' },
      { name: 'Bad', dataType: 'Int64' },
    ]);
    const bad = plan.report.entries.find((e) => e.name === 'Bad');
    expect(bad).toMatchObject({ action: 'changed', reason: 'attributeDropped' });
    expect(bad?.detail).toMatch(/sort-by column \[Calc\].*Years.*median/);
  });

  test('strict: a lossless plan passes, a lossy one throws ConversionError; partitions alone are not a loss', () => {
    const clean = model([table('T', [col('K')], [], { partitions: [{ name: 'p', sourceType: 'm', expression: 'x' }] })]);
    const plan = planPushDataset(clean, { suffix: '_Copy' });
    expect(plan.request.name).toBe('Synthetic_Copy');
    expect(plan.report.lossy).toBe(false);
    expect(summarizeReport(plan.report).text).toBe('kept 2 · changed 0 · dropped 0 · not applicable 1 (partition/partition 1)');
    expect(() => assertStrict(plan)).not.toThrow();
    const lossy = planPushDataset(model([table('T', [col('K'), col('C', { kind: 'calculated' })])]));
    expect(() => assertStrict(lossy)).toThrow(/lossy.*column\/calculatedColumn 1/);
  });
});
