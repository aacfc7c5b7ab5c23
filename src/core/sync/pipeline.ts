// One model end to end (docs/architecture.md#the-flow): the canonical model through every publisher
// of the run, in list order (src/core/run/compose.ts): each plans (pure) and applies. Used by
// `convert` (all three forms) and by `monitor`. Publishers are independent: any can be off, and a
// later one reads only the facts an earlier one reported (the warehouse records the push twin's id
// when there is one, and never needs it).
import type { Clock, Logger } from '../context.js';
import type { ConfiguredPublisher, DeletedModel, ModelTarget, PublishSession, RunFacts } from '../publishers/publisher.js';
import { recordFailedOutcomes } from '../errors.js';
import { summarizeReport, type ReportSummary } from '../publishers/report.js';
import { fingerprint } from '../schema/fingerprint.js';
import type { LoadedModel } from '../schema/model.js';

export type { ModelTarget } from '../publishers/publisher.js';

export interface PipelineDeps {
  /** The run's publishers with their settings, in order. */
  publishers: readonly ConfiguredPublisher[];
  session: PublishSession;
  clock: Clock;
  logger: Logger;
}

export interface PipelineResult {
  modelId: string;
  sourceName: string;
  /** The name users see in the warehouse: the push twin's name when one was planned. */
  publishedName: string;
  fingerprint: string;
  format: string;
  report: ReportSummary | null;
  lossy: boolean;
  definitionFile: string | null;
  /** The push twin written or found, when there is one (the state records it). */
  twin: RunFacts['twin'];
  /** One outcome per publisher, by name, in the run's order (`{ skipped }` when it did nothing). */
  outcomes: Record<string, object>;
  /** One line on every publisher's outcome (the monitor's `model-synced` detail). */
  summary: string;
  /** One phrase per publisher for the convert summary table. */
  details: string[];
  /** What a dry run would send, per publisher in order (convert --dry-run). */
  planLines: string[];
  warnings: string[];
}

export async function runPipeline(loaded: LoadedModel, target: ModelTarget, deps: PipelineDeps): Promise<PipelineResult> {
  const { model } = loaded;
  const fp = fingerprint(model);
  const warnings = [...loaded.warnings];
  const facts: RunFacts = { publishedName: model.name, report: null, twin: null, definitionFile: null };
  const outcomes: Record<string, object> = {};
  const now = new Date(deps.clock.now());
  let failure: Error | undefined;
  for (const { publisher, settings } of deps.publishers) {
    if (!publisher.enabled(settings)) {
      outcomes[publisher.name] = publisher.disabled(settings);
      continue;
    }
    const context = { loaded, target, settings, fingerprint: fp, now, runId: deps.session.runId, toolVersion: deps.session.toolVersion, facts: { ...facts } };
    const plan = await publisher.plan(model, context);
    const applied = await publisher.apply(plan, deps.session, settings);
    outcomes[publisher.name] = applied.outcome;
    Object.assign(facts, applied.facts);
    warnings.push(...(applied.warnings ?? []));
    failure ??= applied.error;
  }
  if (failure) {
    // --json shows what each publisher reported (the view's tables, metrics and DDL) next to the error.
    recordFailedOutcomes(failure, outcomes);
    throw failure;
  }
  const n = facts.report ? summarizeReport(facts.report) : null;
  const dropped = n?.counts.dropped ?? 0;
  const phrases = deps.publishers.map(({ publisher }) => publisher.describe(outcomes[publisher.name]!, 'cycle'));
  return {
    modelId: target.modelId,
    sourceName: model.name,
    publishedName: facts.publishedName,
    fingerprint: fp,
    format: loaded.source.format,
    report: n,
    lossy: facts.report?.lossy ?? false,
    definitionFile: facts.definitionFile,
    twin: facts.twin,
    outcomes,
    summary: `${phrases.join(', ')}${dropped ? `, ${dropped} object${dropped === 1 ? '' : 's'} dropped` : ''}`,
    details: deps.publishers.map(({ publisher }) => publisher.describe(outcomes[publisher.name]!, 'table')),
    planLines: deps.publishers.flatMap(({ publisher }) => publisher.planLines?.(outcomes[publisher.name]!) ?? []),
    warnings,
  };
}

/** A model gone from its source, told to every publisher that handles deletions; the first failure is rethrown after all have run. */
export async function publishDeletion(model: DeletedModel, deps: Pick<PipelineDeps, 'publishers' | 'session'>): Promise<void> {
  let failure: { error: unknown } | undefined;
  for (const { publisher, settings } of deps.publishers) {
    if (!publisher.deleted || !publisher.enabled(settings)) continue;
    try {
      await publisher.deleted(model, deps.session, settings);
    } catch (e) {
      failure ??= { error: e };
    }
  }
  if (failure) throw failure.error;
}
