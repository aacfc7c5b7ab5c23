// What each Power Query `Table.*` step does to a traced table's lineage. Steps whose effect is fully
// known move columns or record a filter; any other step keeps the table's source but makes the
// lineage approximate, naming the step. Function semantics: https://learn.microsoft.com/powerquery-m/table-functions
import { Language } from '@microsoft/powerquery-parser';
import type { MNode } from './m-parse.js';
import { referencedNames, translatePredicate } from './m-predicate.js';
import type { ColumnMap, ColumnOrigin, MValue, TableState } from './m-values.js';
import { lookupColumn, unknown } from './m-values.js';
import type { LineageFilter, LineageStep } from './types.js';

export interface StepCall {
  fn: string;
  /** The `let` step the call belongs to, for the report. */
  label: string;
  args: readonly MValue[];
  argNodes: readonly MNode[];
  /** Evaluates an expression in the step's scope (constants inside a predicate). */
  constant(node: MNode): MValue;
}

const K = Language.Ast.NodeKind;

type StepEffect = (state: TableState, call: StepCall) => TableState | string;

/** Steps with no effect on which rows and source columns the table holds. */
const NO_EFFECT = new Set(['Table.TransformColumnTypes', 'Table.ReorderColumns', 'Table.Sort', 'Table.Buffer', 'Table.StopFolding', 'Table.AddKey']);

// A step returns its new state, or a string: the reason it could not be followed exactly.
const EFFECTS: Readonly<Record<string, StepEffect>> = {
  'Table.SelectColumns': (state, call) => {
    const names = textList(call.args[1]);
    if (!names) return 'the column list is not a constant';
    const explicit = new Map<string, ColumnOrigin>();
    for (const name of names) {
      const origin = lookupColumn(state.columns, name);
      if (origin) explicit.set(name, origin);
    }
    return withColumns(state, call, { explicit, passthrough: false, hidden: new Set() }, `keeps ${names.length} column(s)`);
  },
  'Table.RemoveColumns': (state, call) => {
    const names = textList(call.args[1]);
    if (!names) return 'the column list is not a constant';
    const explicit = new Map(state.columns.explicit);
    const hidden = new Set(state.columns.hidden);
    for (const name of names) {
      explicit.delete(name);
      hidden.add(name);
    }
    return withColumns(state, call, { explicit, passthrough: state.columns.passthrough, hidden }, `removes ${names.join(', ')}`);
  },
  'Table.RenameColumns': (state, call) => {
    const pairs = renamePairs(call.args[1]);
    if (!pairs) return 'the rename list is not a constant list of {old, new} pairs';
    // M renames all pairs at once: read every old name before writing any new one.
    const origins = pairs.map(([from]) => lookupColumn(state.columns, from));
    const explicit = new Map(state.columns.explicit);
    const hidden = new Set(state.columns.hidden);
    for (const [from] of pairs) {
      explicit.delete(from);
      hidden.add(from);
    }
    pairs.forEach(([, to], i) => {
      const origin = origins[i];
      if (origin) explicit.set(to, origin);
      else explicit.delete(to);
      hidden.add(to);
    });
    return withColumns(state, call, { explicit, passthrough: state.columns.passthrough, hidden }, pairs.map(([a, b]) => `${a} → ${b}`).join(', '));
  },
  'Table.DuplicateColumn': (state, call) => {
    const [from, to] = [text(call.args[1]), text(call.args[2])];
    if (from === undefined || to === undefined) return 'the column names are not constants';
    const explicit = new Map(state.columns.explicit);
    const origin = lookupColumn(state.columns, from);
    if (origin) explicit.set(to, origin);
    return withColumns(state, call, { ...state.columns, explicit }, `${from} → ${to}`);
  },
  'Table.AddColumn': (state, call) => {
    const name = text(call.args[1]);
    if (name === undefined) return 'the new column name is not a constant';
    const explicit = new Map(state.columns.explicit);
    explicit.set(name, { derived: `computed in M by the step "${call.label}" (Table.AddColumn)` });
    return withColumns(state, call, { ...state.columns, explicit }, `adds ${name}`);
  },
  'Table.TransformColumns': (state, call) => {
    if (call.args[2] !== undefined && call.args[2].t !== 'null') return 'a default transformation applies to every column';
    const names = transformedColumns(call.args[1]);
    if (!names) return 'the transformation list is not a constant';
    const explicit = new Map(state.columns.explicit);
    for (const name of names) explicit.set(name, { derived: `transformed in M by the step "${call.label}" (Table.TransformColumns)` });
    return withColumns(state, call, { ...state.columns, explicit }, `transforms ${names.join(', ')}`);
  },
  'Table.SelectRows': (state, call) => selectRows(state, call),
};

