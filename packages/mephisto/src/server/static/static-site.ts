/**
 * What the task server serves to a worker's browser besides the API (Mephisto's router `static/`
 * folder, spec §6.3, §6.6): the task page, the provider's `wrap_crowd_source.js`, the task's files, and
 * optionally a folder of extra files. {@link buildStaticSite} makes one from the run's blueprint and
 * provider; pass it to `createTaskServer({ site })`.
 *
 * Only what a site lists is served: the declared task/preview/onboarding HTML files or bundle, never
 * another file of the task folder; and under `extra_source_dir`, only what extra-source-files.ts allows.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Blueprint } from '../../blueprints/blueprint.js';
import {
  STATIC_TASK_PAGE,
  STATIC_TASK_RUNTIME_PATH,
} from '../../blueprints/static-html/page/static-task-page.js';
import { STATIC_TASK_RUNTIME } from '../../blueprints/static-html/page/static-task-runtime.js';
import { StaticHtmlBlueprint } from '../../blueprints/static-html/static-html-blueprint.js';
import { resolveTaskPath } from '../../blueprints/task-path.js';
import type { CrowdProvider } from '../../providers/crowd-provider.js';
import { BUNDLE_TASK_PAGE } from './bundle-task-page.js';
import { fileAsset, HTML_TYPE, JAVASCRIPT_TYPE, textAsset, type SiteAsset } from './site-asset.js';
import { SiteBuildError } from './static-site-errors.js';
import { WELCOME_PAGE } from './welcome-page.js';

export interface StaticSite {
  /** The task page (`index.html`): `GET /` (plain HTTP) and `GET /task_index`. */
  readonly taskPage: string;
  /**
   * Every other file, by its decoded URL path: `/task_index`, `/welcome`, `/wrap_crowd_source.js`, and
   * the blueprint's own (`/bundle.js`, or the page script and `/<html file name>`s).
   */
  readonly assets: ReadonlyMap<string, SiteAsset>;
  /**
   * Absolute path of a folder whose files are served at their relative paths, after `assets` (which
   * win a clash): the blueprint's `extra_source_dir`. Undefined when there is none.
   */
  readonly extraSourceDir: string | undefined;
}

export interface StaticSiteOptions {
  /**
   * `static_task` (a {@link StaticHtmlBlueprint}) gets the built-in page that fills its HTML;
   * `static_react_task`, or any blueprint with a `taskSourcePath` naming a built bundle, gets the bundle
   * page. Other blueprints have no built-in pages.
   */
  readonly blueprint: Blueprint;
  /** Supplies `wrap_crowd_source.js` ({@link CrowdProvider.wrapCrowdSourceScript}). */
  readonly provider: CrowdProvider;
  /** The task folder, against which a relative `extra_source_dir` is resolved (as the blueprint did). */
  readonly taskDir: string;
}

/** Where the bundle of a bundle-based blueprint is served, as in Mephisto. */
export const BUNDLE_PATH = '/bundle.js';
export const WRAPPER_PATH = '/wrap_crowd_source.js';
/** Paths the site itself uses; a task file with one of these names cannot be served. */
const RESERVED_PATHS = ['/task_index', '/welcome', WRAPPER_PATH, STATIC_TASK_RUNTIME_PATH, BUNDLE_PATH];

/**
 * The site for a run.
 * @throws SiteBuildError when the provider has no wrap_crowd_source.js, the blueprint has no built-in
 *   pages, extra_source_dir is not a folder, two of the task's HTML files share a name, or one is named
 *   like a path of the site (`welcome`, `bundle.js`, …)
 */
export function buildStaticSite(options: StaticSiteOptions): StaticSite {
  const { blueprint, provider } = options;
  if (provider.wrapCrowdSourceScript === undefined) {
    throw new SiteBuildError(
      `provider ${provider.type} has no wrap_crowd_source.js (CrowdProvider.wrapCrowdSourceScript), ` +
        'so task pages cannot learn who the worker is',
    );
  }
  const assets = new Map<string, SiteAsset>();
  assets.set('/welcome', textAsset(HTML_TYPE, WELCOME_PAGE));
  assets.set(WRAPPER_PATH, textAsset(JAVASCRIPT_TYPE, provider.wrapCrowdSourceScript()));
  let taskPage: string;
  if (blueprint instanceof StaticHtmlBlueprint) {
    taskPage = STATIC_TASK_PAGE;
    assets.set(STATIC_TASK_RUNTIME_PATH, textAsset(JAVASCRIPT_TYPE, STATIC_TASK_RUNTIME));
    addHtmlFile(assets, 'task_source', blueprint.taskSourcePath);
    addHtmlFile(assets, 'preview_source', blueprint.previewSourcePath);
    if (blueprint.onboardingSourcePath !== undefined)
      addHtmlFile(assets, 'onboarding_source', blueprint.onboardingSourcePath);
  } else {
    const bundlePath = bundlePathOf(blueprint);
    if (bundlePath === undefined) {
      throw new SiteBuildError(
        `blueprint ${blueprint.type} has no built-in pages (only static_task and bundle-based blueprints ` +
          'such as static_react_task do); serve its pages yourself',
      );
    }
    taskPage = BUNDLE_TASK_PAGE;
    assets.set(BUNDLE_PATH, fileAsset(JAVASCRIPT_TYPE, bundlePath, 'task_source'));
  }
  assets.set('/task_index', textAsset(HTML_TYPE, taskPage));
  return { taskPage, assets, extraSourceDir: extraSourceDirOf(blueprint, options.taskDir) };
}

/** Serves a task HTML file at `/<its file name>`, the name task_config.json gives the page. */
function addHtmlFile(assets: Map<string, SiteAsset>, argument: string, path: string): void {
  const urlPath = `/${basename(path)}`;
  if (RESERVED_PATHS.includes(urlPath))
    throw new SiteBuildError(
      `${argument}: ${path} cannot be served as ${urlPath}, a path the site uses; rename it`,
    );
  const existing = assets.get(urlPath);
  if (existing?.kind === 'file' && existing.path === path) return;
  if (existing !== undefined) {
    const other = existing.kind === 'file' ? `${existing.argument} (${existing.path})` : 'a file of the site';
    throw new SiteBuildError(
      `${argument}: ${path} would be served as ${urlPath}, which is already ${other}; rename one of them`,
    );
  }
  assets.set(urlPath, fileAsset(HTML_TYPE, path, argument));
}

function bundlePathOf(blueprint: Blueprint): string | undefined {
  const path: unknown = (blueprint as { taskSourcePath?: unknown }).taskSourcePath;
  return typeof path === 'string' && path !== '' ? path : undefined;
}

function extraSourceDirOf(blueprint: Blueprint, taskDir: string): string | undefined {
  const args: unknown = (blueprint as { args?: unknown }).args;
  if (typeof args !== 'object' || args === null) return undefined;
  const given: unknown = (args as { extra_source_dir?: unknown }).extra_source_dir;
  if (typeof given !== 'string' || given === '') return undefined;
  const dir = resolveTaskPath(taskDir, given);
  const stats = statSync(dir, { throwIfNoEntry: false });
  if (stats === undefined || !stats.isDirectory()) {
    throw new SiteBuildError(
      `extra_source_dir: ${dir} ${stats === undefined ? 'does not exist' : 'is not a folder'}` +
        (given === dir ? '' : ` (given as "${given}")`),
    );
  }
  return dir;
}
