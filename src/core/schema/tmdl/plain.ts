// Columns and measures declared once with only `key: value` lines (nearly all of them) read in one
// pass over those lines (issue 15): build.ts otherwise looks each property up by name, a dozen
// lookups per column. Anything this pass does not take as it is — a value that is not valid, a
// quoted sortByColumn, two descriptions — returns undefined, and build.ts reads the object the
// general way, which reports the error exactly as before.
import type { Column, Measure } from '../model.js';
import { DATA_TYPES, SUMMARIZE_BY, canonical } from './enums.js';
import { PROP_SLOTS, type TmdlNode } from './node.js';

/** The column of `node` as build.ts readColumn makes it, or undefined when it must read it itself. */
export function readPlainColumn(node: TmdlNode, inCalculatedTable: boolean): Column | undefined {
  const p = node.props;
  let dataType = -1, isHidden = -1, isKey = -1, inferred = -1, sourceColumn = -1, formatString = -1;
  let displayFolder = -1, dataCategory = -1, summarizeBy = -1, sortByColumn = -1, description = -1;
  for (let j = 0; j < p.length; j += PROP_SLOTS) {
    switch (p[j]) {
      case 'datatype': dataType = j + 1; break;
      case 'ishidden': isHidden = j + 1; break;
      case 'iskey': isKey = j + 1; break;
      case 'isdatatypeinferred': inferred = j + 1; break;
      case 'sourcecolumn': sourceColumn = j + 1; break;
      case 'formatstring': formatString = j + 1; break;
      case 'displayfolder': displayFolder = j + 1; break;
      case 'datacategory': dataCategory = j + 1; break;
      case 'summarizeby': summarizeBy = j + 1; break;
      case 'sortbycolumn': sortByColumn = j + 1; break;
      case 'description': description = j + 1; break;
    }
  }
  const type = dataType < 0 ? undefined : DATA_TYPES.get((p[dataType] as string).toLowerCase());
  const hidden = flag(p, isHidden);
  const key = flag(p, isKey);
  if ((dataType >= 0 && type === undefined) || hidden === null || key === null) return undefined;
  if (description >= 0 && node.description !== undefined) return undefined;
  if (sortByColumn >= 0 && !isBareName(p[sortByColumn] as string)) return undefined;
  const calculated = node.sep === '=';
  const col: Column = {
    name: node.name ?? '',
    dataType: type ?? 'automatic',
    kind: calculated ? 'calculated' : inCalculatedTable ? 'calculatedTableColumn' : 'data',
    isHidden: hidden ?? false,
    isKey: key ?? false,
  };
  if (type === undefined) col.dataTypeInferred = true;
  else {
    const isInferred = flag(p, inferred);
    if (isInferred === null) return undefined;
    if (isInferred === true) col.dataTypeInferred = true;
  }
  if (calculated) col.expression = node.value ?? '';
  if (sourceColumn >= 0) col.sourceColumn = p[sourceColumn] as string;
  if (formatString >= 0) col.formatString = p[formatString] as string;
  if (displayFolder >= 0) col.displayFolder = p[displayFolder] as string;
  if (dataCategory >= 0) col.dataCategory = p[dataCategory] as string;
  if (summarizeBy >= 0) col.summarizeBy = canonical(SUMMARIZE_BY, p[summarizeBy] as string);
  if (sortByColumn >= 0) col.sortByColumn = (p[sortByColumn] as string).trim();
  const text = node.description ?? (description >= 0 ? (p[description] as string) : undefined);
  if (text !== undefined) col.description = text;
  return col;
}

/** The measure of `node` as build.ts readMeasure makes it, or undefined when it must read it itself. */
export function readPlainMeasure(node: TmdlNode): Measure | undefined {
  const p = node.props;
  let isHidden = -1, formatString = -1, displayFolder = -1, description = -1;
  for (let j = 0; j < p.length; j += PROP_SLOTS) {
    switch (p[j]) {
      case 'ishidden': isHidden = j + 1; break;
      case 'formatstring': formatString = j + 1; break;
      case 'displayfolder': displayFolder = j + 1; break;
      case 'description': description = j + 1; break;
    }
  }
  const hidden = flag(p, isHidden);
  if (hidden === null || (description >= 0 && node.description !== undefined)) return undefined;
  const measure: Measure = { name: node.name ?? '', expression: (node.sep === '=' ? node.value : undefined) ?? '', isHidden: hidden ?? false };
  if (formatString >= 0) measure.formatString = p[formatString] as string;
  if (displayFolder >= 0) measure.displayFolder = p[displayFolder] as string;
  const text = node.description ?? (description >= 0 ? (p[description] as string) : undefined);
  if (text !== undefined) measure.description = text;
  return measure;
}

/** A `key: true|false` value at slot `at` (any case): undefined when absent, null when not a boolean. */
function flag(p: readonly unknown[], at: number): boolean | undefined | null {
  if (at < 0) return undefined;
  const v = (p[at] as string).toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : null;
}

/** A sortByColumn value nameRef (lines.ts) returns trimmed as it is: not quoted. */
function isBareName(value: string): boolean {
  const s = value.trim();
  return s.length === 0 || s.charCodeAt(0) !== 39 /* ' */;
}
