// One build command (`npm run build -w client-sdk`): ESM JavaScript with esbuild, one file per
// entry and shared chunks (so /client, /tracking and /react reuse the core instead of copying it),
// then type declarations with tsc. Dependencies stay external: the host bundler dedupes them.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildScriptTag } from './script-tag-build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// `--outdir <dir>` (relative to client-sdk/): the same JavaScript elsewhere and no declarations, for
// tests that load the built SDK while another test may be rebuilding dist/ (e2e/contract.e2e.test.ts).
const outdirArg = process.argv.indexOf('--outdir');
const outdir = outdirArg > 0 ? process.argv[outdirArg + 1] : 'dist';
rmSync(`${root}/${outdir}`, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: ['src/index.ts', 'src/client.ts', 'src/validate.ts', 'src/rollout.ts', 'src/script-tag/snippet.ts', 'src/tracking/index.ts', 'src/react/index.tsx'],
  outdir,
  outbase: 'src',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: ['murmurhash3js', 'react', 'react-dom'],
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: true,
  logLevel: 'warning',
});

if (outdir !== 'dist') {
  console.log(`client-sdk: built ${outdir}/ (ESM)`);
  process.exit(0);
}
execFileSync(process.execPath, [fileURLToPath(import.meta.resolve('typescript/bin/tsc')), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
// The script tag, for hosting on a CDN; the server builds the same file itself (server/src/sdk/script-tag.ts).
const script = await buildScriptTag();
writeFileSync(`${root}/dist/touchpoint.js`, script);
console.log(`client-sdk: built dist/ (ESM + .d.ts) and dist/touchpoint.js (${script.length} bytes, ${gzipSync(script, { level: 9 }).length} gzipped)`);
