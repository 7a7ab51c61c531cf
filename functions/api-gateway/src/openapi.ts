/** An OpenAPI document, loosely typed: the gateway merges documents it does not own. */
export type OpenApiDocument = Record<string, unknown> & {
  paths?: Record<string, unknown>;
  components?: Record<string, Record<string, unknown>>;
  tags?: { name: string }[];
};

export interface AggregatorOptions {
  /** Upstream name → base URL; each serves `/openapi.json`. */
  upstreams: Record<string, string>;
  timeoutMs: number;
  cacheSeconds: number;
  clock?: () => number;
  fetch?: typeof fetch;
}

function pascal(name: string): string {
  return name.replace(/(^|[^a-zA-Z0-9])([a-zA-Z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

function rewriteRefs(value: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, renames));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof item === 'string'
        ? (renames.get(item) ?? item)
        : rewriteRefs(item, renames);
  }
  return out;
}

/**
 * Merges the documents of several functions into one: paths side by side (the first document
 * keeps a path two documents claim), components with clashing names prefixed by the upstream
 * name (`OfferProblem`), and the upstreams that did not answer in `x-unavailable`.
 * @example mergeOpenApi({ offer: offerDoc, auth: authDoc }, ['cart'])
 */
export function mergeOpenApi(
  documents: Record<string, OpenApiDocument>,
  unavailable: string[],
): OpenApiDocument {
  const paths: Record<string, unknown> = {};
  const components: Record<string, Record<string, unknown>> = {};
  const tags = new Map<string, { name: string }>();
  for (const [upstream, original] of Object.entries(documents)) {
    const renames = new Map<string, string>();
    for (const [section, entries] of Object.entries(original.components ?? {})) {
      const existing = components[section] ?? {};
      for (const [name, definition] of Object.entries(entries ?? {})) {
        const clash =
          name in existing && JSON.stringify(existing[name]) !== JSON.stringify(definition);
        if (clash) {
          renames.set(
            `#/components/${section}/${name}`,
            `#/components/${section}/${pascal(upstream)}${name}`,
          );
        }
      }
    }
    const document = rewriteRefs(original, renames) as OpenApiDocument;
    for (const [section, entries] of Object.entries(document.components ?? {})) {
      const merged = components[section] ?? {};
      components[section] = merged;
      for (const [name, definition] of Object.entries(entries ?? {})) {
        const target = renames.has(`#/components/${section}/${name}`)
          ? `${pascal(upstream)}${name}`
          : name;
        merged[target] = definition;
      }
    }
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      if (!(path in paths)) paths[path] = item;
    }
    for (const tag of document.tags ?? []) {
      if (tag && typeof tag.name === 'string' && !tags.has(tag.name)) tags.set(tag.name, tag);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'shop API',
      version: '1.0.0',
      description:
        'Every public route of the shop, as served through the api-gateway. Send the access ' +
        'token from POST /api/auth/login as `Authorization: Bearer <token>`.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      ...components,
      securitySchemes: {
        ...(components.securitySchemes ?? {}),
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
    tags: [...tags.values()],
    'x-unavailable': unavailable,
  };
}

async function fetchDocument(
  url: string,
  timeoutMs: number,
  fetcher: typeof fetch,
): Promise<OpenApiDocument> {
  const res = await fetcher(url, {
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'manual',
    headers: { accept: 'application/json' },
  });
  if (!res.ok) throw new Error(`status ${res.status}`);
  const body = (await res.json()) as unknown;
  if (body === null || typeof body !== 'object' || !('paths' in body)) {
    throw new Error('not an OpenAPI document');
  }
  return body as OpenApiDocument;
}

/**
 * The merged document of every upstream, fetched in parallel (each with a timeout) and cached
 * for `cacheSeconds`; concurrent callers share one fetch.
 * @example const doc = await aggregator.document();
 */
export function createOpenApiAggregator(options: AggregatorOptions): {
  document(): Promise<OpenApiDocument>;
} {
  const clock = options.clock ?? Date.now;
  const fetcher = options.fetch ?? fetch;
  let cached: { at: number; document: Promise<OpenApiDocument> } | undefined;
  const build = async () => {
    const entries = Object.entries(options.upstreams);
    const results = await Promise.allSettled(
      entries.map(([, base]) =>
        fetchDocument(`${base.replace(/\/+$/, '')}/openapi.json`, options.timeoutMs, fetcher),
      ),
    );
    const documents: Record<string, OpenApiDocument> = {};
    const unavailable: string[] = [];
    results.forEach((result, index) => {
      const name = entries[index]?.[0] ?? String(index);
      if (result.status === 'fulfilled') documents[name] = result.value;
      else unavailable.push(name);
    });
    return mergeOpenApi(documents, unavailable);
  };
  return {
    document() {
      const now = clock();
      if (!cached || now - cached.at >= options.cacheSeconds * 1000) {
        const document = build();
        cached = { at: now, document };
      }
      return cached.document;
    },
  };
}
