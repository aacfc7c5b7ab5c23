// Parsed TMDL documents → the canonical SemanticModel (src/core/schema/model.ts).
// Object types follow docs/tmdl.md; defaults are TOM's when a property is absent.
import type {
  CalculationGroup,
  Cardinality,
  Column,
  CrossFilteringBehavior,
  Hierarchy,
  Measure,
  Partition,
  Relationship,
  Role,
  SemanticModel,
  Table,
} from '../model.js';
import { Decl, groupTopLevel, tmdlError } from './decl.js';
import {
  CARDINALITIES,
  CROSS_FILTERING,
  DATA_TYPES,
  EXPRESSION_KINDS,
  MODEL_PERMISSIONS,
  MODES,
  SECURITY_FILTERING,
  SOURCE_TYPES,
  SUMMARIZE_BY,
  canonical,
} from './enums.js';
import { DistinctHashes, LineSyntaxError, nameHash, nameRef, qualifiedRef } from './lines.js';
import { ScanRefused, type TmdlNode, type TmdlRef } from './node.js';

// Objects that may be declared inside `model` (or `database`) instead of at depth 0.
const LIFTED = new Set(['model', 'table', 'relationship', 'role', 'perspective', 'culture', 'cultureinfo', 'expression', 'function', 'datasource']);
const TOP_LEVEL_KNOWN = new Set([...LIFTED, 'database', 'annotation', 'extendedproperty', 'querygroup', 'ref', 'changedproperty']);

export interface BuildResult {
  model: SemanticModel;
  warnings: string[];
}

/**
 * Tables read as soon as their declaration is complete (TableStream), so that the lines of one
 * table are dropped before the next is read. Only a table declared once, at depth 0, can be read
 * alone: the stream refuses (throws) a second declaration of a name, and buildModel one written
 * inside `model`, and the caller then reads the documents again as a whole with buildModel.
 */
export class TableStream {
  readonly tables: Table[] = [];
  private readonly names = new Set<string>();

  add(root: TmdlNode): boolean {
    if (root.kw !== 'table') return false;
    if (root.name === undefined) throw new StreamRefused('a table without a name');
    const key = root.name.toLowerCase();
    if (this.names.has(key)) throw new StreamRefused(`table '${root.name}' is declared in parts`);
    this.names.add(key);
    // The storage mode depends on the model's default mode, which may come later; buildModel sets it.
    this.tables.push(readTable(new Decl([root]), undefined));
    return true;
  }
}

/** The documents cannot be read table by table (see TableStream); read them as a whole. */
export class StreamRefused extends Error {}

export function buildModel(roots: TmdlNode[], refs: TmdlRef[], modelName: string, stream?: TableStream): BuildResult {
  const warnings: string[] = [];
  const all = liftNested(roots);
  const top = groupTopLevel(all);
  if (stream && stream.tables.length > 0 && top.has('table')) throw new StreamRefused('a table is declared inside the model');
  const unknown = [...top.keys()].filter((k) => !TOP_LEVEL_KNOWN.has(k));
  if (unknown.length > 0) warnings.push(`TMDL: ignored unknown top-level object type(s): ${unknown.join(', ')}`);

  const decls = (kw: string, named = true) =>
    [...(top.get(kw)?.entries() ?? [])].map(([key, nodes]) => {
      if (named && key === '') tmdlError(`${kw} needs a name`, nodes[0] as TmdlNode);
      return new Decl(nodes);
    });
  const database = decls('database', false)[0];
  const modelDecl = decls('model', false)[0];
  const defaultModeRaw = modelDecl?.str('defaultmode');
  const defaultMode = defaultModeRaw === undefined ? undefined : canonical(MODES, defaultModeRaw);

  let tables: Table[];
  if (stream && stream.tables.length > 0) {
    tables = ordered(stream.tables, refs, 'table');
    for (const t of tables) t.storageMode = storageMode(t.partitions, defaultMode);
  } else {
    tables = ordered(decls('table'), refs, 'table').map((t) => readTable(t, defaultMode));
  }
  const model: SemanticModel = {
    name: modelName,
    tables,
    relationships: decls('relationship').map(readRelationship),
    roles: ordered(decls('role'), refs, 'role').map(readRole),
    perspectives: ordered(decls('perspective'), refs, 'perspective').map((p) => ({
      name: p.name,
      tables: p.children('perspectivetable').map((pt) => pt.name),
    })),
    cultures: ordered(decls('cultureinfo'), refs, 'cultureinfo').map((c) => c.name),
    expressions: decls('expression').map((e) => ({
      name: e.name,
      kind: canonical(EXPRESSION_KINDS, e.str('kind') ?? 'm'),
      expression: e.value ?? '',
      ...opt('description', describe(e)),
    })),
    functions: decls('function').map((f) => ({ name: f.name, expression: f.value ?? '', ...opt('description', describe(f)) })),
    dataSources: decls('datasource').length,
  };
  const compat = database?.int('compatibilitylevel') ?? modelDecl?.int('compatibilitylevel');
  if (compat !== undefined) model.compatibilityLevel = compat;
  if (defaultMode !== undefined) model.defaultMode = defaultMode;
  const culture = modelDecl?.str('culture');
  if (culture !== undefined) model.culture = culture;
  const description = modelDecl ? describe(modelDecl) : undefined;
  if (description !== undefined) model.description = description;
  return { model, warnings };
}

