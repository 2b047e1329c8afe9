/**
 * Longest time a client may take to send one whole request (headers and body). It ends
 * slow-sending clients (slowloris) that would otherwise hold a socket and a body buffer; 30 s is
 * ample for the largest ingest body (16 MiB) on a slow link. Node answers 408 and closes.
 */
export const REQUEST_TIMEOUT_MS = 30_000;
