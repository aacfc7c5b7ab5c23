// Opening the state file for a run (a dry run never writes it; another run holding the lock is waited for).
import type { Logger, Sleep } from '../context.js';
import { LockedError } from '../errors.js';
import { openStateStore, type StateStore } from '../state/store.js';
import { systemClock } from '../context.js';

/**
 * Opens the state file for a run. A dry run reads it without the lock and never writes it. Another
 * run holding the lock (a second `convert` in the same pipeline, say) is waited for up to `waitMs`;
 * a monitor, which holds it for good, makes the wait end in LockedError (exit 2).
 */
export async function openStateForRun(
  path: string,
  options: { dryRun: boolean; logger: Logger; sleep: Sleep; signal: AbortSignal; waitMs?: number; redact?: (text: string) => string },
): Promise<StateStore> {
  if (options.dryRun) {
    const store = await openStateStore(path, { clock: systemClock, lock: false, logger: options.logger });
    // Records still happen in memory (the run's logic depends on them); nothing reaches the disk.
    return new Proxy(store, {
      get: (target, prop, receiver) => (prop === 'save' || prop === 'close' ? async () => {} : Reflect.get(target, prop, receiver)),
    });
  }
  const deadline = Date.now() + (options.waitMs ?? 60_000);
  for (let announced = false; ; ) {
    try {
      return await openStateStore(path, { clock: systemClock, lock: true, logger: options.logger, ...(options.redact ? { redact: options.redact } : {}) });
    } catch (e) {
      if (!(e instanceof LockedError) || Date.now() >= deadline || options.signal.aborted) throw e;
      if (!announced) options.logger.info(`${e.message}; waiting for it to finish…`);
      announced = true;
      await options.sleep(500, options.signal);
    }
  }
}
