// The order in which test files start. Vitest starts the files that took longest in its last run on
// this machine first, and, with no such record (a fresh clone, CI), the largest files first — which put
// small files that take long (a race of two processes, a kill loop) last, running on alone at the end.
// Here the folders whose files run the CLI against the stand-ins start before the unit tests, which
// take milliseconds each and fill the cores at the end; within a folder, vitest's own order stands.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const FOLDERS = ['tests/reliability/', 'tests/e2e/', 'tests/integration/'];

function rank(spec: TestSpecification): number {
  const file = spec.moduleId.replaceAll('\\', '/');
  const at = FOLDERS.findIndex((f) => file.includes(`/${f}`));
  return at === -1 ? FOLDERS.length : at;
}

export default class FoldersFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return sorted.map((spec, i) => ({ spec, i })).sort((a, b) => rank(a.spec) - rank(b.spec) || a.i - b.i).map((x) => x.spec);
  }
}