/** Depth-0 nodes plus objects written inside `database` / `model` (single-document style). */
function liftNested(roots: TmdlNode[]): TmdlNode[] {
  const out: TmdlNode[] = [];
  for (let i = 0; i < roots.length; i++) out.push(roots[i] as TmdlNode);
  for (let i = 0; i < out.length; i++) {
    const n = out[i] as TmdlNode;
    if (n.kw !== 'model' && n.kw !== 'database') continue;
    const keep: TmdlNode[] = [];
    for (const c of n.children) {
      if (LIFTED.has(c.kw) && c.name !== undefined) out.push(c);
      else keep.push(c);
    }
    n.children = keep;
  }
  return out;
}

/** `ref` order first (refs to missing objects are ignored), then the rest in file order (docs/tmdl.md#ordering-with-ref). */
function ordered<T extends { name: string }>(items: T[], refs: TmdlRef[], type: string): T[] {
  const byName = new Map(items.map((d) => [d.name.toLowerCase(), d]));
  const out: T[] = [];
  for (const r of refs) {
    const t = r.type === 'culture' ? 'cultureinfo' : r.type;
    if (t !== type) continue;
    const d = byName.get(r.name.toLowerCase());
    if (d) {
      out.push(d);
      byName.delete(r.name.toLowerCase());
    }
  }
  for (const d of byName.values()) out.push(d);
  return out;
}

/**
 * `///` lines, or a `description:` property written by hand. Both on one object set the same TOM
 * property twice, which is an error like any other repeated property (keeping one would lose text).
 */
function describe(d: Decl): string | undefined {
  const prop = d.node('description');
  if (d.description !== undefined && prop) {
    const where = d.first.file === prop.file ? `line ${d.first.line}` : `line ${d.first.line} of ${d.first.file}`;
    tmdlError(`${d.label()} has two descriptions: /// lines above its declaration (${where}) and 'description:' here; keep one`, prop);
  }
  return d.description ?? d.str('description');
}

/** Sets an optional property only when present (model.ts: absent, not undefined). */
function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function enumProp<T extends string>(d: Decl, key: string, map: ReadonlyMap<string, T>): T | undefined {
  const v = d.str(key);
  if (v === undefined) return undefined;
  const c = map.get(v.toLowerCase());
  if (c === undefined) {
    tmdlError(`unknown ${key} '${v}' (expected one of: ${[...map.values()].join(', ')})`, d.node(key) as TmdlNode);
  }
  return c;
}

