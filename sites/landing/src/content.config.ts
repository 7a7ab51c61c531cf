// The campaigns: one JSON file per campaign and locale (src/content/campaigns/<id>/<locale>.json),
// checked by this schema at build time, so a campaign with a missing headline variant or alt text
// does not build. (JSON, not Markdown front matter: Biome formats both, and only JSON safely.)
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case words joined by -');
const utmValue = z.string().min(1).max(100);

const campaigns = defineCollection({
  loader: glob({ pattern: '*/*.json', base: './src/content/campaigns' }),
  schema: ({ image }) =>
    z.object({
      /** The campaign's id (its folder, the redirect link's campaign): the page is /<campaignId>. */
      campaignId: slug,
      locale: z.enum(['en', 'de']),
      title: z.string().min(1).max(70),
      description: z.string().min(1).max(160),
      /** The paragraph under the headline. */
      intro: z.string().min(1).max(600),
      /** The flag that picks the headline: its variants' keys are the keys of `headlines`. */
      headlineFlag: z.string().min(1).max(128),
      /** The variant shown when the flag cannot be asked (or answers a variant not listed). */
      defaultVariant: z.string().min(1),
      headlines: z.record(z.string().min(1).max(40), z.string().min(1).max(120)),
      hero: z.object({ image: image(), alt: z.string().min(1).max(200) }),
      /** Storefront products shown, by slug, with the text the campaign gives them. */
      featuredOffers: z
        .array(z.object({ slug, name: z.string().min(1), blurb: z.string().min(1) }))
        .min(1)
        .max(12),
      callToAction: z.object({
        label: z.string().min(1).max(60),
        /** A storefront path (/c/outdoor, /search?q=…). */
        path: z.string().regex(/^\/(?!\/)/, 'a path of the storefront'),
      }),
      /** The promo banner's text (the island shows it while the `bannerFlag` is on). */
      banner: z.object({ flag: z.string().min(1).max(128), text: z.string().min(1).max(160) }),
      /** UTM parameters a visit without its own gets (a direct visit, a shared link). */
      utmDefaults: z.object({
        utm_source: utmValue.optional(),
        utm_medium: utmValue.optional(),
        utm_campaign: utmValue.optional(),
        utm_term: utmValue.optional(),
        utm_content: utmValue.optional(),
      }),
    }),
});

export const collections = { campaigns };
