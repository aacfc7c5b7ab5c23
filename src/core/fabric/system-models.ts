// Semantic models the Power BI service creates and owns by itself, which a workspace listing returns
// next to the users' models (issue 13 item 17). The usage-metrics reports are backed by one such
// model per workspace, and the documentation gives each its fixed name:
// - "Usage Metrics Report": "For every workspace, the dataset has the name 'Usage Metrics Report'",
//   created automatically when the improved usage report is first opened and refreshed daily by the
//   service (https://learn.microsoft.com/power-bi/collaborate-share/service-modern-usage-metrics);
// - "Report Usage Metrics Model" and "Dashboard Usage Metrics Model": the classic usage metrics
//   reports' models, "owned by Power BI"
//   (https://learn.microsoft.com/power-bi/collaborate-share/service-usage-metrics).
// Their definitions cannot be read (getDefinition fails on every cycle) and they are not the users'
// content, so detection skips them and `validate` never probes one. A user model that happens to
// carry one of these names exactly is skipped too; `monitor.skipSystemModels: false` turns the rule off.
import type { ModelListing } from '../sources/listing.js';

export const SYSTEM_MODEL_NAMES: readonly string[] = ['Usage Metrics Report', 'Report Usage Metrics Model', 'Dashboard Usage Metrics Model'];

const NAMES = new Set(SYSTEM_MODEL_NAMES.map((n) => n.toLowerCase()));

/** True for a listed model the service owns (by its documented fixed name; push datasets never are). */
export function isSystemModel(listing: Pick<ModelListing, 'name' | 'isPushDataset'>): boolean {
  return !listing.isPushDataset && NAMES.has(listing.name.trim().toLowerCase());
}
