// Compares a contract schema (schemas.ts) with the schema Microsoft's Swagger declares for the same
// body, so the contracts cannot drift from the real API. Run by contracts-conformance.test.ts when
// ../shared/specs is present. The rule: the contract may be stricter than the spec, never looser or
// different. Concretely, for every node:
//  - types agree (an `integer` contract for a `number` spec is stricter, so fine);
//  - a format the spec states (uuid, date-time) is stated by the contract too;
//  - an enum of the spec bounds the contract's enum; a pattern of the spec is the contract's pattern;
//  - every property of the contract is declared by the spec (Power BI names matched regardless of
//    case: its Swagger spells `CreatedDate` where the service sends `createdDate`);
//  - every property the spec requires, the contract requires.
// The few places where the service is documented to differ from its Swagger are listed in EXCEPTIONS.
import { deref, officialProperties, officialRequired, type SpecNode } from '../spec-validator.js';
import type { Schema, Surface } from './index.js';

type Json = Record<string, any>;

/**
 * Documented differences between the service and its Swagger, each with where it is documented.
 * Keys are the contract path (`Schema/prop/…`) the exception applies to.
 */
export const EXCEPTIONS: Record<string, { extraProperties?: string[]; noPattern?: boolean; notRequired?: string[]; why: string }> = {
  CreatedDataset: {
    extraProperties: ['defaultRetentionPolicy'],
    why: 'Datasets_PostDatasetInGroup: the 201 example body is {"id","name","defaultRetentionPolicy"}; the Dataset definition omits the last',
  },
  'ScanResult/workspaces/datasets/tables': {
    noPattern: true,
    why: 'the scan result reuses the push Table definition but reports real model names (with `.`, `%`, …)',
  },
  'ScanResult/workspaces/datasets/tables/measures': {
    notRequired: ['expression'],
    why: 'measure expressions are only in a scan result requested with datasetExpressions=true',
  },
};

export interface CompareOptions {
  surface: Surface;
  /** Name of the contract schema, the root of the paths EXCEPTIONS uses. */
  root: string;
}

/** Differences that make the contract looser than, or different from, the official schema. */
export function compareWithOfficial(contract: Schema, official: SpecNode, options: CompareOptions): string[] {
  const problems: string[] = [];
  walk(contract as Json, official, options.root, options, problems);
  return problems;
}

function officialType(node: Json): string | undefined {
  if (typeof node.type === 'string') return node.type;
  return node.properties || node.allOf ? 'object' : undefined;
}

function match(props: Map<string, SpecNode>, key: string, surface: Surface): SpecNode | undefined {
  const exact = props.get(key) ?? (key.startsWith('@') ? props.get(key.slice(1)) : undefined);
  if (exact || surface !== 'powerbi') return exact;
  const hit = [...props.keys()].find((k) => k.toLowerCase() === key.toLowerCase());
  return hit ? props.get(hit) : undefined;
}

function walk(c: Json, o: SpecNode, at: string, options: CompareOptions, problems: string[]): void {
  if (c.anyOf) return; // only the Power BI error body, which the Swagger does not describe
  const on = deref(o);
  const node = on.node;
  const exception = EXCEPTIONS[at];
  const ot = officialType(node);
  if (ot && c.type && ot !== 'file' && c.type !== ot && !(c.type === 'integer' && ot === 'number')) {
    problems.push(`${at}: type ${String(c.type)} where the spec says ${ot}`);
  }
  if (typeof node.format === 'string' && ['uuid', 'date-time'].includes(node.format) && c.format !== node.format) {
    problems.push(`${at}: the spec's format ${node.format} is not in the contract`);
  }
  if (Array.isArray(node.enum)) {
    if (!Array.isArray(c.enum)) problems.push(`${at}: the spec's enum [${(node.enum as string[]).join(', ')}] is not in the contract`);
    else for (const v of c.enum as string[]) if (!(node.enum as string[]).includes(v)) problems.push(`${at}: enum value ${v} is not in the spec`);
  }
  if (typeof node.pattern === 'string' && c.pattern !== node.pattern && !EXCEPTIONS[at.replace(/\/name$/, '')]?.noPattern) {
    problems.push(`${at}: pattern ${String(c.pattern)} differs from the spec's ${node.pattern}`);
  }
  if (c.type === 'array' && c.items && node.items) walk(c.items as Json, { base: on.base, node: node.items as Json }, at, options, problems);
  if (c.type !== 'object' || !c.properties) return;
  const props = officialProperties(on);
  if (props.size === 0) return; // the spec leaves the object free-form
  for (const [key, sub] of Object.entries(c.properties as Record<string, Json>)) {
    const m = match(props, key, options.surface);
    if (m) walk(sub, m, `${at}/${key}`, options, problems);
    else if (!key.startsWith('@odata.') && !exception?.extraProperties?.includes(key)) {
      problems.push(`${at}: property "${key}" is not declared by the spec`);
    }
  }
  const required = new Set(((c.required ?? []) as string[]).map((k) => (options.surface === 'powerbi' ? k.toLowerCase() : k)));
  for (const r of officialRequired(on)) {
    const key = options.surface === 'powerbi' ? r.toLowerCase() : r;
    if (!required.has(key) && !exception?.notRequired?.includes(r)) problems.push(`${at}: the spec requires "${r}", the contract does not`);
  }
}
