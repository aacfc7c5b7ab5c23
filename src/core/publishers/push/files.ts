// The push definition file `{Model}.{key}_push_api.json` (every conversion writes the request body
// to --out) and the name rules around our own outputs. Two models may share a name (two workspaces,
// or a local folder and a Fabric model): the file is keyed by workspace + model id so that one
// model never reads or overwrites another's (issue 13 item 1). Files named `{Model}_push_api.json`
// by earlier versions are only read, and only when their name cannot belong to another model.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { storageErrorFrom } from '../../errors.js';
import { outputFileKey, outputFileName } from '../output-files.js';
import type { PushPlan } from './plan.js';

const FILE_SUFFIX = '_push_api.json';

/** The identity a push file is keyed by: the workspace it publishes to and the model's id. */
export const pushFileKey = outputFileKey;

/**
 * `{Model}.{key}_push_api.json` (without a key: the `{Model}_push_api.json` of earlier versions),
 * safe on Windows, Linux and macOS (src/core/publishers/output-files.ts).
 */
export function pushDefinitionFileName(modelName: string, key?: string): string {
  return outputFileName(modelName, FILE_SUFFIX, key);
}

/** Writes exactly the request body (pretty JSON) to `dir`, atomically, under the model's key. Returns the file path. */
export async function writePushDefinition(dir: string, plan: PushPlan, key: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, pushDefinitionFileName(plan.report.model, key));
  // The temporary name must fit the same 255-byte limit as the file name (a 1,000-character model
  // name made `${file}.${pid}.tmp` too long to create; issue 9, hostile names).
  const tmp = path.join(dir, `.push-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, `${JSON.stringify(plan.request, null, 2)}\n`, 'utf8');
    await rename(tmp, file);
  } catch (e) {
    // A full disk leaves the previous file and no half-written temporary one (issue 13 item 5).
    await rm(tmp, { force: true }).catch(() => undefined);
    throw storageErrorFrom(e, 'write the push definition', file, 'the previous file is unchanged') ?? e;
  }
  return file;
}

/** True for a dataset that is our own push output (`…{suffix}`): never converted again. */
export function isOwnPushOutput(name: string, suffix = '_PushSync'): boolean {
  return suffix.length > 0 && name.toLowerCase().endsWith(suffix.toLowerCase());
}
