/** Types of build.mjs, for tests that build the example programmatically. */

export interface BuildOptions {
  /** @default build/bundle.js in this example */
  outfile?: string;
  /** Sets `process.env.NODE_ENV` (React's production or development build). @default 'production' */
  mode?: 'production' | 'development';
  /** @default true in production */
  minify?: boolean;
  /**
   * What answers `import … from 'mephisto-task'`: the published package, or @mephisto-ts/task-client
   * (from its sources) to check that swapping the import is all a user needs.
   * @default 'mephisto-task'
   */
  taskLibrary?: 'mephisto-task' | 'task-client';
}

export interface BuildResult {
  /** Absolute path of the bundle written. */
  outfile: string;
  /** Its size. */
  bytes: number;
  /** The modules bundled, relative to the example folder. */
  inputs: string[];
  /** esbuild's warnings, if any. */
  warnings: string[];
}

/** The example folder. */
export const EXAMPLE_DIR: string;
/** Where the bundle goes by default: build/bundle.js. */
export const BUNDLE_PATH: string;

/**
 * Bundles src/main.jsx with esbuild. Rejects when a module came from outside the example's own
 * node_modules, or when a `require(` call or a `process.env` read is left in the bundle.
 */
export function buildMephistoTask2App(options?: BuildOptions): Promise<BuildResult>;
