// The script tag (GET /sdk/touchpoint.js, design.md §10): src/script-tag/index.ts and everything it
// imports, murmurhash3js included, as one minified classic script (an IIFE: no import, no other file).
// One definition, used by `npm run build` (dist/touchpoint.js), by the server, which builds it in
// memory from the sources it runs from, and by the size-budget test.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const SCRIPT_TAG_ENTRY = fileURLToPath(new URL('../src/script-tag/index.ts', import.meta.url));

/** @returns {Promise<string>} the minified script */
export async function buildScriptTag() {
  const result = await build({
    entryPoints: [SCRIPT_TAG_ENTRY],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    // Browsers of the last few years (ES2020): `??=` and friends are lowered, optional chaining is kept.
    target: ['es2020'],
    conditions: ['source'],
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
