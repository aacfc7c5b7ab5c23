// TMSL / model.bim reader: JSON text → canonical SemanticModel (docs/architecture.md#the-flow, issue 2 item 5).
// Counting rules follow docs/testing.md#expected-counts: `type: rowNumber` columns are engine-internal (compat 1200)
// and are not columns; a partition source `calculated` makes a calculated table; a `calculationGroup`
// makes a calculation-group table. Data-source connection details are never kept (they can hold
// credentials): only their number is. Every wrong shape becomes an InputError naming the JSON path,
// never a TypeError, because this reader sees arbitrary files (a fuzzer feeds it truncations).
import { jsonPathLine } from './json-lines.js';
import { InputError } from '../errors.js';
import { Fields, isObj, opt } from './fields.js';
import {
  TOM_DATA_TYPES,
  type CalculationGroup,
  type Cardinality,
  type Column,
  type ColumnKind,
  type CrossFilteringBehavior,
  type Hierarchy,
  type LoadedModel,
  type Measure,
  type Partition,
  type Relationship,
  type Role,
  type SemanticModel,
  type Table,
  type TomDataType,
} from './model.js';

export interface ReadBimOptions {
  /** Overrides the name stored in the file (the loader passes the folder/file-derived name). */
  modelName?: string;
  /** File the text came from; named in every error. */
  location: string;
}

const DATA_TYPES = new Map<string, TomDataType>(TOM_DATA_TYPES.map((t) => [t.toLowerCase(), t]));
const CARDINALITIES: readonly Cardinality[] = ['one', 'many', 'none'];
const CROSS_FILTERS: readonly CrossFilteringBehavior[] = ['oneDirection', 'bothDirections', 'automatic'];

