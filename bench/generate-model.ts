// Generates a large semantic model for the reader benchmark (issue 8 item 1): by default 400 tables,
// 12,000 columns and 4,000 measures, written both as TMSL (model.bim) and as a TMDL definition/
// folder with the same content, so the two readers are measured on the same model.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface GeneratedModelSpec {
  tables: number;
  columnsPerTable: number;
  measuresPerTable: number;
}

export const LARGE_MODEL: GeneratedModelSpec = { tables: 400, columnsPerTable: 30, measuresPerTable: 10 };

export interface GeneratedModel {
  bimFile: string;
  tmdlDir: string;
  bimBytes: number;
  tmdlBytes: number;
  counts: { tables: number; columns: number; measures: number; relationships: number };
}

const TYPES = ['int64', 'string', 'decimal', 'dateTime', 'double', 'boolean'] as const;

interface Col { name: string; dataType: string; formatString?: string; description?: string }
interface Meas { name: string; expression: string; formatString: string; displayFolder: string }
interface Tab { name: string; columns: Col[]; measures: Meas[] }

function tableName(i: number): string {
  return `Table ${String(i).padStart(3, '0')}`;
}

function build(spec: GeneratedModelSpec): { tables: Tab[]; relationships: Array<{ name: string; from: [string, string]; to: [string, string] }> } {
  const tables: Tab[] = [];
  for (let t = 0; t < spec.tables; t++) {
    const name = tableName(t);
    const columns: Col[] = [{ name: 'Key', dataType: 'int64', formatString: '0' }, { name: 'Parent Key', dataType: 'int64', formatString: '0' }];
    for (let c = columns.length; c < spec.columnsPerTable; c++) {
      const dataType = TYPES[c % TYPES.length]!;
      columns.push({
        name: `Column ${c} ${dataType}`,
        dataType,
        ...(dataType === 'decimal' ? { formatString: '#,##0.00' } : {}),
        ...(c % 5 === 0 ? { description: `Generated column ${c} of ${name}` } : {}),
      });
    }
    const measures: Meas[] = [];
    for (let m = 0; m < spec.measuresPerTable; m++) {
      const col = columns[2 + (m % (columns.length - 2))]!;
      measures.push({
        name: `${name} Measure ${m}`,
        expression: m % 3 === 0 ? `SUM('${name}'[${col.name}])` : `CALCULATE(COUNTROWS('${name}'), '${name}'[Key] > ${m})`,
        formatString: '#,##0',
        displayFolder: `Folder ${m % 4}`,
      });
    }
    tables.push({ name, columns, measures });
  }
  // A snowflake of many-to-one relationships: each table points at its parent.
  const relationships = tables.slice(1).map((t, i) => ({
    name: `rel-${i + 1}`,
    from: [t.name, 'Parent Key'] as [string, string],
    to: [tables[Math.floor(i / 4)]!.name, 'Key'] as [string, string],
  }));
  return { tables, relationships };
}

function bimText(name: string, spec: GeneratedModelSpec): string {
  const { tables, relationships } = build(spec);
  const bim = {
    name,
    compatibilityLevel: 1567,
    model: {
      culture: 'en-US',
      defaultPowerBIDataSourceVersion: 'powerBI_V3',
      tables: tables.map((t) => ({
        name: t.name,
        columns: t.columns.map((c) => ({ name: c.name, dataType: c.dataType, sourceColumn: c.name, summarizeBy: 'none', ...(c.formatString ? { formatString: c.formatString } : {}), ...(c.description ? { description: c.description } : {}) })),
        partitions: [{ name: t.name, mode: 'import', source: { type: 'm', expression: `let Source = Sql.Database("server", "db"){[Name="${t.name}"]}[Data] in Source` } }],
        measures: t.measures.map((m) => ({ name: m.name, expression: m.expression, formatString: m.formatString, displayFolder: m.displayFolder })),
      })),
      relationships: relationships.map((r) => ({ name: r.name, fromTable: r.from[0], fromColumn: r.from[1], toTable: r.to[0], toColumn: r.to[1] })),
    },
  };
  return JSON.stringify(bim, null, 2);
}

/** TMDL names with spaces or specials are single-quoted, quotes doubled (docs/tmdl.md). */
function q(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`;
}

function tmdlFiles(spec: GeneratedModelSpec): Array<{ rel: string; text: string }> {
  const { tables, relationships } = build(spec);
  const files: Array<{ rel: string; text: string }> = [];
  files.push({ rel: 'database.tmdl', text: 'database\n\tcompatibilityLevel: 1601\n' });
  files.push({
    rel: 'model.tmdl',
    text: `model Model\n\tculture: en-US\n\tdefaultPowerBIDataSourceVersion: powerBI_V3\n\n${tables.map((t) => `ref table ${q(t.name)}`).join('\n')}\n`,
  });
  for (const t of tables) {
    const lines: string[] = [`table ${q(t.name)}`, ''];
    for (const m of t.measures) {
      lines.push(`\tmeasure ${q(m.name)} = ${m.expression}`, `\t\tformatString: ${m.formatString}`, `\t\tdisplayFolder: ${m.displayFolder}`, '');
    }
    for (const c of t.columns) {
      if (c.description) lines.push(`\t/// ${c.description}`);
      lines.push(`\tcolumn ${q(c.name)}`, `\t\tdataType: ${c.dataType}`);
      if (c.formatString) lines.push(`\t\tformatString: ${c.formatString}`);
      lines.push('\t\tsummarizeBy: none', `\t\tsourceColumn: ${c.name}`, '');
    }
    lines.push(`\tpartition ${q(t.name)} = m`, '\t\tmode: import', '\t\tsource =', `\t\t\t\tlet Source = Sql.Database("server", "db"){[Name="${t.name}"]}[Data] in Source`, '');
    files.push({ rel: `tables/${t.name}.tmdl`, text: lines.join('\n') });
  }
  files.push({
    rel: 'relationships.tmdl',
    text: relationships.map((r) => `relationship ${r.name}\n\tfromColumn: ${q(r.from[0])}.${q(r.from[1])}\n\ttoColumn: ${q(r.to[0])}.${q(r.to[1])}\n`).join('\n'),
  });
  return files;
}

/** Writes `<dir>/Large.bim` and `<dir>/Large.SemanticModel/definition/…`; returns paths and sizes. */
export function writeGeneratedModel(dir: string, spec: GeneratedModelSpec = LARGE_MODEL): GeneratedModel {
  mkdirSync(dir, { recursive: true });
  const bim = bimText('Large', spec);
  const bimFile = path.join(dir, 'Large.bim');
  writeFileSync(bimFile, bim);
  const tmdlDir = path.join(dir, 'Large.SemanticModel');
  let tmdlBytes = 0;
  for (const f of tmdlFiles(spec)) {
    const file = path.join(tmdlDir, 'definition', f.rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, f.text);
    tmdlBytes += Buffer.byteLength(f.text);
  }
  writeFileSync(path.join(tmdlDir, 'definition.pbism'), JSON.stringify({ version: '4.0', settings: {} }));
  return {
    bimFile,
    tmdlDir,
    bimBytes: Buffer.byteLength(bim),
    tmdlBytes,
    counts: { tables: spec.tables, columns: spec.tables * spec.columnsPerTable, measures: spec.tables * spec.measuresPerTable, relationships: spec.tables - 1 },
  };
}
