/** Where the CLI finds the service: flags first, then SANDTRAP_URL / SANDTRAP_TOKEN. */
export interface ServerOptions {
  server?: string;
  token?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** A small JSON client of the Sandtrap REST API; error answers become ApiError with the service's message. */
export class ApiClient {
  private readonly base: string;
  private readonly token: string;

  constructor(options: ServerOptions) {
    const server = options.server ?? process.env.SANDTRAP_URL ?? 'http://127.0.0.1:8080';
    const token = options.token ?? process.env.SANDTRAP_TOKEN;
    if (!token) throw new ApiError(0, 'no_token', 'no API token: pass --token or set SANDTRAP_TOKEN');
    this.base = server.replace(/\/+$/, '');
    this.token = token;
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ body: T; headers: Headers; text: string }> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(
        0,
        'unreachable',
        `cannot reach ${this.base}: ${(error as Error).cause ?? (error as Error).message}`,
      );
    }
    const text = await res.text();
    if (!res.ok) {
      let parsed: { error?: { code?: string; message?: string; details?: unknown } } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        // not the API's error shape: report the status and text
      }
      throw new ApiError(
        res.status,
        parsed.error?.code ?? `http_${res.status}`,
        parsed.error?.message ?? (text.slice(0, 200) || res.statusText),
        parsed.error?.details,
      );
    }
    const isJson = (res.headers.get('content-type') ?? '').includes('json') && text.length > 0;
    return { body: (isJson ? JSON.parse(text) : undefined) as T, headers: res.headers, text };
  }

  /**
   * Every item of a paged list (`{items, nextCursor}`), its pages read in order: 1000 items a
   * page, or SANDTRAP_PAGE_SIZE (1 to 1000).
   */
  async all<T>(path: string): Promise<T[]> {
    const set = Number.parseInt(process.env.SANDTRAP_PAGE_SIZE ?? '', 10);
    const pageSize = set >= 1 && set <= 1000 ? set : 1000;
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const more: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page: { body: { items: T[]; nextCursor: string | null } } = await this.request(
        'GET',
        `${path}${path.includes('?') ? '&' : '?'}limit=${pageSize}${more}`,
      );
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    return items;
  }
}

/** One line for stderr: the status, the code, the message and any field errors. */
export function describeApiError(error: ApiError): string {
  const fields =
    (error.details as { errors?: { pointer: string; message: string }[] } | undefined)?.errors ?? [];
  const lines = [`error: ${error.message}${error.status ? ` (${error.status} ${error.code})` : ''}`];
  for (const f of fields.slice(0, 20)) lines.push(`  ${f.pointer || '/'}: ${f.message}`);
  return lines.join('\n');
}
