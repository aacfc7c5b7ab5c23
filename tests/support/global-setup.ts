// Runs once before the test files: says which tiers cannot run here, one line each (paths.ts).
import { TIERS } from './paths.js';

export default function setup(): void {
  for (const tier of Object.values(TIERS)) if (!tier.available) process.stdout.write(`${tier.skipped}\n`);
}
