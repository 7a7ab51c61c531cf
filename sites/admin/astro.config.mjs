// The back office: an Astro shell rendered on the server (the node adapter, standalone) around
// one Solid island, the staff app, whose screens are split by route. Settings a build bakes in
// come from the environment at build time; the ones read per request are validated at start in
// src/server/config.ts.
import node from '@astrojs/node';
import solid from '@astrojs/solid-js';
import { defineConfig } from 'astro/config';

// The one public origin the back office answers as. X-Forwarded-Host is believed only when it
// names this host; without the setting it is never believed.
const publicOrigin = process.env.PUBLIC_ORIGIN ? new URL(process.env.PUBLIC_ORIGIN) : undefined;

const serverResolve = {
  conditions: ['source', 'node', 'import', 'default'],
  externalConditions: ['source'],
  noExternal: ['@shop/shared'],
};

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  integrations: [solid()],
  server: { port: 4323, host: '127.0.0.1' },
  devToolbar: { enabled: false },
  security: {
    // Our own middleware checks Origin against PUBLIC_ORIGIN and a per-session token.
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
  vite: {
    // The island imports the permission catalog (@shop/shared/permissions) from its source.
    resolve: { conditions: ['source', 'browser', 'import', 'default'] },
    environments: Object.fromEntries(
      ['ssr', 'prerender', 'astro'].map((name) => [name, { resolve: serverResolve }]),
    ),
  },
});
