// The one thing decided per request: which headline variant a visitor sees. The campaign's
// flag is evaluated over OpenFeature (the kit's client, OFREP at the gateway) with the visitor id
// as targeting key, so the flag's fractional split keeps a visitor in one variant; feature-flag
// records the exposure of an experiment flag itself. Any failure — feature-flag or the gateway
// down or slow, the flag missing or disabled, a variant the campaign does not list — answers the
// campaign's default variant: the page never fails because of a flag.
import type { createFlagClient } from '@shop/shared';

/** The kit's OpenFeature client (server SDK over the OFREP provider). */
export type FlagClient = Awaited<ReturnType<typeof createFlagClient>>;
type EvaluationContext = NonNullable<Parameters<FlagClient['getStringDetails']>[2]>;

/** What a campaign gives the choice: its flag, its headlines by variant, its default variant. */
export interface HeadlineCampaign {
  campaignId: string;
  headlineFlag: string;
  defaultVariant: string;
  headlines: Record<string, string>;
}

export interface ChosenHeadline {
  variant: string;
  text: string;
  /** Whether the flag decided (false: the default variant stood in). */
  decided: boolean;
  /** Why the default stood in: OpenFeature's error code, or the flag's reason (DISABLED…). */
  fallbackReason?: string;
}

/** The context every evaluation of the page sends (the visitor, the campaign, the locale). */
export function visitContext(
  visitorId: string,
  campaignId: string,
  locale: string,
): EvaluationContext {
  return { targetingKey: visitorId, campaign: campaignId, locale };
}

/**
 * The headline of `campaign` for the visit `context` (its targetingKey is the visitor id).
 * @example const { text } = await chooseHeadline(flags, campaign, visitContext(visitorId, 'summer-sale', 'en'));
 */
export async function chooseHeadline(
  flags: FlagClient | undefined,
  campaign: HeadlineCampaign,
  context: EvaluationContext,
): Promise<ChosenHeadline> {
  const fallback = {
    variant: campaign.defaultVariant,
    text: campaign.headlines[campaign.defaultVariant] ?? Object.values(campaign.headlines)[0] ?? '',
    decided: false,
  };
  if (!flags) return fallback;
  try {
    const details = await flags.getStringDetails(campaign.headlineFlag, '', context);
    const variant = details.errorCode ? undefined : details.variant;
    const text = variant === undefined ? undefined : campaign.headlines[variant];
    if (variant !== undefined && text !== undefined) return { variant, text, decided: true };
    const reason =
      details.errorCode ?? (variant === undefined ? details.reason : 'UNKNOWN_VARIANT');
    return { ...fallback, fallbackReason: String(reason ?? 'NO_VARIANT') };
  } catch {
    // OpenFeature answers errors with the default value; this guards a provider that throws.
    return { ...fallback, fallbackReason: 'PROVIDER_THREW' };
  }
}

/**
 * Whether a boolean flag is on for the visit; `false` when it cannot be told.
 * @example await isFlagOn(flags, 'landing-promo-banner', context)
 */
export async function isFlagOn(
  flags: FlagClient | undefined,
  flagKey: string,
  context: EvaluationContext,
): Promise<boolean> {
  if (!flags) return false;
  try {
    return await flags.getBooleanValue(flagKey, false, context);
  } catch {
    return false;
  }
}