function readTable(t: Decl, defaultMode: string | undefined): Table {
  const partitions = t.children('partition').map(readPartition);
  const cg = t.child('calculationgroup');
  const kind = cg ? 'calculationGroup' : partitions.some((p) => p.sourceType === 'calculated') ? 'calculatedTable' : 'data';
  const table: Table = {
    name: t.name,
    ...opt('description', describe(t)),
    isHidden: t.bool('ishidden') ?? false,
    kind,
    storageMode: storageMode(partitions, defaultMode),
    partitions,
    columns: withScanned(t, 'column', t.scanned?.columns, t.scanned?.columnLines, (c) => readColumn(c, kind === 'calculatedTable')),
    measures: withScanned(t, 'measure', t.scanned?.measures, t.scanned?.measureLines, readMeasure),
    hierarchies: t.children('hierarchy').map(readHierarchy),
  };
  if (cg) table.calculationGroup = readCalculationGroup(cg);
  if (kind === 'calculatedTable') {
    for (const c of table.columns) if (c.kind === 'data') c.kind = 'calculatedTableColumn';
  }
  return table;
}

/**
 * The `kw` objects of table `t`: those scan.ts read (declared on `lines`) and the others, in the
 * order they are declared. One declared twice would have to be merged: ScanRefused.
 */
function withScanned<T extends { name: string }>(t: Decl, kw: string, scanned: T[] | undefined, lines: number[] | undefined, read: (d: Decl) => T): T[] {
  const general = t.children(kw);
  if (scanned === undefined || lines === undefined || scanned.length === 0) return general.map(read);
  // Names compared as the general path's index does (lower-cased), by hash: equal hashes of two
  // different names only cost a second read.
  const hashes = new DistinctHashes(scanned.length + general.length);
  for (const o of scanned) if (!hashes.add(nameHash(o.name))) throw new ScanRefused(`a ${kw} of ${t.label()} may be declared twice`);
  for (const d of general) if (!hashes.add(nameHash(d.name))) throw new ScanRefused(`a ${kw} of ${t.label()} may be declared twice`);
  if (general.length === 0) return scanned;
  const out: T[] = [];
  let i = 0;
  for (let j = 0; j < scanned.length; j++) {
    const line = lines[j] as number;
    while (i < general.length && (general[i] as Decl).first.line < line) out.push(read(general[i++] as Decl));
    out.push(scanned[j] as T);
  }
  while (i < general.length) out.push(read(general[i++] as Decl));
  return out;
}

/** model.ts: the partitions' common mode, `mixed` when they differ, else the model default. */
function storageMode(partitions: Partition[], defaultMode: string | undefined): string {
  const fallback = defaultMode && defaultMode !== 'default' ? defaultMode : 'import';
  let mode: string | undefined;
  for (const p of partitions) {
    const m = p.mode && p.mode !== 'default' ? p.mode : fallback;
    if (mode === undefined) mode = m;
    else if (mode !== m) return 'mixed';
  }
  return mode ?? fallback;
}

function readPartition(p: Decl): Partition {
  // `partition x = m`: the default property is the source type; the text is in `source =`
  // (or `query =` for legacy query partitions); Direct Lake `entity` sources are a `source` block.
  const mode = p.str('mode');
  const expression = p.str('source') ?? p.str('query') ?? p.str('expression');
  return {
    name: p.name,
    ...opt('mode', mode === undefined ? undefined : canonical(MODES, mode)),
    sourceType: canonical(SOURCE_TYPES, p.value ?? (p.child('source') ? 'entity' : 'm')),
    ...opt('expression', expression),
  };
}

function readColumn(c: Decl, inCalculatedTable: boolean): Column {
  const calculated = c.hasEquals;
  // TMDL omits properties at their TOM default; an absent dataType is the default `automatic`
  // (seen only on calculated and calculated-table columns, whose type the engine infers).
  const dataType = enumProp(c, 'datatype', DATA_TYPES);
  const col: Column = {
    name: c.name,
    dataType: dataType ?? 'automatic',
    kind: calculated ? 'calculated' : inCalculatedTable ? 'calculatedTableColumn' : 'data',
    isHidden: c.bool('ishidden') ?? false,
    isKey: c.bool('iskey') ?? false,
  };
  if (dataType === undefined || c.bool('isdatatypeinferred') === true) col.dataTypeInferred = true;
  if (calculated) col.expression = c.value ?? '';
  put(col, 'sourceColumn', c.str('sourcecolumn'));
  put(col, 'formatString', c.str('formatstring'));
  put(col, 'displayFolder', c.str('displayfolder'));
  put(col, 'dataCategory', c.str('datacategory'));
  const summarizeBy = c.str('summarizeby');
  if (summarizeBy !== undefined) col.summarizeBy = canonical(SUMMARIZE_BY, summarizeBy);
  put(col, 'sortByColumn', refProp(c, 'sortbycolumn'));
  put(col, 'description', describe(c));
  return col;
}

