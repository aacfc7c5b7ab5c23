// Validates bodies against Microsoft's official Swagger files for Fabric and Power BI, read from
// ../shared/specs (the official-spec tier, docs/testing.md; sources in docs/fabric-rest.md). The
// emulator checks its answers against the project's own contracts (contracts/); this validator and the
// conformance test hold those contracts to the official specifications whenever the files are present.
//
// Two checks per body:
//  1. ajv over the swagger definition (required fields, types, formats, enums, patterns). Fabric files
//     `$ref` each other, so every file is registered under its own `$id` and refs resolve across them.
//     The Power BI name patterns are rewritten to the intended `\u{10000}-\u{10FFFF}` form and compiled
//     with the `u` flag (docs/fabric-rest.md#push-datasets), otherwise `. ( ) :` would be accepted.
//  2. A walk over the same schema reporting properties the spec does not declare. The swagger schemas
//     never set `additionalProperties: false`, so without this a renamed field (`value` → `values`,
//     `continuationUri` → `nextLink`) would pass. Power BI names are matched case-insensitively because
//     its swagger spells `CreatedDate`/`IsRefreshable` while its examples and the service use camelCase
//     (docs/fabric-rest.md, "Listing models"); OData annotations (`@odata.*`) are always allowed.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { specsDir } from './paths.js';

export type Surface = 'fabric' | 'powerbi';
type Json = Record<string, any>;

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const FABRIC_BASE = 'file:///fabric/';
const POWERBI_ID = 'file:///powerbi/swagger.json';
const POWERBI_ERROR_ID = 'file:///local/powerbi-error.json';

/** Fields official examples show but the definitions omit (cited so they are not silently invented). */
const DOCUMENTED_EXTRAS: Record<string, string[]> = {
  // Datasets_PostDatasetInGroup x-ms-examples 201 body: {"id","name","defaultRetentionPolicy"}
  'powerbi:Dataset': ['defaultRetentionPolicy'],
};

/**
 * Power BI error bodies are not described by its swagger (no error responses are declared). Shapes:
 * `{"error":{code,message,target,…}}` (PowerBIApiErrorResponseDetail inside, docs/fabric-rest.md) and
 * the admin-quota body `{"message":"You have exceeded …"}` (RuiRomano/pbimonitor#58).
 */
