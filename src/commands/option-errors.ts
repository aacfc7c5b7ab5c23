// One sentence for options zod refused, naming each flag as the user typed it: `--on-incompatible`,
// not the `onIncompatible` key commander hands over.
import type { ZodError } from 'zod';
import { UsageError } from '../core/errors.js';

export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)}`;
}

export function invalidOptions(error: ZodError, command: string): UsageError {
  const parts = error.issues.map((i) => (i.path.length ? `${flagName(String(i.path[0]))}${i.path.length > 1 ? `.${i.path.slice(1).join('.')}` : ''}: ` : '') + i.message);
  return new UsageError(`Invalid options: ${parts.join('; ')}.`, { hint: `See \`fabric-sync ${command} --help\`.` });
}