/** Applies a `Table.*` call whose first argument is a traced table. */
export function applyStep(input: MValue, call: StepCall): MValue {
  if (input.t !== 'table') return input.t === 'foreign' || input.t === 'unknown' ? input : unknown(`${call.fn} of ${input.t}`);
  const state = input.state;
  if (NO_EFFECT.has(call.fn)) return { t: 'table', state: addStep(state, { name: call.label, function: call.fn, effect: 'none' }) };
  const effect = EFFECTS[call.fn];
  const result = effect ? effect(state, call) : 'its effect on rows and columns is not traced';
  if (typeof result !== 'string') return { t: 'table', state: result };
  return { t: 'table', state: unsupported(state, call.label, call.fn, result) };
}

/** Marks the lineage approximate at this step, keeping the source. */
export function unsupported(state: TableState, label: string, fn: string, detail: string): TableState {
  return {
    ...addStep(state, { name: label, function: fn, effect: 'unsupported', detail }),
    approximate: [...state.approximate, `${label} (${fn})`],
  };
}

function selectRows(state: TableState, call: StepCall): TableState | string {
  const lambda = call.args[1];
  if (lambda?.t !== 'lambda') return 'the condition is not an `each` or `(row) =>` function';
  const fnNode = lambda.node;
  let body: MNode;
  let rowVar: string;
  if (fnNode.kind === K.EachExpression) {
    body = fnNode.paired;
    rowVar = '_';
  } else if (fnNode.kind === K.FunctionExpression && fnNode.parameters.content.elements.length === 1) {
    body = fnNode.expression;
    rowVar = fnNode.parameters.content.elements[0]!.node.name.literal;
  } else {
    return 'the condition is not a one-argument function';
  }
  const m = lambda.text;
  const names = referencedNames(body);
  if (names.has('RangeStart') || names.has('RangeEnd')) {
    // Incremental refresh: each refresh partition applies its own window, so no fixed filter exists.
    const filter: LineageFilter = { step: call.label, m, kind: 'incrementalRefresh' };
    const next = addStep(state, { name: call.label, function: call.fn, effect: 'filter', detail: 'incremental refresh window' }, filter);
    return { ...next, approximate: [...next.approximate, `${call.label} (incremental refresh window)`] };
  }
  const predicate = translatePredicate(body, {
    rowVar,
    constant: call.constant,
    column: (name) => {
      const origin = lookupColumn(state.columns, name);
      if (!origin) return { error: `the column ${name} is not in the step's input` };
      if ('derived' in origin) return { error: `the column ${name} is ${origin.derived}` };
      return { sql: quoteIdentifier(origin.source) };
    },
  });
  if ('always' in predicate) return addStep(state, { name: call.label, function: call.fn, effect: 'none', detail: 'keeps every row' });
  if ('error' in predicate) {
    const filter: LineageFilter = { step: call.label, m, kind: 'rows' };
    const next = addStep(state, { name: call.label, function: call.fn, effect: 'filter', detail: `not translated: ${predicate.error}` }, filter);
    return { ...next, approximate: [...next.approximate, `${call.label} (${call.fn}: ${predicate.error})`] };
  }
  const filter: LineageFilter = { step: call.label, m, sql: predicate.sql, kind: 'rows' };
  return addStep(state, { name: call.label, function: call.fn, effect: 'filter', detail: predicate.sql }, filter);
}

/** A Snowflake identifier, double-quoted with `"` doubled, so it keeps its exact case. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function withColumns(state: TableState, call: StepCall, columns: ColumnMap, detail: string): TableState {
  return { ...addStep(state, { name: call.label, function: call.fn, effect: 'columns', detail }), columns };
}

function addStep(state: TableState, step: LineageStep, filter?: LineageFilter): TableState {
  return { ...state, steps: [...state.steps, step], filters: filter ? [...state.filters, filter] : state.filters };
}

function text(value: MValue | undefined): string | undefined {
  return value?.t === 'text' ? value.v : undefined;
}

/** `{"a", "b"}` or a single `"a"` (both accepted by Table.SelectColumns / RemoveColumns). */
function textList(value: MValue | undefined): string[] | undefined {
  if (value?.t === 'text') return [value.v];
  if (value?.t !== 'list') return undefined;
  const names = value.items.map(text);
  return names.every((n): n is string => n !== undefined) ? names : undefined;
}

/** `{{"old", "new"}, …}` or a single `{"old", "new"}`. */
function renamePairs(value: MValue | undefined): Array<[string, string]> | undefined {
  if (value?.t !== 'list') return undefined;
  const single = textList(value);
  if (single && single.length === 2) return [[single[0]!, single[1]!]];
  const pairs: Array<[string, string]> = [];
  for (const item of value.items) {
    const pair = textList(item);
    if (!pair || pair.length !== 2) return undefined;
    pairs.push([pair[0]!, pair[1]!]);
  }
  return pairs;
}

/** The column names of `{{"col", fn, type?}, …}` or a single `{"col", fn}`. */
function transformedColumns(value: MValue | undefined): string[] | undefined {
  if (value?.t !== 'list') return undefined;
  const first = value.items[0];
  if (first?.t === 'text') return [first.v];
  const names: string[] = [];
  for (const item of value.items) {
    const name = item.t === 'list' ? text(item.items[0]) : undefined;
    if (name === undefined) return undefined;
    names.push(name);
  }
  return names;
}
