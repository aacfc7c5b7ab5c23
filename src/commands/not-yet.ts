import { UsageError } from '../core/errors.js';

/** Placeholder action for a command whose implementation has not landed yet (exit code 2). */
export function notAvailable(name: string): never {
  throw new UsageError(`The ${name} command is not available yet in this version.`, {
    hint: 'Use `fabric-sync inspect` meanwhile; see README for the roadmap.',
  });
}
