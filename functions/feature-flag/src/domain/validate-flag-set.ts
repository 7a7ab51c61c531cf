// Validates a flagd flag set the way flagd-core does (its compiled copy of flagd's published
// flags.json and targeting.json schemas, strict mode), and adds the checks flagd only makes
// when it loads the file: every `$ref` names an evaluator, the default variant exists, the
// targeting compiles. Each error names the flag and a JSON Pointer into the document.
import { MemoryStorage } from '@openfeature/flagd-core';
import type { FlagSetDocument, Json } from './flag-types.js';

/** One thing wrong with a definition: which flag (null: the set), where, and why. */
export interface FlagSetError {
  flag: string | null;
  /** JSON Pointer into the submitted document, e.g. `/flags/new-checkout/variants/on`. */
  path: string;
  message: string;
}

export type FlagSetValidation =
  | { ok: true; document: FlagSetDocument }
  | { ok: false; errors: FlagSetError[] };

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const MAX_DEPTH = 32;

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * Checks a flag set document; on success returns it as a typed document.
 * @example const result = validateFlagSet(JSON.parse(body)); if (!result.ok) console.log(result.errors);
 */
export function validateFlagSet(input: unknown): FlagSetValidation {
  if (!isObject(input)) {
    return fail(null, '', 'a flag set is a JSON object with "flags"');
  }
  const errors: FlagSetError[] = [];
  const depth = maxDepth(input, 0);
  if (depth > MAX_DEPTH) return fail(null, '', `nested deeper than ${MAX_DEPTH} levels`);
  const flags = isObject(input.flags) ? input.flags : null;
  for (const [key, flag] of Object.entries(flags ?? {})) {
    const variants = isObject(flag) && isObject(flag.variants) ? flag.variants : null;
    const defaultVariant = isObject(flag) ? flag.defaultVariant : undefined;
    if (
      variants &&
      typeof defaultVariant === 'string' &&
      !Object.hasOwn(variants, defaultVariant)
    ) {
      errors.push({
        flag: key,
        path: `/flags/${pointerToken(key)}/defaultVariant`,
        message: `the default variant "${defaultVariant}" is not one of the variants (${Object.keys(variants).join(', ')})`,
      });
    }
    if (!KEY_PATTERN.test(key)) {
      errors.push({
        flag: key,
        path: `/flags/${pointerToken(key)}`,
        message:
          'a flag key is 1-128 letters, digits, "_", ".", ":" or "-", starting with a letter or digit',
      });
    }
  }
  errors.push(...checkReferences(input));
  if (errors.length > 0) return { ok: false, errors };

  const storage = new MemoryStorage(silent);
  try {
    storage.setConfigurations(JSON.stringify(input), true);
  } catch (error) {
    return { ok: false, errors: schemaErrors(error, input) };
  }
  for (const [key, flag] of storage.getFlags()) {
    const evaluated = flag.evaluate({ targetingKey: 'validation' }, silent);
    if (evaluated.reason === 'ERROR' && evaluated.errorCode === 'PARSE_ERROR') {
      errors.push({
        flag: key,
        path: `/flags/${pointerToken(key)}/targeting`,
        message: 'the targeting does not compile: an unknown operation or a malformed rule',
      });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, document: input as unknown as FlagSetDocument };
}

/** Every `{"$ref": name}` in a flag's targeting or an evaluator must name an evaluator. */
function checkReferences(doc: Record<string, unknown>): FlagSetError[] {
  const evaluators = isObject(doc.$evaluators) ? doc.$evaluators : {};
  const errors: FlagSetError[] = [];
  const visit = (node: unknown, path: string, flag: string | null) => {
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) visit(item, `${path}/${index}`, flag);
      return;
    }
    if (!isObject(node)) return;
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === '$ref') {
      const name = node.$ref;
      if (typeof name !== 'string' || !Object.hasOwn(evaluators, name)) {
        errors.push({
          flag,
          path: `${path}/$ref`,
          message: `"$ref" names no evaluator in "$evaluators": ${JSON.stringify(name)}`,
        });
      }
      return;
    }
    for (const key of keys) visit(node[key], `${path}/${pointerToken(key)}`, flag);
  };
  if (isObject(doc.flags)) {
    for (const [key, flag] of Object.entries(doc.flags)) {
      if (isObject(flag) && flag.targeting !== undefined) {
        visit(flag.targeting, `/flags/${pointerToken(key)}/targeting`, key);
      }
    }
  }
  for (const [name, rule] of Object.entries(evaluators)) {
    visit(rule, `/$evaluators/${pointerToken(name)}`, null);
  }
  return errors;
}

