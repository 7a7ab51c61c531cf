// The OFREP request's evaluation context: a JSON object whose `targetingKey`, when present, is a
// string. Anything else is INVALID_CONTEXT (400), never a 500.
import type { EvaluationContext } from '@openfeature/server-sdk';

const MAX_DEPTH = 16;
// Object.assign (flagd-core copies the context) treats an own "__proto__" key as the prototype
// setter: the context would inherit attributes no lookup of its own keys shows.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_KEYS = 1_000;

export type ParsedContext =
  | { ok: true; context: EvaluationContext }
  | { ok: false; errorCode: 'INVALID_CONTEXT' | 'PARSE_ERROR'; errorDetails: string };

/**
 * Reads an OFREP request body (`{ "context": { … } }`; an empty body is an empty context).
 * @example parseEvaluationRequest('{"context":{"targetingKey":"u1"}}') // { ok: true, context: { targetingKey: 'u1' } }
 */
export function parseEvaluationRequest(body: string): ParsedContext {
  if (body.trim() === '') return { ok: true, context: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, errorCode: 'PARSE_ERROR', errorDetails: 'the request body is not JSON' };
  }
  if (!isObject(parsed)) {
    return invalid('the request body is a JSON object: {"context": {…}}');
  }
  const context = parsed.context ?? {};
  if (!isObject(context)) return invalid('"context" must be a JSON object');
  if (context.targetingKey !== undefined && typeof context.targetingKey !== 'string') {
    return invalid('"context.targetingKey" must be a string');
  }
  const counted = { keys: 0 };
  if (!withinBounds(context, 0, counted)) {
    return invalid(
      `"context" is nested deeper than ${MAX_DEPTH} levels or has over ${MAX_KEYS} keys`,
    );
  }
  return { ok: true, context: context as EvaluationContext };
}

function withinBounds(value: unknown, depth: number, counted: { keys: number }): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.every((item) => withinBounds(item, depth + 1, counted));
  if (isObject(value)) {
    if (Object.keys(value).some((key) => FORBIDDEN_KEYS.has(key))) return false;
    counted.keys += Object.keys(value).length;
    if (counted.keys > MAX_KEYS) return false;
    return Object.values(value).every((item) => withinBounds(item, depth + 1, counted));
  }
  return true;
}

function invalid(errorDetails: string): ParsedContext {
  return { ok: false, errorCode: 'INVALID_CONTEXT', errorDetails };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
