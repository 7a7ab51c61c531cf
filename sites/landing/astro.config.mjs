// The campaign landing pages: the node adapter (standalone) for the one thing decided per
// request — the headline variant and the visit's own links — and prerendered pages for the rest
// (the campaign list, 404). One Solid island (the promo banner). Settings a build bakes in come
// from the environment at build time; the ones read per request are validated at start in
// src/server/config.ts.
import node from '@astrojs/node';
import solid from '@astrojs/solid-js';
import { defineConfig } from 'astro/config';

// The one public origin the site answers as (e.g. https://sale.example.com). X-Forwarded-Host is
// believed only when it names this host; without the setting it is never believed. Canonical
// URLs use the validated runtime setting, never the request's host.
const publicOrigin = process.env.PUBLIC_ORIGIN ? new URL(process.env.PUBLIC_ORIGIN) : undefined;

// `node` among the external conditions: in `astro dev` the server imports solid-js from outside the
// bundle, and without it Vite picks solid-js/web's browser build, which cannot render the island.
const serverResolve = {
  conditions: ['source', 'node', 'import', 'default'],
  externalConditions: ['source', 'node'],
  noExternal: ['@shop/shared'],
};

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  integrations: [solid()],
  server: { port: 4322, host: '127.0.0.1' },
  devToolbar: { enabled: false },
  security: {
    // The site takes no form posts; Astro's check would compare Origin with the request URL.
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
  // Workspace packages (@shop/shared) resolve to their TypeScript sources, as everywhere in the
  // repository, and are bundled into the server build; their own dependencies stay external.
  vite: {
    environments: Object.fromEntries(
      ['ssr', 'prerender', 'astro'].map((name) => [name, { resolve: serverResolve }]),
    ),
  },
});
