// A small YAML writer for the generated rule files and manifests: maps, lists, strings, numbers
// and booleans, strings quoted unless plainly safe, multi-line strings (PromQL) as block
// literals. Biome formats the result, so only correctness matters here.

/** A value the writer can emit. */
export type YamlValue =
  | string
  | number
  | boolean
  | null
  | readonly YamlValue[]
  | { readonly [key: string]: YamlValue | undefined };

const PLAIN = /^[A-Za-z_/$][\w ./:$-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value !== 'string') return String(value);
  if (PLAIN.test(value) && !RESERVED.test(value) && !value.endsWith(' ') && !value.includes(': '))
    return value;
  return JSON.stringify(value);
}

function isBlock(value: YamlValue | undefined): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}

function lines(value: YamlValue, indent: string): string[] {
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const item of value as YamlValue[]) {
      if (isBlock(item)) {
        const [first = '', ...rest] = lines(item, `${indent}  `);
        out.push(`${indent}- ${first.slice(indent.length + 2)}`, ...rest);
      } else out.push(`${indent}- ${inline(item, indent)}`);
    }
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    const out: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      if (isBlock(item)) out.push(`${indent}${scalar(key)}:`, ...lines(item, `${indent}  `));
      else out.push(`${indent}${scalar(key)}: ${inline(item, indent)}`);
    }
    return out;
  }
  return [`${indent}${inline(value, indent)}`];
}

function inline(value: YamlValue, indent: string): string {
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'object' && value !== null) return '{}';
  if (typeof value === 'string' && value.includes('\n')) {
    const body = value.replace(/\n+$/, '').split('\n');
    return `|-\n${body.map((line) => (line ? `${indent}  ${line}` : '')).join('\n')}`;
  }
  return scalar(value as string | number | boolean | null);
}

/**
 * One YAML document (a trailing newline included).
 * @example toYaml({ groups: [{ name: 'slo', rules: [] }] }) // 'groups:\n  - name: slo\n    rules: []\n'
 */
export function toYaml(value: YamlValue): string {
  return `${lines(value, '').join('\n')}\n`;
}
