// The push definition file `{Model}.{key}_push_api.json` (every conversion writes the request body
// to --out) and the name rules around our own outputs. Two models may share a name (two workspaces,
// or a local folder and a Fabric model): the file is keyed by workspace + model id so that one
// model never reads or overwrites another's (issue 13 item 1). Files named `{Model}_push_api.json`
// by earlier versions are only read, and only when their name cannot belong to another model.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { storageErrorFrom } from '../../errors.js';
import type { PushPlan } from './plan.js';

// Windows reserves these names with or without an extension (CON, CON.txt…).
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
const FILE_SUFFIX = '_push_api.json';
// 255 bytes is the file-name limit on ext4, APFS and NTFS (UTF-16 units there; bytes are stricter).
const MAX_BYTES = 255;

/** The identity a push file is keyed by: the workspace it publishes to and the model's id. */
export function pushFileKey(workspaceId: string | null, modelId: string): string {
  return `${workspaceId ?? ''}/${modelId}`;
}

/**
 * `{Model}.{key}_push_api.json` (without a key: the `{Model}_push_api.json` of earlier versions),
 * safe on Windows, Linux and macOS: `<>:"/\|?*` and control characters become `_`, a leading dot
 * is escaped (no hidden files), a reserved device name gets a `_` prefix, and long names are cut.
 * When anything had to change, an 8-hex hash of the original name is appended so two models that
 * sanitise alike (`A/B`, `A:B`) never share a file. `{key}` is 12 hex of a hash of `pushFileKey`.
 */
export function pushDefinitionFileName(modelName: string, key?: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  let base = modelName.replace(/[<>:"/\\|?*\u0000-\u001F\u007F]/g, '_').replace(/[. ]+$/, (m) => '_'.repeat(m.length));
  if (base.startsWith('.')) base = `_${base.slice(1)}`;
  const stem = base.split('.')[0] ?? '';
  if (RESERVED.test(stem.trim())) base = `_${base}`;
  if (base.length === 0) base = '_';
  let changed = base !== modelName;
  const hashLen = 9; // '-' + 8 hex
  const keyPart = key === undefined ? '' : `.${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
  const budget = MAX_BYTES - Buffer.byteLength(FILE_SUFFIX) - hashLen - keyPart.length;
  if (Buffer.byteLength(base) > budget) {
    changed = true;
    let cut = '';
    for (const ch of base) {
      if (Buffer.byteLength(cut + ch) > budget) break;
      cut += ch;
    }
    base = cut;
  }
  if (changed) base += `-${createHash('sha256').update(modelName).digest('hex').slice(0, 8)}`;
  return `${base}${keyPart}${FILE_SUFFIX}`;
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