function readMeasure(m: Decl): Measure {
  const measure: Measure = { name: m.name, expression: m.value ?? '', isHidden: m.bool('ishidden') ?? false };
  put(measure, 'formatString', m.str('formatstring'));
  put(measure, 'displayFolder', m.str('displayfolder'));
  put(measure, 'description', describe(m));
  return measure;
}

function readHierarchy(h: Decl): Hierarchy {
  return {
    name: h.name,
    ...opt('description', describe(h)),
    isHidden: h.bool('ishidden') ?? false,
    ...opt('displayFolder', h.str('displayfolder')),
    levels: h.children('level').map((l, i) => {
      const column = refProp(l, 'column');
      if (column === undefined) tmdlError(`level '${l.name}' has no column`, l.first);
      return { name: l.name, column, ordinal: l.int('ordinal') ?? i };
    }),
  };
}

function readCalculationGroup(cg: Decl): CalculationGroup {
  const precedence = cg.int('precedence');
  return {
    ...opt('precedence', precedence),
    ...opt('description', describe(cg)),
    items: cg.children('calculationitem').map((it) => ({
      name: it.name,
      expression: it.value ?? '',
      ...opt('ordinal', it.int('ordinal')),
      ...opt('formatStringExpression', it.str('formatstringdefinition') ?? it.child('formatstringdefinition')?.value),
      ...opt('description', describe(it)),
    })),
  };
}

/** A property naming an object of the same table; quoted names are unquoted (`'Day of Week'`). */
function refProp(d: Decl, key: string): string | undefined {
  const raw = d.str(key);
  if (raw === undefined) return undefined;
  try {
    return nameRef(raw);
  } catch (e) {
    if (e instanceof LineSyntaxError) tmdlError(`${key} must be a column name: ${e.message}`, d.node(key) ?? d.first);
    throw e;
  }
}

function ref(r: Decl, key: string): { table: string; column: string } {
  const node = r.node(key);
  if (!node || node.value === undefined) return tmdlError(`relationship '${r.name}' has no ${key}`, r.first);
  try {
    return qualifiedRef(node.value);
  } catch (e) {
    if (e instanceof LineSyntaxError) tmdlError(`${key} must be Table.Column: ${e.message}`, node);
    throw e;
  }
}

function readRelationship(r: Decl): Relationship {
  const from = ref(r, 'fromcolumn');
  const to = ref(r, 'tocolumn');
  const rel: Relationship = {
    name: r.name,
    fromTable: from.table,
    fromColumn: from.column,
    toTable: to.table,
    toColumn: to.column,
    fromCardinality: enumProp<Cardinality>(r, 'fromcardinality', CARDINALITIES) ?? 'many',
    toCardinality: enumProp<Cardinality>(r, 'tocardinality', CARDINALITIES) ?? 'one',
    crossFilteringBehavior: enumProp<CrossFilteringBehavior>(r, 'crossfilteringbehavior', CROSS_FILTERING) ?? 'oneDirection',
    isActive: r.bool('isactive') ?? true,
  };
  const sec = r.str('securityfilteringbehavior');
  if (sec !== undefined) rel.securityFilteringBehavior = canonical(SECURITY_FILTERING, sec);
  return rel;
}

function readRole(r: Decl): Role {
  const perm = r.str('modelpermission');
  return {
    name: r.name,
    modelPermission: perm === undefined ? 'none' : canonical(MODEL_PERMISSIONS, perm),
    ...opt('description', describe(r)),
    tablePermissions: r.children('tablepermission').map((tp) => ({
      table: tp.name,
      ...opt('filterExpression', tp.value ?? tp.str('filterexpression')),
    })),
  };
}
