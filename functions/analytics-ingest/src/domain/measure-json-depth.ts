// JSON.parse copes with any nesting, but JSON.stringify, structured clones and most code that
// walks a value recurse: a 500 KB body of `[[[[…` would end in a stack overflow (a 500). The
// depth is measured on the text, before parsing, in one pass.

/**
 * The deepest nesting of arrays and objects in JSON text (strings skipped, escapes honoured).
 * @example measureJsonDepth('{"a":[1,{"b":2}]}') // 3
 */
export function measureJsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 92 /* \ */) i++;
      else if (code === 34 /* " */) inString = false;
    } else if (code === 34) inString = true;
    else if (code === 123 /* { */ || code === 91 /* [ */) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (code === 125 /* } */ || code === 93 /* ] */) depth--;
  }
  return deepest;
}
