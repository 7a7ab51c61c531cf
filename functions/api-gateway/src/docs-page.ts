import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The Content-Security-Policy of /docs: Swagger UI's script and styles from the gateway itself,
 * nothing from elsewhere. Styles allow 'unsafe-inline' for the style attributes Swagger UI sets;
 * scripts do not (the page has no inline script).
 */
export const DOCS_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  fontSrc: ["'self'", 'data:'],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

/**
 * The API reference page: Swagger UI (`swagger-ui-dist`, served by the gateway under /docs/)
 * rendering the merged document named in `data-url`.
 */
export function docsPage(openApiUrl: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>shop API reference</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
  </head>
  <body>
    <div id="api-reference" data-url="${openApiUrl}"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;
}

/** Starts Swagger UI on the page's element; a file of its own, so the CSP needs no inline script. */
const INIT_SCRIPT = `window.addEventListener('load', function () {
  var element = document.getElementById('api-reference');
  window.ui = SwaggerUIBundle({
    url: element.dataset.url,
    domNode: element,
    deepLinking: true,
    validatorUrl: null,
  });
});
`;

/** A static file of the docs page. */
export interface DocsAsset {
  body: Uint8Array<ArrayBuffer> | string;
  contentType: string;
}

const FROM_SWAGGER_UI: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

/**
 * The files the docs page loads, by name under /docs/: Swagger UI's bundle and styles read from
 * the installed `swagger-ui-dist` (once, on first use), and the page's own start script.
 * @example const asset = await docsAssets.get('swagger-ui.css');
 */
export function createDocsAssets(): { get(name: string): Promise<DocsAsset | undefined> } {
  const cache = new Map<string, Promise<DocsAsset>>();
  let directory: string | undefined;
  return {
    get(name) {
      if (name === 'init.js') {
        return Promise.resolve({
          body: INIT_SCRIPT,
          contentType: 'text/javascript; charset=utf-8',
        });
      }
      const contentType = FROM_SWAGGER_UI[name];
      if (!contentType) return Promise.resolve(undefined);
      let asset = cache.get(name);
      if (!asset) {
        directory ??= dirname(
          createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
        );
        asset = readFile(join(directory, name)).then((body) => ({
          // The bundled source maps are not served.
          body: contentType.startsWith('text/css')
            ? body.toString('utf8').replace(/\/\*# sourceMappingURL=\S+ \*\/\s*$/, '')
            : body,
          contentType,
        }));
        asset.catch(() => cache.delete(name));
        cache.set(name, asset);
      }
      return asset;
    },
  };
}