const POWERBI_ERROR_SCHEMA = {
  anyOf: [
    {
      type: 'object', required: ['error'],
      properties: { error: { type: 'object', required: ['code'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
    },
    { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
  ],
};

interface Loaded { ajv: Ajv; docs: Map<string, Json>; }
let loaded: Loaded | undefined;

function fixPatterns(node: unknown): void {
  if (Array.isArray(node)) { node.forEach(fixPatterns); return; }
  if (!node || typeof node !== 'object') return;
  const obj = node as Json;
  if (typeof obj.pattern === 'string') obj.pattern = obj.pattern.replace(/\\u10000-\\u10FFFF/g, '\\u{10000}-\\u{10FFFF}');
  for (const v of Object.values(obj)) fixPatterns(v);
}

function walkFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walkFiles(full) : name.endsWith('.json') ? [full] : [];
  });
}

function load(): Loaded {
  if (loaded) return loaded;
  const ajv = new Ajv({ strict: false, unicodeRegExp: true, allErrors: true, validateSchema: false, logger: false });
  addFormats(ajv);
  for (const f of ['int32', 'int64', 'double', 'float', 'byte', 'binary', 'duration', 'url', 'file']) ajv.addFormat(f, true);
  const docs = new Map<string, Json>();
  const fabricDir = path.join(specsDir, 'fabric');
  for (const file of walkFiles(fabricDir)) {
    if (file.includes(`${path.sep}examples${path.sep}`)) continue;
    const id = FABRIC_BASE + path.relative(fabricDir, file).split(path.sep).join('/');
    const doc = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as Json;
    doc.$id = id;
    docs.set(id, doc);
    ajv.addSchema(doc, id);
  }
  const pbi = JSON.parse(readFileSync(path.join(specsDir, 'powerbi/swagger.json'), 'utf8')) as Json;
  fixPatterns(pbi);
  pbi.$id = POWERBI_ID;
  docs.set(POWERBI_ID, pbi);
  ajv.addSchema(pbi, POWERBI_ID);
  const errorSchema = { $id: POWERBI_ERROR_ID, ...POWERBI_ERROR_SCHEMA };
  docs.set(POWERBI_ERROR_ID, errorSchema);
  ajv.addSchema(errorSchema);
  loaded = { ajv, docs };
  return loaded;
}

const compiled = new Map<string, ValidateFunction>();
function compile(ref: string): ValidateFunction {
  let fn = compiled.get(ref);
  if (!fn) {
    const { ajv } = load();
    fn = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
    compiled.set(ref, fn);
  }
  return fn;
}

/** Resolve `ref` relative to `base` into [absolute id with pointer, schema node]. */
function resolve(base: string, ref: string): [string, Json] {
  const { docs } = load();
  const [filePart, pointer = ''] = ref.split('#');
  const fileId = filePart ? new URL(filePart, base).href : base.split('#')[0]!;
  const doc = docs.get(fileId) ?? docs.get(fileId.replace('/Common/', '/common/'));
  if (!doc) throw new Error(`spec-validator: cannot resolve ${ref} from ${base}`);
  let node: any = doc;
  for (const seg of pointer.split('/').filter(Boolean)) node = node?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (!node) throw new Error(`spec-validator: ${ref} not found from ${base}`);
  return [`${fileId}#${pointer}`, node as Json];
}

/** Declared properties of a schema node, following `$ref` and `allOf`. */
function declared(base: string, node: Json, out = new Map<string, [string, Json]>()): Map<string, [string, Json]> {
  if (node.$ref) { const [b, n] = resolve(base, node.$ref); return declared(b, n, out); }
  for (const [k, v] of Object.entries((node.properties ?? {}) as Json)) out.set(k, [base, v as Json]);
  for (const sub of (node.allOf ?? []) as Json[]) declared(base, sub, out);
  return out;
}

function definitionName(ref: string): string { return ref.split('/').pop() ?? ref; }

/**
 * Reports undeclared properties and returns a copy whose keys use the spec's spelling (so ajv can
 * check e.g. Power BI `createdDate` against `CreatedDate`'s date-time format).
 */
function walk(surface: Surface, base: string, node: Json, value: unknown, at: string, errors: string[], ref = ''): unknown {
  if (node.$ref) { const [b, n] = resolve(base, node.$ref); return walk(surface, b, n, value, at, errors, node.$ref); }
  if (Array.isArray(value)) {
    const items = node.items as Json | undefined;
    return items ? value.map((v, i) => walk(surface, base, items, v, `${at}/${i}`, errors)) : value;
  }
  if (!value || typeof value !== 'object') return value;
  const props = declared(base, node);
  if (props.size === 0) return value; // free-form object (e.g. executeQueries rows)
  const extras = DOCUMENTED_EXTRAS[`${surface}:${definitionName(ref)}`] ?? [];
  const out: Json = {};
  for (const [key, v] of Object.entries(value as Json)) {
    let match = props.get(key);
    let specKey = key;
    if (!match && surface === 'powerbi') {
      const hit = [...props.keys()].find((k) => k.toLowerCase() === key.toLowerCase() || `@${k}` === key);
      if (hit) { match = props.get(hit); specKey = hit; }
    }
    if (match) out[specKey] = walk(surface, match[0], match[1], v, `${at}/${key}`, errors);
    else if (key.startsWith('@odata.') || extras.includes(key)) out[key] = v;
    else errors.push(`${at || '/'}: property "${key}" is not declared in the spec`);
  }
  return out;
}

function check(surface: Surface, ref: string, value: unknown, base: string): string[] {
  const errors: string[] = [];
  const [b, node] = resolve(base, ref);
  const normalized = walk(surface, b, node, value, '', errors, ref);
  const fn = compile(b);
  if (!fn(normalized)) {
    for (const e of fn.errors ?? []) {
      const text = `${e.instancePath || '/'} ${e.message ?? 'invalid'}`;
      if (!errors.includes(text)) errors.push(text); // allOf branches repeat e.g. Item's `required`
    }
  }
  return errors;
}

/** Validate `value` against a named definition, e.g. ('powerbi', 'CreateDatasetRequest', body). */
export function validateAgainstDefinition(surface: Surface, definitionName: string, value: unknown): string[] {
  if (surface === 'powerbi') return check(surface, `#/definitions/${definitionName}`, value, POWERBI_ID);
  const { docs } = load();
  for (const file of ['semanticModel/definitions.json', 'common/definitions.json', 'platform/definitions/platform.json', 'admin/definitions.json']) {
    const id = FABRIC_BASE + file;
    if (docs.get(id)?.definitions?.[definitionName]) return check(surface, `#/definitions/${definitionName}`, value, id);
  }
  throw new Error(`spec-validator: no Fabric definition named ${definitionName}`);
}

interface Operation { base: string; op: Json; }
function findOperation(surface: Surface, method: string, template: string): Operation | undefined {
  const { docs } = load();
  const m = method.toLowerCase();
  if (surface === 'powerbi') {
    const op = docs.get(POWERBI_ID)?.paths?.[template]?.[m] as Json | undefined;
    return op ? { base: POWERBI_ID, op } : undefined;
  }
  const t = template.replace(/^\/v1(?=\/)/, '');
  for (const file of ['semanticModel/swagger.json', 'platform/swagger.json', 'admin/swagger.json']) {
    const id = FABRIC_BASE + file;
    const op = docs.get(id)?.paths?.[t]?.[m] as Json | undefined;
    if (op) return { base: id, op };
  }
  return undefined;
}

/**
 * Validate a response body for an operation given by its swagger path template (Power BI:
 * `/v1.0/myorg/groups/{groupId}/datasets`; Fabric with or without the `/v1` base path). Returns
 * the problems found, empty when the body conforms. Responses without a schema must be empty.
 */
export function validateResponse(surface: Surface, method: string, pathTemplate: string, status: number, body: unknown): string[] {
  const found = findOperation(surface, method, pathTemplate);
  if (!found) return [`${method} ${pathTemplate}: no such operation in the ${surface} spec`];
  const responses = found.op.responses as Json;
  const declaredResponse = (responses[String(status)] ?? (status >= 400 ? responses.default : undefined)) as Json | undefined;
  const isEmpty = body === undefined || body === null || body === '';
  if (surface === 'powerbi' && status >= 400 && !responses[String(status)]) {
    return check('powerbi', POWERBI_ERROR_ID, body, POWERBI_ERROR_ID).map((e) => `error body ${e}`);
  }
  if (!declaredResponse) return [`${found.op.operationId as string}: status ${status} is not declared`];
  const schema = declaredResponse.schema as Json | undefined;
  if (!schema || schema.type === 'file') return schema || isEmpty ? [] : [`${found.op.operationId as string}: status ${status} declares no body`];
  if (isEmpty) return [`${found.op.operationId as string}: status ${status} needs a body`];
  if (schema.$ref) {
    const errors = check(surface, schema.$ref as string, body, found.base);
    // The scanner result reuses the push `Table`/`Measure` definitions, but it reports real model
    // names (which may contain `.`, `%`, …) and omits measure expressions unless
    // datasetExpressions=true (docs/fabric-rest.md) — those two push-only constraints do not apply.
    return found.op.operationId === 'WorkspaceInfo_GetScanResult'
      ? errors.filter((e) => !/must match pattern|must have required property 'expression'/.test(e))
      : errors;
  }
  // inline schema (e.g. WorkspaceInfo_GetModifiedWorkspaces: array of ModifiedWorkspace)
  if (schema.type === 'array' && (schema.items as Json | undefined)?.$ref) {
    if (!Array.isArray(body)) return ['/ must be array'];
    return body.flatMap((item, i) => check(surface, (schema.items as Json).$ref as string, item, found.base).map((e) => `/${i}${e}`));
  }
  return [];
}

/** The operationId a route maps to, for reports and tests. */
export function operationIdOf(surface: Surface, method: string, pathTemplate: string): string | undefined {
  return findOperation(surface, method, pathTemplate)?.op.operationId as string | undefined;
}

// ---- Reading the official schemas, for the contract conformance test --------------------------------

/** A schema node of the official specs and the document it lives in (so `$ref`s resolve). */
export interface SpecNode { base: string; node: Json }

/** Follows `$ref`s until a node that is not one. */
export function deref(n: SpecNode): SpecNode {
  let cur = n;
  for (let i = 0; cur.node.$ref && i < 20; i++) {
    const [base, node] = resolve(cur.base, cur.node.$ref as string);
    cur = { base, node };
  }
  return cur;
}

/** Properties the node declares (through `$ref` and `allOf`). */
export function officialProperties(n: SpecNode): Map<string, SpecNode> {
  const out = new Map<string, SpecNode>();
  for (const [k, [base, node]] of declared(n.base, n.node)) out.set(k, { base, node });
  return out;
}

/** Properties the node requires (through `$ref` and `allOf`). */
export function officialRequired(n: SpecNode): string[] {
  const d = deref(n);
  const own = Array.isArray(d.node.required) ? (d.node.required as string[]) : [];
  const inherited = ((d.node.allOf ?? []) as Json[]).flatMap((sub) => officialRequired({ base: d.base, node: sub }));
  return [...new Set([...own, ...inherited])];
}

/**
 * The schema an operation declares for a status: a node, `null` when the status has no body,
 * `undefined` when the status (or the operation) is not declared. Errors fall back to `default`.
 */
export function officialResponseSchema(surface: Surface, method: string, template: string, status: number): SpecNode | null | undefined {
  const found = findOperation(surface, method, template);
  if (!found) return undefined;
  const responses = found.op.responses as Json;
  const r = (responses[String(status)] ?? (status >= 400 ? responses.default : undefined)) as Json | undefined;
  if (!r) return undefined;
  return r.schema ? { base: found.base, node: r.schema as Json } : null;
}

/** The body parameter an operation declares, if any. */
export function officialRequestSchema(surface: Surface, method: string, template: string): SpecNode | undefined {
  const found = findOperation(surface, method, template);
  const body = ((found?.op.parameters ?? []) as Json[]).map((p) => (p.$ref ? resolve(found!.base, p.$ref as string)[1] : p)).find((p) => p.in === 'body');
  return found && body?.schema ? { base: found.base, node: body.schema as Json } : undefined;
}

/** A named definition (`CreateDatasetRequest`, `ErrorResponse`, …) of a surface. */
export function officialDefinition(surface: Surface, name: string): SpecNode {
  if (surface === 'powerbi') return { base: POWERBI_ID, node: { $ref: `#/definitions/${name}` } };
  const { docs } = load();
  for (const file of ['semanticModel/definitions.json', 'common/definitions.json', 'platform/definitions/platform.json', 'admin/definitions.json']) {
    const id = FABRIC_BASE + file;
    if (docs.get(id)?.definitions?.[name]) return { base: id, node: { $ref: `#/definitions/${name}` } };
  }
  throw new Error(`spec-validator: no Fabric definition named ${name}`);
}
