// The storefront as `npm run dev` and the end-to-end stories start it (the kit's
// startAstroSite): `astro dev`, or the built server as its container runs it.
import { fileURLToPath } from 'node:url';
import { type RunningSite, type SiteOptions, startAstroSite } from '@shop/shared/astro-site';

export type RunningStorefront = RunningSite;
export type StorefrontOptions = SiteOptions;

/**
 * Starts the storefront and resolves once it answers.
 * @example const site = await startStorefront({ port: 4321, gatewayUrl: 'http://127.0.0.1:8080' });
 */
export function startStorefront(options: StorefrontOptions): Promise<RunningStorefront> {
  return startAstroSite(
    {
      dir: fileURLToPath(new URL('../', import.meta.url)),
      workspace: '@shop/storefront',
      name: 'the storefront',
      readyPath: '/robots.txt',
    },
    options,
  );
}
