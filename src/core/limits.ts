// Size limits (issue 13 item 14). Without them a 200 MB model took 13 minutes and 7.5 GB, a 600 MB
// answer was held in memory and downloaded again on every retry, and a folder of 100,000 files ended
// in EMFILE. Each limit is far above what a real semantic model needs (the largest corpus model is
// under 1 MB of TMSL; 64 MiB is several thousand tables) and each is reported with a clear error
// naming the model or file, never a crash.

/** Text of one model definition: a local file or folder, or the decoded parts of getDefinition. */
export const MAX_DEFINITION_BYTES = 64 * 1024 * 1024;

/**
 * One HTTP answer. getDefinition sends the definition base64-encoded (4/3 of its size) inside JSON,
 * so this leaves room for a definition at MAX_DEFINITION_BYTES and refuses anything bigger before
 * it is held in memory; an answer over the limit is not requested again.
 */
export const MAX_RESPONSE_BYTES = Math.ceil((MAX_DEFINITION_BYTES * 4) / 3) + 4 * 1024 * 1024;

/** `.tmdl` files in one definition/ folder (one per table, role, culture, perspective…). */
export const MAX_MODEL_FILES = 10_000;

/** Files read at once from a definition/ folder, far below any open-files limit. */
export const FILE_READ_CONCURRENCY = 16;

/**
 * Longest push dataset, table and relationship name: the Push API's documented table-name pattern
 * allows 1–100 characters, and Analysis Services (which holds every Power BI semantic model) limits
 * object names to 100 characters
 * (https://learn.microsoft.com/analysis-services/multidimensional-models/olap-physical/object-naming-rules-analysis-services).
 */
export const MAX_PUSH_NAME_LENGTH = 100;

/** `12.3 MB` for messages. */
export function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}
