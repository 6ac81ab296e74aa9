/**
 * The inhouse provider's `wrap_crowd_source.js` (contract in ../wrap-crowd-source.ts). The worker is the
 * link's `worker_id`, the assignment its `id`, as in Mephisto. Two additions make a bare link usable:
 *
 * - Without a worker (no `worker_id`, an empty one, or the unfilled `WORKER_USERNAME` placeholder) the
 *   page is covered by a small sign-in form; a valid name reloads the page with `worker_id` set, other
 *   parameters kept.
 * - With a worker but no `id`, a random `id` is written into the URL (history.replaceState, no reload),
 *   so the page asks for work instead of previewing, and a reload sends the same registration id and
 *   gets the same unit back.
 *
 * After a submit the page goes to `/welcome?worker_id=…` (Mephisto showed an alert first; a blocking
 * alert stalls automated browsers, so the welcome page says thank you instead).
 */
import { PROVIDER_PARAM_FUNCTION, wrapCrowdSourceScript } from '../wrap-crowd-source.js';

/** Longest name the sign-in form accepts. */
export const INHOUSE_NAME_MAX_LENGTH = 64;

/** The provider's globals and sign-in form; `placeholder` is the link's unfilled worker name. */
function inhouseWrapperBody(placeholder: string): string {
  return String.raw`
(function () {
  'use strict';
  var PROVIDER_TYPE = 'inhouse';
  var WORKER_PARAM = 'worker_id';
  var ASSIGNMENT_PARAM = 'id';
  var PLACEHOLDER = ${JSON.stringify(placeholder)};
  var NAME_MAX_LENGTH = ${String(INHOUSE_NAME_MAX_LENGTH)};
  var NAME_CHARACTERS = /^[\p{L}\p{N}._@-]+$/u;
  ${PROVIDER_PARAM_FUNCTION}
  function workerName() {
    var name = providerParam(WORKER_PARAM);
    return name === PLACEHOLDER ? null : name;
  }
  function freshId() {
    var bytes = new Uint8Array(8);
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(bytes);
    else for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b < 16 ? '0' : '') + b.toString(16);
      })
      .join('');
  }

  if (workerName() !== null && providerParam(ASSIGNMENT_PARAM) === null) {
    var withId = new URLSearchParams(window.location.search);
    withId.set(ASSIGNMENT_PARAM, freshId());
    window.history.replaceState(
      window.history.state,
      '',
      window.location.pathname + '?' + withId.toString() + window.location.hash,
    );
  }

  window.getWorkerName = workerName;
  window.getAssignmentId = function () {
    return providerParam(ASSIGNMENT_PARAM);
  };
  window.getAgentRegistration = function () {
    var name = window.getWorkerName();
    var assignmentId = window.getAssignmentId();
    return {
      worker_name: name,
      agent_registration_id: assignmentId + '-' + name,
      assignment_id: assignmentId,
      provider_type: PROVIDER_TYPE,
    };
  };
  window.getProviderURLParams = function () {
    return null;
  };
  window.handleSubmitToProvider = function () {
    var name = window.getWorkerName();
    window.location.replace('/welcome' + (name === null ? '' : '?worker_id=' + encodeURIComponent(name)));
    return true;
  };

  /** The plain message for a name that cannot be used, or null when it is fine. */
  function nameProblem(name) {
    if (name === '') return 'Please enter your name.';
    if (name.length > NAME_MAX_LENGTH) return 'Please use at most ' + NAME_MAX_LENGTH + ' characters.';
    if (name === PLACEHOLDER) return 'Please enter your own name.';
    if (!NAME_CHARACTERS.test(name))
      return 'Please use only letters, digits, dots, dashes, underscores or @ (no spaces).';
    return null;
  }

  function showSignIn() {
    var cover = document.createElement('div');
    cover.id = 'mephisto-login';
    cover.style.cssText =
      'position:fixed;inset:0;z-index:2147483647;background:#f6f7f9;display:flex;' +
      'align-items:center;justify-content:center;font:16px/1.4 system-ui,sans-serif;color:#1d2433';
    var form = document.createElement('form');
    form.noValidate = true;
    form.style.cssText =
      'background:#fff;border:1px solid #d0d5dd;border-radius:8px;padding:1.5rem;width:min(22rem,90vw)';
    var title = document.createElement('h1');
    title.textContent = 'Sign in to start';
    title.style.cssText = 'font-size:1.25rem;margin:0 0 1rem';
    var label = document.createElement('label');
    label.htmlFor = 'mephisto-login-name';
    label.textContent = 'Your name';
    label.style.cssText = 'display:block;margin-bottom:0.25rem';
    var input = document.createElement('input');
    input.id = 'mephisto-login-name';
    input.name = WORKER_PARAM;
    input.autocomplete = 'username';
    input.maxLength = NAME_MAX_LENGTH * 2;
    input.style.cssText = 'box-sizing:border-box;width:100%;padding:0.5rem;font:inherit';
    var problem = document.createElement('p');
    problem.id = 'mephisto-login-error';
    problem.setAttribute('role', 'alert');
    problem.style.cssText = 'color:#b42318;min-height:1.4em;margin:0.5rem 0';
    var button = document.createElement('button');
    button.type = 'submit';
    button.id = 'mephisto-login-submit';
    button.textContent = 'Continue';
    button.style.cssText = 'padding:0.5rem 1rem;font:inherit';
    form.appendChild(title);
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(problem);
    form.appendChild(button);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var name = input.value.trim();
      var message = nameProblem(name);
      problem.textContent = message === null ? '' : message;
      if (message !== null) {
        input.focus();
        return;
      }
      var params = new URLSearchParams(window.location.search);
      params.set(WORKER_PARAM, name);
      if (providerParam(ASSIGNMENT_PARAM) === null) params.set(ASSIGNMENT_PARAM, freshId());
      window.location.assign(window.location.pathname + '?' + params.toString());
    });
    cover.appendChild(form);
    document.body.appendChild(cover);
    input.focus();
  }

  if (workerName() === null && window.location.pathname !== '/welcome') {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showSignIn);
    else showSignIn();
  }
})();
`;
}

/**
 * The inhouse provider's whole `wrap_crowd_source.js`. `placeholder` (the provider's
 * `WORKER_USERNAME`) is passed in rather than imported, so this module does not import the provider.
 */
export function inhouseWrapCrowdSource(placeholder: string): string {
  return wrapCrowdSourceScript('inhouse', inhouseWrapperBody(placeholder));
}
