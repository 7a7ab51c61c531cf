// The island's one way to the platform: the site's own /api/admin proxy (same origin, the
// session cookie; the server adds the bearer token). State-changing calls carry the session's
// CSRF token in a header. A 401 means the session ended: the browser goes to sign-in.

/** What a call got back. */
export interface ApiAnswer<T> {
  status: number;
  ok: boolean;
  body: T;
  /** The ETag of the answer (offer, flags and links send one per record). */
  etag: string | null;
  headers: Headers;
}

/** An RFC 9457 problem as the platform sends it. */
export interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  errors?: { name: string; reason: string }[];
  currentVersion?: number;
}

export interface ApiOptions {
  csrf: string;
  /** Where the browser goes when the session is gone (the sign-in page with a return path). */
  onSignedOut: () => void;
}

export type Api = ReturnType<typeof createApi>;

/** Path and query string from parts: undefined and '' values are left out. */
export function withQuery(path: string, query: Record<string, string | number | undefined>) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** A problem's words for a person: its detail, else its title, else the status. */
export function problemText(answer: ApiAnswer<unknown>): string {
  const problem = (answer.body ?? {}) as Problem;
  const fields = problem.errors?.map((e) => `${e.name.replace(/^json\./, '')} ${e.reason}`);
  return [problem.detail ?? problem.title ?? `HTTP ${answer.status}`, ...(fields ?? [])].join('; ');
}

/**
 * The client of the proxy.
 * @example const api = createApi({ csrf, onSignedOut }); await api.get('/api/admin/offers');
 */
export function createApi(options: ApiOptions) {
  async function call<T>(
    method: string,
    path: string,
    init: {
      body?: unknown;
      ifMatch?: string | undefined;
      accept?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = {
      ...init.headers,
      accept: init.accept ?? 'application/json',
    };
    if (method !== 'GET') headers['x-csrf-token'] = options.csrf;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.ifMatch) headers['if-match'] = init.ifMatch;
    const res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
    if (res.status === 401) options.onSignedOut();
    const type = res.headers.get('content-type') ?? '';
    const body = type.includes('json') ? await res.json().catch(() => null) : await res.text();
    return {
      status: res.status,
      ok: res.ok,
      body: body as T,
      etag: res.headers.get('etag'),
      headers: res.headers,
    };
  }
  return {
    get: <T>(path: string, accept?: string) => call<T>('GET', path, accept ? { accept } : {}),
    send: <T>(
      method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
      path: string,
      body?: unknown,
      ifMatch?: string,
      /** More request headers (e.g. an Idempotency-Key). */
      headers?: Record<string, string>,
    ) => call<T>(method, path, { body, ifMatch, ...(headers && { headers }) }),
  };
}
