// `Retry-After` is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Fabric sends seconds
// (docs/fabric-rest.md#throttling-and-errors); Power BI admin quotas send up to ~3600 s; proxies may send a date.

/** Milliseconds to wait from `now`, or undefined when the header is absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** `HH:MM UTC` of an epoch-ms instant, for "throttled until …" messages. */
export function formatUtcTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}
