// One loaded flag set, evaluated in memory by flagd's own JavaScript evaluator
// (@openfeature/flagd-core): targeting, fractional, sem_ver, starts_with/ends_with, $flagd.
import { FlagdCore } from '@openfeature/flagd-core';
import type { EvaluationContext } from '@openfeature/server-sdk';
import type { FlagMetadata, FlagSetDocument, Json } from './flag-types.js';
import { useUtf8Bucketing } from './utf8-bucketing.js';

useUtf8Bucketing();

/** A successful OFREP evaluation; DISABLED and DEFAULT without a default variant carry no value. */
export interface EvaluationSuccess {
  key: string;
  value?: Json;
  variant?: string;
  reason: string;
  metadata: FlagMetadata;
}

/** A failed OFREP evaluation (its HTTP status is the route's business). */
export interface EvaluationFailure {
  key: string;
  errorCode:
    | 'FLAG_NOT_FOUND'
    | 'PARSE_ERROR'
    | 'TARGETING_KEY_MISSING'
    | 'INVALID_CONTEXT'
    | 'GENERAL';
  errorDetails: string;
  metadata?: FlagMetadata;
}

export type Evaluation = EvaluationSuccess | EvaluationFailure;

/** Tells a failure from a success. */
export function isFailure(evaluation: Evaluation): evaluation is EvaluationFailure {
  return 'errorCode' in evaluation;
}

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * The flags of one environment at one revision, ready to evaluate.
 * @example const snapshot = createFlagSnapshot(doc, 7); snapshot.evaluate('new-checkout', { targetingKey: 'u1' });
 */
export interface FlagSnapshot {
  revision: number;
  document: FlagSetDocument;
  /** Set-level metadata (flagd's `metadata` beside `flags`). */
  metadata: FlagMetadata;
  keys(): string[];
  evaluate(key: string, context: EvaluationContext): Evaluation;
  /** Every flag, in key order, as the bulk endpoint answers. */
  evaluateAll(context: EvaluationContext): Evaluation[];
}

/** Builds the evaluator of a validated flag set. */
export function createFlagSnapshot(document: FlagSetDocument, revision: number): FlagSnapshot {
  const core = new FlagdCore(undefined, silent);
  core.setConfigurations(JSON.stringify(document));
  const keys = [...core.getFlags().keys()].sort();
  const metadata = (document.metadata ?? {}) as FlagMetadata;

  const evaluate = (key: string, context: EvaluationContext): Evaluation => {
    const flag = core.getFlag(key);
    if (!flag) {
      return {
        key,
        errorCode: 'FLAG_NOT_FOUND',
        errorDetails: `flag '${key}' not found`,
        metadata,
      };
    }
    const flagMetadata = flag.metadata as FlagMetadata;
    if (flag.state === 'DISABLED') return { key, reason: 'DISABLED', metadata: flagMetadata };
    const result = flag.evaluate(context, silent);
    if (result.reason === 'ERROR') {
      return {
        key,
        errorCode: result.errorCode === 'PARSE_ERROR' ? 'PARSE_ERROR' : 'GENERAL',
        errorDetails: result.errorMessage ?? 'evaluation failed',
        metadata: flagMetadata,
      };
    }
    if (result.value === undefined) return { key, reason: result.reason, metadata: flagMetadata };
    return {
      key,
      value: result.value as Json,
      reason: result.reason,
      ...(result.variant !== undefined && { variant: result.variant }),
      metadata: flagMetadata,
    };
  };
  return {
    revision,
    document,
    metadata,
    keys: () => keys,
    evaluate,
    evaluateAll: (context) => keys.map((key) => evaluate(key, context)),
  };
}
