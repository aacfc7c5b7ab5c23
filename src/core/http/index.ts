export { createHttpClient, sharedAgent, type HttpClient, type HttpClientOptions, type HttpResponse, type RequestOptions, type Query } from './client.js';
export { HostPauses } from './host-pause.js';
export { parseRetryAfter, formatUtcTime } from './retry-after.js';
export { readErrorBody, hintFor } from './error-mapping.js';
export type { LroOptions } from './lro.js';
