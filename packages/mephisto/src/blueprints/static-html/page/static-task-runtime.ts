/**
 * The script of static_task's built-in page: plain browser JavaScript (ES2019, no modules, no build
 * step), served as-is after the provider's `wrap_crowd_source.js`, whose globals it calls. It does what
 * Mephisto's React front end for static tasks did, with these contracts:
 *
 * - Loads `/task_config.json`. Without a worker or an assignment (the wrapper returns null) it shows
 *   the preview HTML (`preview_html`), unfilled and without a submit button.
 * - Otherwise posts `getAgentRegistration()` to `/request_agent`. A refusal (`agent_id` null) shows the
 *   server's `failure_reason`. A unit fetches the HTML named by `init_task_data.html` (else `html`) and
 *   fills each `${key}` placeholder with the unit's value for `key` (then `mephisto_agent_id` and
 *   `provider_worker_id`), HTML-escaped because task data is untrusted; unknown placeholders stay as
 *   written. Scripts in the task HTML run in document order, as in Mephisto.
 * - On submit the form's fields become `final_data` (a name used once gives a string, a repeated name
 *   an array; a file gives `{name, size, type, lastModified}`, an empty file input `{}`), posted to
 *   `/submit_task` with the agent and worker ids; once stored, `handleSubmitToProvider(final_data)`.
 * - An onboarding agent (id starting with `onboarding`) sees `onboarding_html`; its submit goes to
 *   `/submit_onboarding`, whose answer is handled like `/request_agent`'s.
 * - Every refusal and failure is a plain message in `#mephisto-status` (its `data-kind` is `loading`,
 *   `refused`, `error` or `submitted`, `data-code` the server's code), never a blank page.
 * - `window._MEPHISTO_CONFIG_.HIDE_SUBMIT_BUTTON` (read at start and on change) hides the button, as in
 *   Mephisto, for task HTML that submits by itself with `form.requestSubmit()`.
 *
 * Written with `String.raw`: no backticks, and every placeholder pattern is written with `\$\{`.
 */
import { MEPHISTO_TASK_VERSION } from '@mephisto-ts/task-client/wire';

