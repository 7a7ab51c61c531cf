// `npm run replay -w @shop/reporting -- <events.jsonl>… [--kafka <topic>,…]` (or
// `node dist/replay/cli.js …`): empties reporting's read models in DATABASE_URL and replays the
// CloudEvents of the files (one structured-mode JSON event per line) and of the Kafka topics on
// KAFKA_BROKERS (every record they hold up to their end offsets at start: the broker's topic, the
// analytics topics), in the order given. Pause /events while it runs (scale the Service to zero):
// events arriving meanwhile would land in tables being emptied.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createKafkajsClient, createPostgresDatabase, type KafkaClient } from '@shop/shared';
import { parseTimeZones } from '../domain/time-zone.js';
import { kafkaLines } from './kafka-lines.js';
import { replayEvents } from './replay.js';

async function* linesOf(
  files: string[],
  topics: string[],
  kafka: KafkaClient | undefined,
): AsyncGenerator<string> {
  for (const file of files) {
    yield* createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  }
  for (const topic of topics) if (kafka) yield* kafkaLines(kafka, topic);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--kafka');
  const topics = at < 0 ? [] : (args[at + 1] ?? '').split(',').filter(Boolean);
  const files = at < 0 ? args : [...args.slice(0, at), ...args.slice(at + 2)];
  const url = process.env.DATABASE_URL;
  const brokers = process.env.KAFKA_BROKERS;
  if ((files.length === 0 && topics.length === 0) || !url || (topics.length > 0 && !brokers)) {
    console.error(
      'usage: DATABASE_URL=… [KAFKA_BROKERS=…] [REPORTING_TIME_ZONES=…] replay [<events.jsonl>…] [--kafka <topic>,…]',
    );
    process.exit(2);
  }
  const kafka =
    topics.length > 0 && brokers
      ? createKafkajsClient({ brokers: brokers.split(','), clientId: 'reporting-replay' })
      : undefined;
  const zones = parseTimeZones(process.env.REPORTING_TIME_ZONES ?? 'UTC,Europe/Berlin');
  const db = createPostgresDatabase(url);
  try {
    const result = await replayEvents(db, linesOf(files, topics, kafka), { zones });
    console.log(
      JSON.stringify({
        applied: result.applied,
        duplicates: result.duplicates,
        refused: result.refused.length,
      }),
    );
    for (const { line, reason } of result.refused.slice(0, 100)) {
      console.error(`line ${line}: ${reason}`);
    }
  } finally {
    await kafka?.close();
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
