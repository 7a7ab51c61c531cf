// The landing site as `npm run dev` and the browser tests start it (the kit's startAstroSite):
// `astro dev`, or the built server as its container runs it. Its URL names `localhost`, where
// the redirect's demo link points.
import { fileURLToPath } from 'node:url';
import { type RunningSite, type SiteOptions, startAstroSite } from '@shop/shared/astro-site';

export type RunningLanding = RunningSite;
export type LandingOptions = SiteOptions;

/**
 * Starts the landing site and resolves once it answers.
 * @example const site = await startLanding({ port: 4322, gatewayUrl: 'http://127.0.0.1:8080' });
 */
export function startLanding(options: LandingOptions): Promise<RunningLanding> {
  return startAstroSite(
    {
      dir: fileURLToPath(new URL('../', import.meta.url)),
      workspace: '@shop/landing',
      name: 'the landing site',
      host: 'localhost',
      readyPath: '/robots.txt',
    },
    options,
  );
}
