// Where an accepted call goes. PostHog's design: a visitor who sends more than their share
// (a bot, a loop in a page) is moved to an overflow topic so it cannot stall the partition its
// key hashes to, and calls from long ago (a phone offline for days, a replay) go to a
// historical topic so the live consumers keep up with now.

/** The three topics of the ingest. */
export interface AnalyticsTopics {
  main: string;
  overflow: string;
  historical: string;
}

/** How old (by corrected timestamp) a call may be before it is historical: one day. */
export const HISTORICAL_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * The topic of a call: historical when it happened more than a day before it was received,
 * else overflow when its visitor is over their rate, else the main topic.
 * @example chooseTopic(topics, { timestamp, receivedAt, overRate: false }) // topics.main
 */
export function chooseTopic(
  topics: AnalyticsTopics,
  call: { timestamp: Date; receivedAt: Date; overRate: boolean },
): string {
  if (call.receivedAt.getTime() - call.timestamp.getTime() > HISTORICAL_AFTER_MS) {
    return topics.historical;
  }
  return call.overRate ? topics.overflow : topics.main;
}
