// Finding one object by what a user typed (issue 14 items 7 and 8): its id, or its name — exact
// first, then ignoring letter case, as Fabric and Power BI compare names. More than one match is
// reported with every candidate, never resolved by guessing.

export interface Candidate {
  id: string;
  /** Display name first; other names it answers to (a published name, a source name) after. */
  names: string[];
}

export type MatchResult<C extends Candidate> = { kind: 'found'; match: C } | { kind: 'ambiguous'; candidates: C[] } | { kind: 'none' };

export function matchCandidate<C extends Candidate>(candidates: readonly C[], query: string): MatchResult<C> {
  const q = query.trim();
  const lowerQ = q.toLowerCase();
  const byId = candidates.filter((c) => c.id.toLowerCase() === lowerQ);
  if (byId.length === 1) return { kind: 'found', match: byId[0]! };
  const tiers: Array<(name: string) => boolean> = [(n) => n === q, (n) => n.toLowerCase() === lowerQ];
  for (const test of tiers) {
    const hits = candidates.filter((c) => c.names.some(test));
    if (hits.length === 1) return { kind: 'found', match: hits[0]! };
    if (hits.length > 1) return { kind: 'ambiguous', candidates: hits };
  }
  return { kind: 'none' };
}

/**
 * A name as it appears inside a message: control characters (a line break in a workspace name) shown
 * as escapes, so a name can never start a line of its own where the message is printed line by line.
 */
export function printable(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  return name.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `name (id)` lines for a message listing candidates. */
export function listCandidates(candidates: readonly Candidate[], max = 10): string {
  const shown = candidates.slice(0, max).map((c) => `'${printable(c.names[0] ?? c.id)}' (${printable(c.id)})`);
  return candidates.length > max ? `${shown.join(', ')} and ${candidates.length - max} more` : shown.join(', ');
}
