// Which source model owns a push twin (issue 13 item 1). A twin is found by name (`{Model}_PushSync`)
// and Power BI allows two models of one name in a workspace; a local folder published into a
// workspace (`convert --source --workspace`) can carry a Fabric model's name too. Two sources must
// never share a twin — each publish would update, recreate or delete the other's — so exactly one
// claimant owns the name: the one the state records as holding the live twin, else the oldest
// (earliest createdDate, ties by lowest id: every run picks the same). The others are synced to the
// warehouse and skip the push step, saying why.
import { pickWinner } from '../publishers/push/publish.js';

export interface TwinClaimant {
  id: string;
  createdDate?: string;
  /** The push dataset the state records for this model. */
  pushDatasetId: string | null;
  /** A local source: it can own a twin only by holding the live one (it has no createdDate). */
  local?: boolean;
}

export function twinOwner(claimants: readonly TwinClaimant[], liveTwinId: string | undefined): TwinClaimant | undefined {
  const holders = liveTwinId === undefined ? [] : claimants.filter((c) => c.pushDatasetId === liveTwinId);
  if (holders.length > 0) return pickWinner(holders);
  return pickWinner(claimants.filter((c) => !c.local));
}

export function twinBlockedReason(owner: TwinClaimant, modelName: string, twinName: string): string {
  const who = owner.local ? `the local model ${owner.id.slice('local:'.length)}` : `model ${owner.id}`;
  return `push skipped: ${who} in this workspace is also named '${modelName}' and owns the push dataset '${twinName}'; rename one of them to give each its own push dataset`;
}