/**
 * flagd-core throws a ParseError whose message carries ajv's errors as JSON, or (for what its
 * structure check refuses: a state or default variant) a cause. The errors become one per
 * place, most specific first: a flag's variants of mixed types match none of the schema's four
 * variant shapes, which is one error, not four.
 */
function schemaErrors(error: unknown, doc: Record<string, unknown>): FlagSetError[] {
  const message = error instanceof Error ? error.message : String(error);
  const json = message.indexOf(': [');
  if (json >= 0) {
    let list: AjvError[] = [];
    try {
      list = JSON.parse(message.slice(json + 2)) as AjvError[];
    } catch {
      list = [];
    }
    if (list.length > 0) return summarise(list, doc);
  }
  const cause = (error as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? cause.message : message;
  return [{ flag: null, path: '', message: detail.split('\n')[0] ?? detail }];
}

function summarise(list: AjvError[], doc: Record<string, unknown>): FlagSetError[] {
  const byFlag = new Map<string, FlagSetError>();
  const out: FlagSetError[] = [];
  for (const item of list) {
    const flag = flagOfPath(item.instancePath);
    const variantShape = /^\/flags\/[^/]+\/variants(\/|$)/.test(item.instancePath);
    if (flag !== null && variantShape && item.keyword === 'type') {
      const key = `${flag}:variants`;
      if (!byFlag.has(key)) {
        const error = {
          flag,
          path: `/flags/${pointerToken(flag)}/variants`,
          message: `variants must all be of one type (boolean, string, number or object): ${describeVariants(doc, flag)}`,
        };
        byFlag.set(key, error);
        out.push(error);
      }
      continue;
    }
    if (item.keyword === 'anyOf' || item.keyword === 'oneOf') continue;
    const text =
      item.keyword === 'additionalProperties'
        ? `unknown property "${String(item.params?.additionalProperty)}"`
        : item.keyword === 'enum'
          ? `${item.message ?? 'not allowed'}: ${JSON.stringify(item.params?.allowedValues)}`
          : (item.message ?? item.keyword);
    const key = `${item.instancePath}:${text}`;
    if (byFlag.has(key)) continue;
    const error = { flag, path: item.instancePath, message: text };
    byFlag.set(key, error);
    out.push(error);
  }
  if (out.length === 0) {
    return [{ flag: null, path: '', message: "the document does not match flagd's schema" }];
  }
  // The deepest path is the most specific; the set-level ones follow.
  return out.sort((a, b) => b.path.split('/').length - a.path.split('/').length).slice(0, 20);
}

function describeVariants(doc: Record<string, unknown>, flag: string): string {
  const flags = isObject(doc.flags) ? doc.flags : {};
  const def = flags[flag];
  const variants = isObject(def) && isObject(def.variants) ? def.variants : {};
  return Object.entries(variants)
    .map(
      ([name, value]) =>
        `${name}: ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`,
    )
    .join(', ');
}

function flagOfPath(path: string): string | null {
  const match = /^\/flags\/([^/]+)/.exec(path);
  return match?.[1] ? match[1].replaceAll('~1', '/').replaceAll('~0', '~') : null;
}

function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function maxDepth(value: unknown, depth: number): number {
  if (depth > MAX_DEPTH) return depth;
  if (Array.isArray(value)) return Math.max(depth, ...value.map((v) => maxDepth(v, depth + 1)));
  if (isObject(value)) {
    return Math.max(depth, ...Object.values(value).map((v) => maxDepth(v as Json, depth + 1)));
  }
  return depth;
}

function fail(flag: string | null, path: string, message: string): FlagSetValidation {
  return { ok: false, errors: [{ flag, path, message }] };
}
