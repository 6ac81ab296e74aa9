/**
 * Bundles the example task page (src/main.jsx) with esbuild into build/bundle.js, the file a
 * static_react_task serves. react, react-dom and mephisto-task come from this folder's own
 * node_modules (React 18 and the unmodified mephisto-task 2.0.4), never from the workspace root
 * (React 19); the build checks that, and that no CommonJS `require(` survived bundling. With
 * `taskLibrary: 'task-client'` the same app is built against @mephisto-ts/task-client instead: the
 * one-import swap the library promises, checked on React 18.
 *
 * Run `node examples/mephisto-task-2-app/build.mjs`, or import `buildMephistoTask2App` (typed in
 * build.d.mts) from a test.
 */
import esbuild from 'esbuild';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const EXAMPLE_DIR = dirname(fileURLToPath(import.meta.url));
export const BUNDLE_PATH = join(EXAMPLE_DIR, 'build', 'bundle.js');

const OWN_MODULES = join(EXAMPLE_DIR, 'node_modules');
/** The packages that must resolve inside this example, each pinned to its folder. */
const PINNED_PACKAGES = ['react', 'react-dom', 'mephisto-task'];
/** The sources of @mephisto-ts/task-client, swapped in for mephisto-task by `taskLibrary: 'task-client'`. */
const TASK_CLIENT_SOURCE = resolve(EXAMPLE_DIR, '../../packages/task-client/src/index.ts');

/** A call of the global `require(`: a CommonJS import esbuild did not inline. */
const LEFTOVER_REQUIRE = /(?<![\w$.])require\s*\(/;
/** The text of esbuild's stand-in for a `require(variable)` it could not resolve at build time. */
const DYNAMIC_REQUIRE = 'Dynamic require of';

/**
 * @param {import('./build.d.mts').BuildOptions} [options]
 * @returns {Promise<import('./build.d.mts').BuildResult>}
 */
export async function buildMephistoTask2App(options = {}) {
  const outfile = resolve(options.outfile ?? BUNDLE_PATH);
  const mode = options.mode ?? 'production';
  const alias = Object.fromEntries(PINNED_PACKAGES.map((name) => [name, join(OWN_MODULES, name)]));
  // The swap a user makes: the same app, with `mephisto-task` answered by our library (built from
  // source, on this example's React 18).
  if (options.taskLibrary === 'task-client') alias['mephisto-task'] = TASK_CLIENT_SOURCE;
  const result = await esbuild.build({
    absWorkingDir: EXAMPLE_DIR,
    entryPoints: [join(EXAMPLE_DIR, 'src', 'main.jsx')],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    jsx: 'automatic',
    minify: options.minify ?? mode === 'production',
    define: { 'process.env.NODE_ENV': JSON.stringify(mode) },
    alias,
    metafile: true,
    write: true,
    logLevel: 'silent',
  });

  const inputs = Object.keys(result.metafile.inputs).map((input) => resolve(EXAMPLE_DIR, input));
  const foreign = inputs.filter(
    (input) => input.includes(`${sep}node_modules${sep}`) && !input.startsWith(OWN_MODULES + sep),
  );
  if (foreign.length > 0) {
    throw new Error(`the bundle took modules from outside ${OWN_MODULES}: ${foreign.join(', ')}`);
  }
  const output = Object.values(result.metafile.outputs)[0];
  const external = (output?.imports ?? []).filter((entry) => entry.external).map((entry) => entry.path);
  if (external.length > 0) throw new Error(`the bundle left imports unresolved: ${external.join(', ')}`);
  const text = readFileSync(outfile, 'utf8');
  const leftover = LEFTOVER_REQUIRE.exec(text);
  if (leftover || text.includes(DYNAMIC_REQUIRE)) {
    const at = leftover ? leftover.index : text.indexOf(DYNAMIC_REQUIRE);
    throw new Error(`the bundle still calls require(): …${text.slice(Math.max(0, at - 60), at + 60)}…`);
  }
  if (/\bprocess\.env\b/.test(text)) throw new Error('the bundle still reads process.env');

  return {
    outfile,
    bytes: statSync(outfile).size,
    inputs: inputs.map((input) => relative(EXAMPLE_DIR, input)),
    warnings: result.warnings.map((warning) => warning.text),
  };
}

// Run as a script: build, then print where the bundle went.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const built = await buildMephistoTask2App();
  process.stdout.write(
    `${relative(process.cwd(), built.outfile)}: ${built.bytes} bytes from ${built.inputs.length} modules\n`,
  );
}
