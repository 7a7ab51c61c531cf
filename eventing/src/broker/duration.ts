// ISO-8601 durations as Knative's control plane reads DeliverySpec.backoffDelay and .timeout
// (github.com/rickb777/date/period: PnYnMnWnDTnHnMnS, fractions allowed, year = 365.2425 days,
// month = 1/12 year), rounded to whole milliseconds as DurationMillisFromISO8601String does.

const PATTERN =
  /^([-+])?P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/i;

const SECOND = 1000;
const DAY = 86_400 * SECOND;
const YEAR = 365.2425 * DAY;
const UNITS = [YEAR, YEAR / 12, 7 * DAY, DAY, 3600 * SECOND, 60 * SECOND, SECOND];

/**
 * Milliseconds of an ISO-8601 duration (its absolute value), or undefined when it is not one.
 * @example parseIsoDuration('PT0.5S') === 500
 */
export function parseIsoDuration(text: string): number | undefined {
  const match = PATTERN.exec(text.trim());
  if (!match) return undefined;
  const parts = match.slice(2);
  if (parts.every((p) => p === undefined) || /T$/i.test(text.trim())) return undefined;
  let ms = 0;
  parts.forEach((part, i) => {
    if (part !== undefined) ms += Number(part.replace(',', '.')) * UNITS[i]!;
  });
  return Math.round(ms);
}