/** Reads TMSL JSON: a database object `{name, compatibilityLevel, model}` or a bare `{model}` wrapper. */
export function readBim(text: string, options: ReadBimOptions): LoadedModel {
  const file = options.location;
  if (text.includes('\u0000')) {
    throw new InputError('Not a text file (it contains NUL bytes); expected a TMSL model.bim', { file, line: lineAt(text, text.indexOf('\u0000')) });
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch (e) {
    throw jsonSyntaxError(body, e, file);
  }
  const f = new Fields(file, body);
  root = unwrapScript(root);
  if (!isObj(root) || !isObj(root.model)) {
    throw new InputError('Not a TMSL model: expected a JSON object with a "model" property', {
      file,
      line: (isObj(root) && jsonPathLine(body, 'model')) || lineAt(body, body.search(/\S/)),
      text: isObj(root) ? `keys: ${Object.keys(root).slice(0, 8).join(', ')}` : typeof root,
    });
  }
  const m = root.model;
  const warnings: string[] = [];
  const defaultMode = f.str(m, 'defaultMode', 'model');
  const model: SemanticModel = {
    name: options.modelName ?? f.str(root, 'name', '') ?? f.str(m, 'name', 'model') ?? 'Model',
    tables: f.arr(m, 'tables', 'model').map((t, i) => readTable(f, t, `model.tables[${i}]`, defaultMode, warnings)),
    relationships: f.arr(m, 'relationships', 'model').map((r, i) => readRelationship(f, r, `model.relationships[${i}]`)),
    roles: f.arr(m, 'roles', 'model').map((r, i) => readRole(f, r, `model.roles[${i}]`)),
    perspectives: f.arr(m, 'perspectives', 'model').map((p, i) => {
      const o = f.obj(p, `model.perspectives[${i}]`);
      const path = `model.perspectives[${i}]`;
      return {
        name: f.name(o, path),
        tables: f.arr(o, 'tables', path).map((t, j) => f.name(f.obj(t, `${path}.tables[${j}]`), `${path}.tables[${j}]`)),
      };
    }),
    cultures: f.arr(m, 'cultures', 'model').map((c, i) => f.name(f.obj(c, `model.cultures[${i}]`), `model.cultures[${i}]`)),
    expressions: f.arr(m, 'expressions', 'model').map((e, i) => {
      const path = `model.expressions[${i}]`;
      const o = f.obj(e, path);
      return opt({
        name: f.name(o, path),
        kind: f.str(o, 'kind', path) ?? 'm',
        expression: f.expr(o, 'expression', path) ?? '',
        description: f.expr(o, 'description', path),
      });
    }),
    functions: f.arr(m, 'functions', 'model').map((e, i) => {
      const path = `model.functions[${i}]`;
      const o = f.obj(e, path);
      return opt({ name: f.name(o, path), expression: f.expr(o, 'expression', path) ?? '', description: f.expr(o, 'description', path) });
    }),
    dataSources: f.arr(m, 'dataSources', 'model').length,
  };
  const description = f.expr(m, 'description', 'model');
  const compat = f.num(root, 'compatibilityLevel', '') ?? f.num(m, 'compatibilityLevel', 'model');
  const culture = f.str(m, 'culture', 'model');
  Object.assign(
    model,
    opt({ description, compatibilityLevel: compat, defaultMode, culture }),
  );
  return { model: reorder(model), source: { format: 'BIM', location: file }, warnings };
}

function readTable(f: Fields, raw: unknown, path: string, defaultMode: string | undefined, warnings: string[]): Table {
  const t = f.obj(raw, path);
  const name = f.name(t, path);
  const partitions: Partition[] = f.arr(t, 'partitions', path).map((p, i) => {
    const pp = `${path}.partitions[${i}]`;
    const o = f.obj(p, pp);
    const src = o.source === undefined ? {} : f.obj(o.source, `${pp}.source`);
    return opt({
      name: f.name(o, pp),
      mode: f.str(o, 'mode', pp),
      sourceType: f.str(src, 'type', `${pp}.source`) ?? 'query',
      expression: f.expr(src, 'expression', `${pp}.source`) ?? f.expr(src, 'query', `${pp}.source`),
    });
  });
  const columns: Column[] = [];
  f.arr(t, 'columns', path).forEach((c, i) => {
    const col = readColumn(f, c, `${path}.columns[${i}]`, warnings, name);
    if (col) columns.push(col);
  });
  const measures: Measure[] = f.arr(t, 'measures', path).map((m, i) => {
    const mp = `${path}.measures[${i}]`;
    const o = f.obj(m, mp);
    return opt({
      name: f.name(o, mp),
      expression: f.expr(o, 'expression', mp) ?? '',
      formatString: f.str(o, 'formatString', mp),
      displayFolder: f.str(o, 'displayFolder', mp),
      description: f.expr(o, 'description', mp),
      isHidden: f.bool(o, 'isHidden', mp),
    });
  });
  const hierarchies: Hierarchy[] = f.arr(t, 'hierarchies', path).map((h, i) => {
    const hp = `${path}.hierarchies[${i}]`;
    const o = f.obj(h, hp);
    return opt({
      name: f.name(o, hp),
      description: f.expr(o, 'description', hp),
      isHidden: f.bool(o, 'isHidden', hp),
      displayFolder: f.str(o, 'displayFolder', hp),
      levels: f.arr(o, 'levels', hp).map((l, j) => {
        const lp = `${hp}.levels[${j}]`;
        const lo = f.obj(l, lp);
        return opt({ name: f.name(lo, lp), column: f.str(lo, 'column', lp) ?? '', ordinal: f.num(lo, 'ordinal', lp) });
      }),
    });
  });
  let calculationGroup: CalculationGroup | undefined;
  if (t.calculationGroup !== undefined && t.calculationGroup !== null) {
    const gp = `${path}.calculationGroup`;
    const g = f.obj(t.calculationGroup, gp);
    calculationGroup = opt({
      precedence: f.num(g, 'precedence', gp),
      description: f.expr(g, 'description', gp),
      items: f.arr(g, 'calculationItems', gp).map((it, i) => {
        const ip = `${gp}.calculationItems[${i}]`;
        const o = f.obj(it, ip);
        const fsd = o.formatStringDefinition === undefined ? {} : f.obj(o.formatStringDefinition, `${ip}.formatStringDefinition`);
        return opt({
          name: f.name(o, ip),
          expression: f.expr(o, 'expression', ip) ?? '',
          ordinal: f.num(o, 'ordinal', ip),
          formatStringExpression: f.expr(fsd, 'expression', `${ip}.formatStringDefinition`),
          description: f.expr(o, 'description', ip),
        });
      }),
    });
  }
  const kind = calculationGroup
    ? 'calculationGroup'
    : partitions.some((p) => p.sourceType === 'calculated')
      ? 'calculatedTable'
      : 'data';
  return opt({
    name,
    description: f.expr(t, 'description', path),
    isHidden: f.bool(t, 'isHidden', path),
    kind,
    storageMode: storageModeOf(partitions, defaultMode),
    partitions,
    columns,
    measures,
    hierarchies,
    calculationGroup,
  });
}

function readColumn(f: Fields, raw: unknown, path: string, warnings: string[], table: string): Column | undefined {
  const c = f.obj(raw, path);
  const type = f.str(c, 'type', path);
  if (type === 'rowNumber') return undefined;
  let kind: ColumnKind = 'data';
  if (type === 'calculated' || type === 'calculatedTableColumn') kind = type;
  else if (type !== undefined && type !== 'data') warnings.push(`${table}: column type "${type}" read as a data column`);
  const dt = f.str(c, 'dataType', path);
  const dataType = dt === undefined ? 'automatic' : DATA_TYPES.get(dt.toLowerCase());
  if (!dataType) {
    throw new InputError(`Invalid model: ${path}.dataType is not a TOM data type (expected one of ${TOM_DATA_TYPES.join(', ')})`, {
      ...f.at(`${path}.dataType`),
      text: dt,
    });
  }
  return opt({
    name: f.name(c, path),
    dataType,
    dataTypeInferred: f.bool(c, 'isDataTypeInferred', path) || undefined,
    kind,
    expression: f.expr(c, 'expression', path),
    sourceColumn: f.str(c, 'sourceColumn', path),
    isHidden: f.bool(c, 'isHidden', path),
    isKey: f.bool(c, 'isKey', path),
    formatString: f.str(c, 'formatString', path),
    displayFolder: f.str(c, 'displayFolder', path),
    dataCategory: f.str(c, 'dataCategory', path),
    summarizeBy: f.str(c, 'summarizeBy', path),
    sortByColumn: f.str(c, 'sortByColumn', path),
    description: f.expr(c, 'description', path),
  });
}

function readRelationship(f: Fields, raw: unknown, path: string): Relationship {
  const r = f.obj(raw, path);
  const req = (k: string) => {
    const v = f.str(r, k, path);
    if (v === undefined) throw new InputError(`Invalid model: ${path}.${k} is missing`, f.at(path));
    return v;
  };
  const fromTable = req('fromTable');
  const fromColumn = req('fromColumn');
  const toTable = req('toTable');
  const toColumn = req('toColumn');
  return opt({
    // TMSL names relationships with GUIDs; an unnamed one gets a name from its ends so it stays stable.
    name: f.str(r, 'name', path) ?? `${fromTable}[${fromColumn}] -> ${toTable}[${toColumn}]`,
    fromTable,
    fromColumn,
    toTable,
    toColumn,
    fromCardinality: f.oneOf(r, 'fromCardinality', path, CARDINALITIES) ?? 'many',
    toCardinality: f.oneOf(r, 'toCardinality', path, CARDINALITIES) ?? 'one',
    crossFilteringBehavior: f.oneOf(r, 'crossFilteringBehavior', path, CROSS_FILTERS) ?? 'oneDirection',
    isActive: f.bool(r, 'isActive', path, true),
    securityFilteringBehavior: f.str(r, 'securityFilteringBehavior', path),
  });
}

function readRole(f: Fields, raw: unknown, path: string): Role {
  const r = f.obj(raw, path);
  // Role members are identities (user principal names): not kept, like data-source details.
  return opt({
    name: f.name(r, path),
    modelPermission: f.str(r, 'modelPermission', path) ?? 'read',
    description: f.expr(r, 'description', path),
    tablePermissions: f.arr(r, 'tablePermissions', path).map((p, i) => {
      const pp = `${path}.tablePermissions[${i}]`;
      const o = f.obj(p, pp);
      return opt({ table: f.name(o, pp), filterExpression: f.expr(o, 'filterExpression', pp) });
    }),
  });
}

/** Common partition mode, `mixed` when they differ, else the model default (`import` when none) — model.ts. */
export function storageModeOf(partitions: ReadonlyArray<{ mode?: string }>, defaultMode: string | undefined): string {
  const modes = new Set(partitions.map((p) => p.mode ?? defaultMode ?? 'import'));
  if (modes.size === 0) return defaultMode ?? 'import';
  return modes.size === 1 ? [...modes][0]! : 'mixed';
}

/** A TMSL `createOrReplace`/`create` script saved as a file carries the database one level down. */
function unwrapScript(root: unknown): unknown {
  if (!isObj(root)) return root;
  for (const cmd of ['createOrReplace', 'create']) {
    const c = Object.hasOwn(root, cmd) ? root[cmd] : undefined;
    if (isObj(c) && isObj(c.database)) return c.database;
  }
  return root;
}

/** 1-based line of a character offset (line 1 when the offset is unknown). */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Puts the model's header fields first, for readable JSON output. */
function reorder(m: SemanticModel): SemanticModel {
  const { name, description, compatibilityLevel, defaultMode, culture, ...rest } = m;
  return opt({ name, description, compatibilityLevel, defaultMode, culture, ...rest });
}

/** A JSON syntax error with the line and the offending line's text (like Microsoft's serializer reports). */
function jsonSyntaxError(text: string, e: unknown, file: string): InputError {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /at position (\d+)/.exec(msg);
  const pos = m ? Number(m[1]) : /end of JSON input/i.test(msg) ? text.length : firstBadOffset(text);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = text.indexOf('\n', pos);
  let lineText = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd).trim();
  if (lineText === '' && pos >= text.length) lineText = text.trimEnd().split('\n').pop()?.trim() ?? '';
  const column = pos - lineStart + 1;
  const reason = msg.replace(/,? ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  return new InputError(
    `Invalid JSON in TMSL model (${reason}, column ${column})`,
    { file, line, text: lineText },
    { hint: 'The file is truncated or was edited by hand; re-export it from Power BI Desktop or Tabular Editor.', cause: e },
  );
}

/** Offset of the first unexpected character, for JSON.parse messages that carry no position. */
function firstBadOffset(text: string): number {
  // eslint-disable-next-line no-control-regex -- JSON forbids raw control characters inside strings
  const tokens = /\s*(?:"(?:[^"\\\u0000-\u001f]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|[{}[\]:,])/y;
  let pos = 0;
  while (pos < text.length) {
    tokens.lastIndex = pos;
    if (!tokens.exec(text)) {
      while (pos < text.length && /\s/.test(text[pos]!)) pos++;
      return pos;
    }
    pos = tokens.lastIndex;
  }
  return pos;
}
