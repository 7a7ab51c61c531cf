// Generated files go through Biome like every other file, so `npm run check` passes on them and
// the freshness test compares formatted text with formatted text.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The file as Biome formats it at `path` (relative to the repository root).
 * @example formatWithBiome(root, 'knative/observability/kustomization.yaml', text)
 */
export function formatWithBiome(root: string, path: string, text: string): string {
  const biome = join(root, 'node_modules', '.bin', 'biome');
  const result = spawnSync(biome, ['format', `--stdin-file-path=${path}`], {
    cwd: root,
    input: text,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`biome could not format ${path}: ${result.stderr || result.error?.message}`);
  }
  return result.stdout;
}
