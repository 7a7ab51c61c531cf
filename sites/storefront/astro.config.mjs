// The storefront: server-rendered on every request (the node adapter, standalone), Solid islands
// only where they help. Settings a build bakes in come from the environment at build time; the
// ones read per request are validated at start in src/server/config.ts.
import node from '@astrojs/node';
import solid from '@astrojs/solid-js';
import { defineConfig } from 'astro/config';

// The one public origin the site answers as (e.g. https://shop.example.com). X-Forwarded-Host is
// believed only when it names this host; without the setting it is never believed. Canonical
// URLs and the CSRF origin check use the validated runtime setting, never the request's host.
const publicOrigin = process.env.PUBLIC_ORIGIN ? new URL(process.env.PUBLIC_ORIGIN) : undefined;

// `node` among the external conditions too: without it the dev server (which leaves solid-js
// external) loads Solid's browser build on the server and cannot render an island.
const serverResolve = {
  conditions: ['source', 'node', 'import', 'default'],
  externalConditions: ['source', 'node'],
  noExternal: ['@shop/shared', '@shop/eventing'],
};

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  integrations: [solid()],
  server: { port: 4321, host: '127.0.0.1' },
  devToolbar: { enabled: false },
  security: {
    // Our own middleware checks Origin against PUBLIC_ORIGIN (Astro's check compares it with the
    // request URL, which is http:// behind a TLS-terminating proxy) and a per-session token.
    checkOrigin: false,
    allowedDomains: publicOrigin
      ? [
          {
            hostname: publicOrigin.hostname,
            protocol: publicOrigin.protocol.replace(':', ''),
            ...(publicOrigin.port && { port: publicOrigin.port }),
          },
        ]
      : [],
  },
  // Workspace packages (@shop/shared, @shop/eventing) resolve to their TypeScript sources, as everywhere in the
  // repository, and are bundled into the server build; their own dependencies stay external.
  vite: {
    environments: Object.fromEntries(
      ['ssr', 'prerender', 'astro'].map((name) => [name, { resolve: serverResolve }]),
    ),
  },
});
