/**
 * static_task's built-in page (`index.html`): a status line, the form the task HTML is put in, and
 * its submit button, then the provider's `wrap_crowd_source.js` and the page script
 * (static-task-runtime.ts). The ids are the runtime's contract; `html-task-submit-button` is the id
 * Mephisto's page gave the button, so tests written against Mephisto find it.
 */

/** Where the page script is served; chosen not to clash with a task's own files. */
export const STATIC_TASK_RUNTIME_PATH = '/mephisto_static_task.js';

/** The page's HTML. The title is replaced by the task's `task_title` once task_config.json loads. */
export const STATIC_TASK_PAGE: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Task</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; padding: 1rem; font: 16px/1.5 system-ui, sans-serif; color: #1d2433; background: #fff; }
  #mephisto-task { max-width: 60rem; margin: 0 auto; }
  #mephisto-status { margin: 1rem 0; padding: 0.75rem 1rem; border-radius: 6px; background: #f2f4f7; }
  #mephisto-status[data-kind="refused"] { background: #fff4e5; color: #663c00; }
  #mephisto-status[data-kind="error"] { background: #fdecea; color: #611a15; }
  #mephisto-status[data-kind="submitted"] { background: #edf7ed; color: #1b3e1c; }
  #mephisto-actions { display: flex; justify-content: center; margin: 1.5rem 0; }
  #html-task-submit-button { padding: 0.5rem 1.5rem; font: inherit; cursor: pointer; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<main id="mephisto-task">
  <p id="mephisto-status" role="status" data-kind="loading">Loading the task...</p>
  <form id="mephisto-form" hidden>
    <div id="mephisto-task-content"></div>
    <div id="mephisto-actions" hidden>
      <button id="html-task-submit-button" type="submit">Submit</button>
    </div>
  </form>
  <noscript><p>This task needs JavaScript. Please enable it and reload the page.</p></noscript>
</main>
<script src="/wrap_crowd_source.js"></script>
<script src="${STATIC_TASK_RUNTIME_PATH}"></script>
</body>
</html>
`;
