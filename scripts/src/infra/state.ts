// What `npm run infra -- up` set up, kept in .infra/state.json so `env`, `status` and `down`
// (separate processes) know the URLs and stop only what `up` started.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, infraDir } from './util.js';

/**
 * Where a service comes from:
 * - `existing`: it already answered on its port; `down` leaves it alone.
 * - `native`: `up` started a local process (pid or data dir below); `down` stops it.
 * - `docker`: `up` started a container through testcontainers; `down` removes it.
 */
export type Source = 'existing' | 'native' | 'docker';

export interface ServiceState {
  source: Source;
  /** The value exported to tests (DATABASE_URL, REDIS_URL, KAFKA_BROKERS). */
  url: string;
  port: number;
  containerId?: string;
}

export interface PostgresState extends ServiceState {
  /** Native: the cluster's data dir (may be under /tmp when running as root). */
  dataDir?: string;
  /** Native: bin dir holding pg_ctl. */
  binDir?: string;
  /** Native, when running as root: the user the server runs as. */
  runAs?: string;
}

export type RedisState = ServiceState;

export interface KafkaState extends ServiceState {
  controllerPort?: number;
}

export interface InfraState {
  /** How services that were not already running got started. */
  mode: 'native' | 'docker';
  startedAt: string;
  postgres?: PostgresState;
  redis?: RedisState;
  kafka?: KafkaState;
}

export const stateFile = join(infraDir, 'state.json');

export function readState(): InfraState | undefined {
  if (!existsSync(stateFile)) return undefined;
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8')) as InfraState;
  } catch (err) {
    throw new Error(`${stateFile} is not valid JSON (${(err as Error).message}); delete it`);
  }
}

export function writeState(state: InfraState): void {
  ensureDir(infraDir);
  const tmp = `${stateFile}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, stateFile);
}

export function clearState(): void {
  rmSync(stateFile, { force: true });
}
