// `npm run replay -w @shop/reporting -- <events.jsonl>…` (or `node dist/replay/cli.js`): empties
// reporting's read models in DATABASE_URL and replays the CloudEvents of the files, one
// structured-mode JSON event per line, in the order given. Pause /events while it runs (scale the
// Service to zero): events arriving meanwhile would land in tables being emptied.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createPostgresDatabase } from '@shop/shared';
import { parseTimeZones } from '../domain/time-zone.js';
import { replayEvents } from './replay.js';

async function* linesOf(files: string[]): AsyncGenerator<string> {
  for (const file of files) {
    yield* createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  }
}

async function main(): Promise<void> {
  const files = process.argv.slice(2);
  const url = process.env.DATABASE_URL;
  if (files.length === 0 || !url) {
    console.error('usage: DATABASE_URL=… [REPORTING_TIME_ZONES=…] replay <events.jsonl>…');
    process.exit(2);
  }
  const zones = parseTimeZones(process.env.REPORTING_TIME_ZONES ?? 'UTC,Europe/Berlin');
  const db = createPostgresDatabase(url);
  try {
    const result = await replayEvents(db, linesOf(files), { zones });
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
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
