/**
 * The MTurk providers' `wrap_crowd_source.js` (contract in ../wrap-crowd-source.ts). MTurk opens the
 * task page (the HIT's ExternalURL) with `workerId`, `assignmentId`, `hitId` and `turkSubmitTo`; a
 * preview has `assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE` and no worker, which the globals report as
 * null so the page shows its preview. Registration adds `hit_id`, which the provider checks and uses to
 * map the HIT to the unit the worker is given.
 *
 * After the server has stored a submit, the page posts a form to `<turkSubmitTo>/mturk/externalSubmit`
 * with `assignmentId`, which is what tells MTurk the assignment is done (Mephisto's wrapper did the
 * same). Values that are not text are sent as JSON; MTurk wants at least one answer field, so a submit
 * with no data sends `mephisto_submitted=true`. Opened outside MTurk (no `turkSubmitTo`), the page says
 * the work is saved instead of posting to nowhere.
 */
import { PROVIDER_PARAM_FUNCTION, wrapCrowdSourceScript } from '../wrap-crowd-source.js';

function mturkWrapperBody(providerType: string): string {
  return String.raw`
(function () {
  'use strict';
  var PROVIDER_TYPE = ${JSON.stringify(providerType)};
  var PREVIEW_ASSIGNMENT_ID = 'ASSIGNMENT_ID_NOT_AVAILABLE';
  ${PROVIDER_PARAM_FUNCTION}
  window.getWorkerName = function () {
    return providerParam('workerId');
  };
  window.getAssignmentId = function () {
    var id = providerParam('assignmentId');
    return id === PREVIEW_ASSIGNMENT_ID ? null : id;
  };
  window.getHITId = function () {
    return providerParam('hitId');
  };
  window.getAgentRegistration = function () {
    var workerName = window.getWorkerName();
    var assignmentId = window.getAssignmentId();
    return {
      worker_name: workerName,
      agent_registration_id: assignmentId + '-' + workerName,
      assignment_id: assignmentId,
      hit_id: window.getHITId(),
      provider_type: PROVIDER_TYPE,
    };
  };
  window.getProviderURLParams = function () {
    return null;
  };

  function fieldValue(value) {
    if (value === null || value === undefined) return '';
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    try {
      return JSON.stringify(value);
    } catch (error) {
      return String(value);
    }
  }

  function showSaved() {
    var note = document.createElement('section');
    note.id = 'mephisto-provider-submitted';
    note.setAttribute('role', 'status');
    note.textContent =
      'Your work has been saved. This page was not opened from Mechanical Turk, so there is nothing to submit there.';
    document.body.appendChild(note);
  }

  window.handleSubmitToProvider = function (taskData) {
    var submitTo = providerParam('turkSubmitTo');
    var assignmentId = window.getAssignmentId();
    if (submitTo === null || assignmentId === null) {
      showSaved();
      return true;
    }
    var form = document.createElement('form');
    form.method = 'POST';
    form.action = submitTo.replace(/\/+$/, '') + '/mturk/externalSubmit';
    form.id = 'mephisto-mturk-submit';
    form.style.display = 'none';
    function add(name, value) {
      var input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      input.value = value;
      form.appendChild(input);
    }
    add('assignmentId', assignmentId);
    var workerName = window.getWorkerName();
    if (workerName !== null) add('workerId', workerName);
    var answers = 0;
    if (taskData !== null && typeof taskData === 'object') {
      Object.keys(taskData).forEach(function (key) {
        if (key === 'assignmentId' || key === 'workerId') return;
        add(key, fieldValue(taskData[key]));
        answers++;
      });
    }
    if (answers === 0) add('mephisto_submitted', 'true');
    document.body.appendChild(form);
    form.submit();
    return true;
  };
})();
`;
}

/** The whole `wrap_crowd_source.js` of the `mturk` or `mturk_sandbox` provider. */
export function mturkWrapCrowdSource(providerType: string): string {
  return wrapCrowdSourceScript(providerType, mturkWrapperBody(providerType));
}