export const STATIC_TASK_RUNTIME: string = String.raw`/* static_task page (mephisto-ts) */
(function () {
  'use strict';
  var TASK_VERSION = ${JSON.stringify(MEPHISTO_TASK_VERSION)};
  var PLACEHOLDER = /\$\{([^{}]*)\}/g;
  var REFUSALS = {
    no_units: 'There is no work available for you right now. Please try again later.',
    too_many_concurrent: 'You are already working on this task in another page; finish that unit first.',
    max_for_task: 'You have reached the maximum number of units for this task.',
    blocked: 'You are not allowed to work on this task.',
    not_qualified: 'You do not have the qualifications this task requires.',
    run_over: 'This task is no longer accepting work.',
    provider_refused: 'Accept the task on the crowd platform and open it from there.',
  };
  var UNREACHABLE = 'the task server cannot be reached. Check your internet connection, then ';

  var statusEl, formEl, contentEl, actionsEl, submitButton;
  var taskConfig = {};
  var agent = null;
  var submitting = false;
  var hideSubmit = false;
  var interactiveForm = false;

  function failure(message, code) {
    var error = new Error(message);
    error.mephistoCode = code;
    return error;
  }

  function showStatus(kind, text, code) {
    statusEl.textContent = text;
    statusEl.setAttribute('data-kind', kind);
    if (code) statusEl.setAttribute('data-code', code);
    else statusEl.removeAttribute('data-code');
    statusEl.setAttribute('role', kind === 'error' || kind === 'refused' ? 'alert' : 'status');
    statusEl.hidden = false;
  }

  function clearStatus() {
    statusEl.hidden = true;
    statusEl.textContent = '';
    statusEl.removeAttribute('data-kind');
    statusEl.removeAttribute('data-code');
  }

  function showFailure(error) {
    var message = error && error.message ? error.message : String(error);
    showStatus('error', message, error && error.mephistoCode ? error.mephistoCode : 'page_error');
  }

  /** Fetches path; resolves with the body text of a 2xx answer, else rejects with a plain message. */
  function request(path, init, what, retry) {
    return fetch(path, init).then(
      function (response) {
        return response.text().then(function (text) {
          if (response.ok) return text;
          var body = null;
          try {
            body = JSON.parse(text);
          } catch (ignored) {
            body = null;
          }
          if (body && body.error && typeof body.error.message === 'string')
            throw failure(what + ': ' + body.error.message, body.error.code);
          throw failure(what + ': the server answered HTTP ' + response.status + '.', 'http_' + response.status);
        });
      },
      function () {
        throw failure(what + ': ' + UNREACHABLE + retry + '.', 'unreachable');
      },
    );
  }

  function requestJson(path, init, what, retry) {
    return request(path, init, what, retry).then(function (text) {
      try {
        return JSON.parse(text);
      } catch (ignored) {
        throw failure(what + ': the server sent an answer that is not JSON.', 'bad_answer');
      }
    });
  }

  function postJson(path, body, what, retry) {
    return requestJson(
      path,
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
      what,
      retry,
    );
  }

  function now() {
    return Date.now() / 1000;
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function display(value) {
    if (value === null || value === undefined) return '';
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return JSON.stringify(value);
  }

  function has(object, key) {
    return object !== null && typeof object === 'object' && Object.prototype.hasOwnProperty.call(object, key);
  }

  function fill(html, data, extras) {
    return html.replace(PLACEHOLDER, function (match, key) {
      if (has(data, key)) return escapeHtml(display(data[key]));
      if (has(extras, key)) return escapeHtml(display(extras[key]));
      return match;
    });
  }

  /** Runs the scripts of inserted HTML in document order, waiting for each external one to load. */
  function runScripts(container) {
    var scripts = Array.prototype.slice.call(container.querySelectorAll('script'));
    return scripts.reduce(function (previous, old) {
      return previous.then(function () {
        return new Promise(function (resolve) {
          var script = document.createElement('script');
          Array.prototype.forEach.call(old.attributes, function (attribute) {
            script.setAttribute(attribute.name, attribute.value);
          });
          if (old.src) {
            script.async = false;
            script.onload = resolve;
            script.onerror = resolve;
          }
          script.text = old.text;
          old.parentNode.replaceChild(script, old);
          if (!old.src) resolve();
        });
      });
    }, Promise.resolve());
  }

  function loadHtml(name, what) {
    if (typeof name !== 'string' || name === '')
      return Promise.reject(failure(what + ': the task names no HTML file; tell the task requester.', 'no_html'));
    return request('/' + encodeURIComponent(name), { method: 'GET' }, what, 'reload this page');
  }

  function updateSubmitButton() {
    actionsEl.hidden = !interactiveForm || agent === null || hideSubmit;
    submitButton.disabled = submitting;
    submitButton.textContent = submitting ? 'Submitting...' : 'Submit';
  }

  function render(html, interactive) {
    contentEl.innerHTML = html;
    formEl.hidden = false;
    interactiveForm = interactive;
    updateSubmitButton();
    clearStatus();
    return runScripts(contentEl);
  }

  function showPreview() {
    showStatus('loading', 'Loading the preview...');
    return loadHtml(taskConfig.preview_html || taskConfig.html, 'The preview could not be loaded').then(
      function (html) {
        return render(html, false);
      },
    );
  }

  function onAgentDetails(packet) {
    var data = packet && packet.data;
    if (!data || typeof data !== 'object')
      throw failure('Could not get a task for you: the server sent an unexpected answer.', 'bad_answer');
    if (data.agent_id === null || data.agent_id === undefined) {
      agent = null;
      formEl.hidden = true;
      contentEl.innerHTML = '';
      var code = data.failure_code || 'null_agent_id';
      showStatus(
        'refused',
        data.failure_reason || REFUSALS[code] || 'Sorry, you are not able to work on this task. (code: ' + code + ')',
        code,
      );
      return undefined;
    }
    var agentId = String(data.agent_id);
    var onboarding = agentId.indexOf('onboarding') === 0;
    var initData =
      data.init_task_data !== null && typeof data.init_task_data === 'object' ? data.init_task_data : {};
    agent = { id: agentId, workerId: data.worker_id, onboarding: onboarding };
    submitting = false;
    var name = onboarding ? taskConfig.onboarding_html : has(initData, 'html') ? initData.html : taskConfig.html;
    formEl.hidden = true;
    showStatus('loading', onboarding ? 'Loading the qualification step...' : 'Loading your task...');
    return loadHtml(name, 'Your task could not be loaded').then(function (html) {
      var extras = { mephisto_agent_id: agentId, provider_worker_id: window.getWorkerName() };
      return render(fill(html, initData, extras), true);
    });
  }

  function requestAgent() {
    showStatus('loading', 'Finding a task for you...');
    return postJson(
      '/request_agent',
      { provider_data: window.getAgentRegistration(), client_timestamp: now() },
      'Could not get a task for you',
      'reload this page',
    ).then(onAgentDetails);
  }

  function fileInfo(file) {
    if (!file || (file.size === 0 && !file.name)) return {};
    return { name: file.name, size: file.size, type: file.type, lastModified: file.lastModified };
  }

  function collect(form) {
    var data = {};
    new FormData(form).forEach(function (value, key) {
      var item = typeof value === 'string' ? value : fileInfo(value);
      // Field values are strings or file objects, never arrays: an array means the name repeated.
      if (!has(data, key)) data[key] = item;
      else if (Array.isArray(data[key])) data[key].push(item);
      else data[key] = [data[key], item];
    });
    return data;
  }

  function afterSubmit(finalData) {
    agent = null;
    submitting = false;
    formEl.hidden = true;
    contentEl.innerHTML = '';
    updateSubmitButton();
    showStatus('submitted', 'Thank you: your work has been submitted.');
    if (typeof window.handleSubmitToProvider === 'function') window.handleSubmitToProvider(finalData);
  }

  function onSubmit(event) {
    event.preventDefault();
    if (agent === null || submitting) return;
    var current = agent;
    var finalData = collect(formEl);
    submitting = true;
    updateSubmitButton();
    showStatus('loading', 'Submitting your work...');
    var done;
    if (current.onboarding) {
      done = postJson(
        '/submit_onboarding',
        { provider_data: { USED_AGENT_ID: current.id, onboarding_data: finalData }, client_timestamp: now() },
        'Your answers were not submitted',
        'submit again',
      ).then(onAgentDetails);
    } else {
      var body = { USED_AGENT_ID: current.id, final_data: finalData, client_timestamp: now() };
      if (current.workerId) body.worker_id = current.workerId;
      done = postJson('/submit_task', body, 'Your work was not submitted', 'submit again').then(function () {
        afterSubmit(finalData);
      });
    }
    done.catch(function (error) {
      if (agent === current) {
        submitting = false;
        updateSubmitButton();
      }
      showFailure(error);
    });
  }

  function isMobile() {
    return /Android|webOS|iPhone|iPad|iPod|BlackBerry|IEMobile|Opera Mini/i.test(navigator.userAgent);
  }

  function watchConfig() {
    var config = window._MEPHISTO_CONFIG_;
    if (!config) return;
    hideSubmit = config.HIDE_SUBMIT_BUTTON === true;
    if (config.EVENT_EMITTER && typeof config.EVENT_EMITTER.on === 'function')
      config.EVENT_EMITTER.on('HIDE_SUBMIT_BUTTON', function (value) {
        hideSubmit = value === true;
        updateSubmitButton();
      });
  }

  function start() {
    statusEl = document.getElementById('mephisto-status');
    formEl = document.getElementById('mephisto-form');
    contentEl = document.getElementById('mephisto-task-content');
    actionsEl = document.getElementById('mephisto-actions');
    submitButton = document.getElementById('html-task-submit-button');
    formEl.addEventListener('submit', onSubmit);
    var globals = ['getWorkerName', 'getAssignmentId', 'getAgentRegistration'];
    for (var i = 0; i < globals.length; i++) {
      if (typeof window[globals[i]] !== 'function') {
        showStatus('error', 'This task page is incomplete: wrap_crowd_source.js did not load. Please reload the page.', 'no_wrapper');
        return;
      }
    }
    watchConfig();
    var worker = window.getWorkerName();
    var assignment = window.getAssignmentId();
    showStatus('loading', 'Loading the task...');
    requestJson(
      '/task_config.json?mephisto_task_version=' + encodeURIComponent(TASK_VERSION),
      { method: 'GET' },
      'The task could not be loaded',
      'reload this page',
    )
      .then(function (config) {
        taskConfig = config && typeof config === 'object' ? config : {};
        if (typeof taskConfig.task_title === 'string' && taskConfig.task_title !== '')
          document.title = taskConfig.task_title;
        if (taskConfig.block_mobile && isMobile()) {
          showStatus('refused', 'Sorry, this task cannot be completed on mobile devices. Please use a computer.', 'no_mobile');
          return undefined;
        }
        if (worker === null || assignment === null) return showPreview();
        return requestAgent();
      })
      .catch(showFailure);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
