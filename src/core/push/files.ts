// The push definition file `{Model}_push_api.json` (docs/architecture.md#push-conversion: every conversion writes the
// request body to --out) and the name rules around our own outputs.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PushPlan } from './plan.js';

// Windows reserves these names with or without an extension (CON, CON.txt…).
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
const FILE_SUFFIX = '_push_api.json';
// 255 bytes is the file-name limit on ext4, APFS and NTFS (UTF-16 units there; bytes are stricter).
const MAX_BYTES = 255;

/**
 * `{Model}_push_api.json`, safe on Windows, Linux and macOS: `<>:"/\|?*` and control characters
 * become `_`, a leading dot is escaped (no hidden files), a reserved device name gets a `_` prefix,
 * and long names are cut. When anything had to change, an 8-hex hash of the original name is
 * appended so two models that sanitise alike (`A/B`, `A:B`) never share a file.
 */
export function pushDefinitionFileName(modelName: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  let base = modelName.replace(/[<>:"/\\|?*\u0000-\u001F\u007F]/g, '_').replace(/[. ]+$/, (m) => '_'.repeat(m.length));
  if (base.startsWith('.')) base = `_${base.slice(1)}`;
  const stem = base.split('.')[0] ?? '';
  if (RESERVED.test(stem.trim())) base = `_${base}`;
  if (base.length === 0) base = '_';
  let changed = base !== modelName;
  const hashLen = 9; // '-' + 8 hex
  const budget = MAX_BYTES - Buffer.byteLength(FILE_SUFFIX) - hashLen;
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
  return `${base}${FILE_SUFFIX}`;
}

/** Writes exactly the request body (pretty JSON) to `dir`, atomically. Returns the file path. */
export async function writePushDefinition(dir: string, plan: PushPlan): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, pushDefinitionFileName(plan.report.model));
  // The temporary name must fit the same 255-byte limit as the file name (a 1,000-character model
  // name made `${file}.${pid}.tmp` too long to create; issue 9, hostile names).
  const tmp = path.join(dir, `.push-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(tmp, `${JSON.stringify(plan.request, null, 2)}\n`, 'utf8');
  await rename(tmp, file);
  return file;
}

/** True for a dataset that is our own push output (`…{suffix}`): never converted again. */
export function isOwnPushOutput(name: string, suffix = '_PushSync'): boolean {
  return suffix.length > 0 && name.toLowerCase().endsWith(suffix.toLowerCase());
}
