// Validation against the project's own API contracts (schemas.ts, operations.ts). The emulator checks
// every answer it sends with validateContractResponse, so it cannot drift from what the contracts say;
// tests check what the client sends with validateContractBody. Both need nothing outside the repository.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { findOperation, type Operation } from './operations.js';
import { SCHEMAS, type SchemaName } from './schemas.js';

export { OPERATIONS, findOperation, pathShape, type Operation, type Surface } from './operations.js';
export { SCHEMAS, type Schema, type SchemaName } from './schemas.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let ajv: Ajv | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

function validator(name: SchemaName): ValidateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    // `u` flag on patterns: push name rules use \u{10000}-\u{10FFFF}, which only parses that way.
    ajv ??= addFormats(new Ajv({ allErrors: true, strict: true, unicodeRegExp: true }));
    fn = ajv.compile(SCHEMAS[name]);
    compiled.set(name, fn);
  }
  return fn;
}

function describe(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') {
    return `${e.instancePath || '/'}: property "${String((e.params as { additionalProperty: string }).additionalProperty)}" is not in the contract`;
  }
  return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`;
}

/** Problems of `value` against a named contract schema; empty when it conforms. */
export function validateContractBody(name: SchemaName, value: unknown): string[] {
  const fn = validator(name);
  if (fn(value)) return [];
  return [...new Set((fn.errors ?? []).map(describe))];
}

/** The contract schema of one answer: the status's body, the surface's error body, or undefined. */
export function responseSchema(op: Operation, status: number): SchemaName | null | undefined {
  if (status in op.responses) return op.responses[status];
  if (status >= 400) return op.surface === 'fabric' ? 'FabricErrorResponse' : 'PowerBIError';
  return undefined;
}

/**
 * Problems of one answer: unknown operation, undeclared status, a body where none belongs (or none
 * where one does), or a body that breaks the status's schema.
 */
export function validateContractResponse(method: string, path: string, status: number, body: unknown): string[] {
  const op = findOperation(method, path);
  if (!op) return [`${method} ${path}: no contract for this operation`];
  const schema = responseSchema(op, status);
  const empty = body === undefined || body === null || body === '';
  if (schema === undefined) return [`${op.operationId}: status ${status} is not in the contract`];
  if (schema === null) return empty ? [] : [`${op.operationId}: status ${status} has no body in the contract`];
  if (empty) return [`${op.operationId}: status ${status} needs a body`];
  return validateContractBody(schema, body);
}
