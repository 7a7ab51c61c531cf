const SCALAR_CDN = 'https://cdn.jsdelivr.net';

/** The Content-Security-Policy of /docs: Scalar's script and styles from its CDN, nothing else. */
export const DOCS_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: [SCALAR_CDN],
  styleSrc: ["'self'", "'unsafe-inline'", SCALAR_CDN],
  fontSrc: ["'self'", 'data:', SCALAR_CDN, 'https://fonts.scalar.com'],
  imgSrc: ["'self'", 'data:', 'https:'],
  connectSrc: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

/**
 * The API reference page: Scalar's standalone bundle (from its CDN, in the browser) rendering
 * the merged document. No inline script, so the CSP needs no 'unsafe-inline' for scripts.
 */
export function docsPage(openApiUrl: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>shop API reference</title>
  </head>
  <body>
    <script id="api-reference" data-url="${openApiUrl}"></script>
    <script src="${SCALAR_CDN}/npm/@scalar/api-reference@1"></script>
  </body>
</html>
`;
}
