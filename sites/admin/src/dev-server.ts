// The back office as `npm run dev` and its browser tests start it (the kit's startAstroSite):
// `astro dev`, or the built server as its container runs it.
import { fileURLToPath } from 'node:url';
import { type RunningSite, type SiteOptions, startAstroSite } from '@shop/shared/astro-site';

export type RunningAdmin = RunningSite;
export type AdminOptions = SiteOptions;

/**
 * Starts the back office and resolves once its sign-in page answers.
 * @example const site = await startAdmin({ port: 4323, gatewayUrl: 'http://127.0.0.1:8080' });
 */
export function startAdmin(options: AdminOptions): Promise<RunningAdmin> {
  return startAstroSite(
    {
      dir: fileURLToPath(new URL('../', import.meta.url)),
      workspace: '@shop/admin',
      name: 'the back office',
      readyPath: '/signin',
    },
    options,
  );
}
