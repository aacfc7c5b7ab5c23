// Text that is not valid Unicode — a NUL character or half of a surrogate pair — cannot come from a
// real Power BI model (TMSL and XMLA are XML and UTF-8, which cannot carry either), but a hand-made
// or hostile definition can hold it, and the warehouse then refuses the model's JSON whole ("no low
// surrogate in string"). So such an object is removed from the model with a reason, and everything
// else of the model is still read and synced (issue 13 item 15). A model whose own name is invalid
// is rejected on its own, with an InputError; the other models of a run go on.
import { InputError } from '../errors.js';
import type { LoadedModel, SemanticModel, Table } from './model.js';

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// eslint-disable-next-line no-control-regex -- NUL is what is looked for
const INVALID = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when any string inside `value` (its own fields, nested arrays and objects) holds invalid text. */
export function hasInvalidText(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return INVALID.test(value);
  if (value === null || typeof value !== 'object' || depth > 32) return false;
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (hasInvalidText(v, depth + 1)) return true;
  return false;
}

/** A name as it may be shown: JSON spelling escapes the NUL and the lone surrogate. */
const shown = (name: string): string => JSON.stringify(name);
const WHY = 'it holds a NUL character or an unpaired surrogate, which is not valid Unicode';

/** The model without its invalid objects, and one warning per removed object. */
export function rejectInvalidText(loaded: LoadedModel): LoadedModel {
  const m = loaded.model;
  if (INVALID.test(m.name)) {
    throw new InputError(`The model name ${shown(m.name)} is not valid Unicode (a NUL character or an unpaired surrogate); the model was not read`, { file: loaded.source.location }, {
      hint: 'Rename the model; the other models are not affected.',
    });
  }
  if (!hasInvalidText({ ...m, dataSources: 0 })) return loaded;
  const warnings: string[] = [];
  const removed = (what: string, name: string) => warnings.push(`${what} ${shown(name)} was left out: ${WHY}`);
  const keep = <T extends { name: string }>(items: T[], what: string): T[] =>
    items.filter((x) => {
      if (!hasInvalidText(x)) return true;
      removed(what, x.name);
      return false;
    });
  const tables: Table[] = [];
  for (const t of m.tables) {
    const { partitions, columns, measures, hierarchies, calculationGroup, ...own } = t;
    if (hasInvalidText(own)) {
      removed('table', t.name);
      continue;
    }
    const table: Table = {
      ...t,
      partitions: keep(partitions, `partition of '${t.name}'`),
      columns: keep(columns, `column of '${t.name}'`),
      measures: keep(measures, `measure of '${t.name}'`),
      hierarchies: keep(hierarchies, `hierarchy of '${t.name}'`),
    };
    if (calculationGroup) {
      const { items, ...group } = calculationGroup;
      table.calculationGroup = { ...(hasInvalidText(group) ? { items } : { ...group, items }), items: keep(items, `calculation item of '${t.name}'`) };
      if (hasInvalidText(group)) warnings.push(`the calculation group description of table ${shown(t.name)} was left out: ${WHY}`);
    }
    tables.push(table);
  }
  const model: SemanticModel = {
    ...m,
    tables,
    relationships: keep(m.relationships, 'relationship'),
    roles: keep(m.roles, 'role'),
    perspectives: keep(m.perspectives, 'perspective'),
    cultures: m.cultures.filter((c) => {
      if (!INVALID.test(c)) return true;
      removed('culture', c);
      return false;
    }),
    expressions: keep(m.expressions, 'shared expression'),
    functions: keep(m.functions, 'function'),
  };
  for (const field of ['description', 'culture', 'defaultMode'] as const) {
    const v = model[field];
    if (typeof v === 'string' && INVALID.test(v)) {
      delete model[field];
      warnings.push(`the model ${field} was left out: ${WHY}`);
    }
  }
  return { ...loaded, model, warnings: [...loaded.warnings, ...warnings] };
}
