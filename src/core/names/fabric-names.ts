// Workspaces and semantic models by name, not only by GUID (issue 14 item 8): `--workspace Sales`,
// `--dataset-id "Sales Analytics"`, or a path as the `fab` CLI writes it — `Sales/Model`,
// `Sales.Workspace/Model.SemanticModel`, with or without a leading `/`. A GUID is taken as it is
// (no request); anything else is looked up, by id first, then by name (exact, then in any letter
// case). Errors name the flag that held the text, and an ambiguous name lists every candidate.
import { UsageError } from '../errors.js';
import type { ModelListing } from '../sources/listing.js';
import { matchCandidate, printable as p, type Candidate } from './match.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(text: string): boolean {
  return GUID.test(text.trim());
}

export interface NameApi {
  listWorkspaces(): Promise<Array<{ id: string; name?: string }>>;
  listModels(workspaceId: string): Promise<ModelListing[]>;
}

export interface ModelRef {
  /** The workspace part of a `Workspace/Model` path. */
  workspace?: string;
  model: string;
}

/** Splits a `fab` path; the `.Workspace` / `.SemanticModel` type suffixes are dropped. */
export function parseModelRef(text: string, flag: string): ModelRef {
  const parts = splitPath(text, flag);
  if (parts.length === 1) return { model: stripSuffix(parts[0]!, '.SemanticModel') };
  if (parts.length === 2) return { workspace: stripSuffix(parts[0]!, '.Workspace'), model: stripSuffix(parts[1]!, '.SemanticModel') };
  throw new UsageError(`${flag}: '${text}' is not a model: give an id, a name, or Workspace/Model.`, { hint: 'e.g. --dataset-id "Sales Analytics" or --dataset-id "Finance.Workspace/Sales Analytics.SemanticModel"' });
}

export function parseWorkspaceRef(text: string, flag: string): string {
  const parts = splitPath(text, flag);
  if (parts.length !== 1) throw new UsageError(`${flag}: '${text}' is a path to an item, not a workspace.`, { hint: 'Give the workspace id or name (e.g. Finance or Finance.Workspace); a model goes to --dataset-id.' });
  return stripSuffix(parts[0]!, '.Workspace');
}

function splitPath(text: string, flag: string): string[] {
  const parts = text.trim().replace(/^\/+/, '').replace(/\/+$/, '').split('/');
  if (parts.some((p) => p.trim() === '')) throw new UsageError(`${flag}: '${text}' is empty or has an empty path segment.`);
  return parts.map((p) => p.trim());
}

function stripSuffix(name: string, suffix: string): string {
  return name.length > suffix.length && name.toLowerCase().endsWith(suffix.toLowerCase()) ? name.slice(0, -suffix.length) : name;
}

/** Workspace names are listed once per run, and only when a name needs them. */
export class FabricNames {
  private workspaces: Promise<Array<{ id: string; name?: string }>> | null = null;
  constructor(private readonly api: NameApi) {}

  private listWorkspaces() {
    this.workspaces ??= this.api.listWorkspaces();
    return this.workspaces;
  }

  async workspaceName(id: string): Promise<string> {
    return (await this.listWorkspaces()).find((w) => w.id.toLowerCase() === id.toLowerCase())?.name ?? id;
  }

  /** A workspace id from an id or a name. */
  async workspace(ref: string, flag: string): Promise<string> {
    const text = parseWorkspaceRef(ref, flag);
    if (isGuid(text)) return text.toLowerCase();
    const all = await this.listWorkspaces();
    const m = matchCandidate(all.map((w): Candidate => ({ id: w.id, names: [w.name ?? w.id] })), text);
    if (m.kind === 'found') return m.match.id;
    if (m.kind === 'ambiguous') throw new UsageError(`${flag}: '${p(text)}' names ${m.candidates.length} workspaces: ${m.candidates.map((c) => `'${p(c.names[0] ?? '')}' (${p(c.id)})`).join(', ')}.`, { hint: `Give the workspace id instead (${flag} <id>).` });
    throw new UsageError(`${flag}: no workspace named '${p(text)}' is visible to this principal.`, {
      hint: all.length ? `Visible workspaces: ${all.slice(0, 10).map((w) => `'${p(w.name ?? w.id)}'`).join(', ')}${all.length > 10 ? ` and ${all.length - 10} more` : ''}. The principal needs at least Viewer on the workspace.` : 'The principal sees no workspace: add it to the workspace (at least Viewer).',
    });
  }

  /**
   * A model id and its workspace from `--dataset-id` (an id, a name, or Workspace/Model). `scope`:
   * the workspaces to search when the reference names none (empty: every visible workspace).
   */
  async model(ref: string, flag: string, scope: readonly string[]): Promise<{ id: string; workspaceId?: string }> {
    const parsed = parseModelRef(ref, flag);
    if (parsed.workspace === undefined && isGuid(parsed.model)) return { id: parsed.model.toLowerCase() };
    const workspaces = parsed.workspace !== undefined ? [await this.workspace(parsed.workspace, flag)] : scope.length ? [...scope] : (await this.listWorkspaces()).map((w) => w.id);
    const candidates: Array<Candidate & { workspaceId: string }> = [];
    for (const ws of workspaces) for (const m of await this.api.listModels(ws)) candidates.push({ id: m.id, names: [m.name], workspaceId: ws });
    const m = matchCandidate(candidates, parsed.model);
    if (m.kind === 'found') return { id: m.match.id, workspaceId: m.match.workspaceId };
    if (m.kind === 'ambiguous') {
      const lines = await Promise.all(m.candidates.map(async (c) => `'${p(c.names[0] ?? '')}' in workspace '${p(await this.workspaceName(c.workspaceId))}' (${p(c.id)})`));
      throw new UsageError(`${flag}: '${p(parsed.model)}' names ${m.candidates.length} semantic models: ${lines.join(', ')}.`, { hint: `Give the model id, or Workspace/Model (${flag} "<workspace>/${p(parsed.model)}").` });
    }
    const where = workspaces.length === 1 ? `workspace '${p(await this.workspaceName(workspaces[0]!))}'` : `${workspaces.length} workspaces`;
    throw new UsageError(`${flag}: no semantic model named '${p(parsed.model)}' in ${where}.`, {
      hint: candidates.length ? `Models there: ${candidates.slice(0, 10).map((c) => `'${p(c.names[0] ?? '')}'`).join(', ')}${candidates.length > 10 ? ` and ${candidates.length - 10} more` : ''}.` : 'Check --workspace / FABRIC_WORKSPACE_ID; the principal needs at least Viewer on the workspace.',
    });
  }
}

/** What `--workspace` and `--dataset-id` hold. */
export interface FabricRefs {
  workspaces?: string[];
  datasetId?: string;
}

/** True when some reference is not already a GUID (and so needs Fabric to resolve). */
export function needsResolving(refs: FabricRefs): boolean {
  if ((refs.workspaces ?? []).some((w) => !isGuid(w))) return true;
  if (refs.datasetId === undefined) return false;
  const parsed = parseModelRef(refs.datasetId, '--dataset-id');
  return parsed.workspace !== undefined || !isGuid(parsed.model);
}

