import { inspect } from 'node:util';

const REDACTED = '***';

/**
 * A secret value (client secret, password, token, passphrase). It redacts itself everywhere it
 * could be printed — `String()`, template literals, `JSON.stringify`, `util.inspect`/console — so a
 * config dump, a log line or an error report can never leak it. Only `reveal()` gives the value,
 * and only the code that hands it to a driver or credential calls it.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}

export function reveal(secret: Secret | undefined): string | undefined {
  return secret?.reveal();
}

/**
 * Every secret value held anywhere in a (config) object, for the scrubber (src/core/redact.ts).
 * Walks the object instead of naming fields, so a secret setting added later is covered too.
 */
export function secretValues(value: unknown, out: string[] = [], depth = 0): string[] {
  if (value instanceof Secret) out.push(value.reveal());
  else if (value !== null && typeof value === 'object' && depth < 8) {
    for (const v of Object.values(value)) secretValues(v, out, depth + 1);
  }
  return out;
}
