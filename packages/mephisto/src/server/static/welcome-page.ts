/**
 * `/welcome`: where a worker lands after submitting (the inhouse wrapper goes there), saying thank you.
 * When the URL carries `worker_id`, it also links to `/?worker_id=…` to look for more work (the inhouse
 * wrapper gives that link a fresh assignment id); the link is built with DOM calls, never as HTML.
 */
export const WELCOME_PAGE: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Thank you</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; padding: 2rem 1rem; font: 16px/1.5 system-ui, sans-serif; color: #1d2433; }
  main { max-width: 36rem; margin: 0 auto; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<main id="mephisto-welcome">
  <h1>Thank you</h1>
  <p>Your work has been submitted. You may close this page.</p>
  <p id="mephisto-more-work" hidden>If there is more work for you, <a id="mephisto-more-work-link" href="/">continue here</a>.</p>
</main>
<script>
(function () {
  var worker = new URLSearchParams(window.location.search).get('worker_id');
  if (!worker) return;
  document.getElementById('mephisto-more-work-link').href = '/?worker_id=' + encodeURIComponent(worker);
  document.getElementById('mephisto-more-work').hidden = false;
})();
</script>
</body>
</html>
`;
