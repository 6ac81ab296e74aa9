/**
 * What every provider's `wrap_crowd_source.js` shares (spec §7.1). Each provider's wrapper is plain
 * browser JavaScript (ES2019, no modules, no build step) served as `/wrap_crowd_source.js` before the task
 * page's own script, which calls the globals it defines:
 *
 * - `getWorkerName()`, `getAssignmentId()`: from the page's URL; null for either means a preview.
 * - `getAgentRegistration()`: `{worker_name, agent_registration_id: "<assignment_id>-<worker_name>",
 *   assignment_id, provider_type}`, posted to `/request_agent`. A reload sends the same registration id,
 *   so the engine gives the worker back the unit it holds.
 * - `handleSubmitToProvider(task_data)`: called once the server has stored the submit.
 * - `getProviderURLParams()`: extra query parameters for every request of `mephisto-task` (null: none).
 * - `window._MEPHISTO_CONFIG_`: `get`/`set` and an `EVENT_EMITTER` (`on(name, fn)` returns an
 *   unsubscribe function; `set` emits the property's name), with the flags `AUTO_SUBMIT_ERRORS`,
 *   `ADD_ERROR_HANDLING` and `ERROR_REPORT_TO_EMAIL` (kept for task code that reads them; mephisto-ts
 *   never opens Mephisto's blocking error-report prompts, which stall automated browsers).
 *
 * The texts are built with `String.raw`, so the JavaScript must contain no backtick and no dollar sign
 * followed by a brace; a test parses every wrapper.
 */

/** The `window._MEPHISTO_CONFIG_` object and its event emitter; flags already set are kept. */
const MEPHISTO_CONFIG_SCRIPT = String.raw`
(function () {
  'use strict';
  var config = window._MEPHISTO_CONFIG_ || {};
  var listeners = {};
  config.EVENT_EMITTER = {
    events: listeners,
    emit: function (name) {
      var args = Array.prototype.slice.call(arguments, 1);
      (listeners[name] || []).slice().forEach(function (fn) {
        fn.apply(null, args);
      });
    },
    on: function (name, fn) {
      (listeners[name] = listeners[name] || []).push(fn);
      return function () {
        listeners[name] = (listeners[name] || []).filter(function (other) {
          return other !== fn;
        });
      };
    },
  };
  config.get = function (property) {
    if (!(property in config)) throw new Error(property + ' does not exist in window._MEPHISTO_CONFIG_');
    return config[property];
  };
  config.set = function (property, value) {
    config[property] = value;
    config.EVENT_EMITTER.emit(property, value);
  };
  if (!('AUTO_SUBMIT_ERRORS' in config)) config.AUTO_SUBMIT_ERRORS = false;
  if (!('ADD_ERROR_HANDLING' in config)) config.ADD_ERROR_HANDLING = false;
  if (!('ERROR_REPORT_TO_EMAIL' in config)) config.ERROR_REPORT_TO_EMAIL = null;
  window._MEPHISTO_CONFIG_ = config;
})();
`;

/**
 * A provider's whole `wrap_crowd_source.js`: a header naming it, the shared config object, then
 * `body`, the provider's own globals (it should assign them on `window` inside a function, so nothing
 * else leaks into the page's global scope).
 */
export function wrapCrowdSourceScript(providerType: string, body: string): string {
  return (
    `/* wrap_crowd_source.js for the ${providerType} provider (mephisto-ts): the globals task pages ` +
    'call to learn who the worker is and to hand in their work. */\n' +
    MEPHISTO_CONFIG_SCRIPT +
    body
  );
}

/**
 * JavaScript defining `providerParam(name)`: the URL parameter's value, or null when it is absent or
 * empty (an empty `worker_id=` is a preview, not a worker with no name). Include it inside the
 * provider's function.
 */
export const PROVIDER_PARAM_FUNCTION = String.raw`
  function providerParam(name) {
    var value = new URLSearchParams(window.location.search).get(name);
    return value === null || value.trim() === '' ? null : value;
  }
`;
