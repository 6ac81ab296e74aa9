/**
 * The page of a task built as a JavaScript bundle (static_react_task), in Mephisto's shape: a
 * `<div id="app">` the bundle renders into, then `/wrap_crowd_source.js`, then `/bundle.js`. When the
 * bundle cannot be loaded (not built yet: the server answers 500 `MEPHISTO_ERR_SITE_FILE_MISSING`), a
 * plain message replaces the blank page.
 */
export const BUNDLE_TASK_PAGE: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Task</title>
<link rel="icon" href="data:,">
</head>
<body>
<noscript>This task needs JavaScript. Please enable it and reload the page.</noscript>
<p id="mephisto-load-error" role="alert" hidden style="margin:1rem;padding:0.75rem 1rem;border-radius:6px;background:#fdecea;color:#611a15;font:16px/1.5 system-ui,sans-serif">The task could not be loaded: its script (/bundle.js) did not load. Please reload the page; if that does not help, tell the task requester.</p>
<div id="app"></div>
<script src="/wrap_crowd_source.js"></script>
<script src="/bundle.js" onerror="document.getElementById('mephisto-load-error').hidden = false"></script>
</body>
</html>
`;
