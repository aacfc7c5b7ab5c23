// The names of the files publishers write beside each other in push.outDir
// (`{Model}.{key}_push_api.json`, `{Model}.{key}_semantic_view.sql`). Two models may share a name
// (two workspaces, or a local folder and a Fabric model): each file is keyed by workspace + model id
// so that one model never reads or overwrites another's (issue 13 item 1).
import { createHash } from 'node:crypto';

// Windows reserves these names with or without an extension (CON, CON.txt…).
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
// 255 bytes is the file-name limit on ext4, APFS and NTFS (UTF-16 units there; bytes are stricter).
const MAX_BYTES = 255;

/** The identity an output file is keyed by: the workspace the model is in and the model's id. */
export function outputFileKey(workspaceId: string | null, modelId: string): string {
  return `${workspaceId ?? ''}/${modelId}`;
}

/**
 * `{Model}.{key}{suffix}` (without a key: `{Model}{suffix}`, the push file name of earlier versions),
 * safe on Windows, Linux and macOS: `<>:"/\|?*` and control characters become `_`, a leading dot
 * is escaped (no hidden files), a reserved device name gets a `_` prefix, and long names are cut.
 * When anything had to change, an 8-hex hash of the original name is appended so two models that
 * sanitise alike (`A/B`, `A:B`) never share a file. `{key}` is 12 hex of a hash of `outputFileKey`.
 */
export function outputFileName(modelName: string, suffix: string, key?: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  let base = modelName.replace(/[<>:"/\\|?*\u0000-\u001F\u007F]/g, '_').replace(/[. ]+$/, (m) => '_'.repeat(m.length));
  if (base.startsWith('.')) base = `_${base.slice(1)}`;
  const stem = base.split('.')[0] ?? '';
  if (RESERVED.test(stem.trim())) base = `_${base}`;
  if (base.length === 0) base = '_';
  let changed = base !== modelName;
  const hashLen = 9; // '-' + 8 hex
  const keyPart = key === undefined ? '' : `.${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
  const budget = MAX_BYTES - Buffer.byteLength(suffix) - hashLen - keyPart.length;
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
  return `${base}${keyPart}${suffix}`;
}
