/**
 * The mock provider's `wrap_crowd_source.js` (contract in ../wrap-crowd-source.ts). The worker and the
 * assignment come from the link's `worker_id` and `assignment_id` parameters. A submit shows an in-page
 * confirmation with the submitted data, where Mephisto's mock opened a blocking `alert()` that stalls
 * automated browsers.
 */
import { PROVIDER_PARAM_FUNCTION, wrapCrowdSourceScript } from '../wrap-crowd-source.js';

const MOCK_WRAPPER_BODY = String.raw`
(function () {
  'use strict';
  var PROVIDER_TYPE = 'mock';
  ${PROVIDER_PARAM_FUNCTION}
  window.getWorkerName = function () {
    return providerParam('worker_id');
  };
  window.getAssignmentId = function () {
    return providerParam('assignment_id');
  };
  window.getAgentRegistration = function () {
    var workerName = window.getWorkerName();
    var assignmentId = window.getAssignmentId();
    return {
      worker_name: workerName,
      agent_registration_id: assignmentId + '-' + workerName,
      assignment_id: assignmentId,
      provider_type: PROVIDER_TYPE,
    };
  };
  window.getProviderURLParams = function () {
    return null;
  };
  window.handleSubmitToProvider = function (taskData) {
    var note = document.createElement('section');
    note.id = 'mephisto-provider-submitted';
    note.setAttribute('role', 'status');
    note.style.cssText =
      'margin:1rem auto;max-width:48rem;padding:0.75rem 1rem;border:1px solid #2e7d32;' +
      'border-radius:6px;background:#edf7ed;color:#1b3e1c;font:15px/1.4 system-ui,sans-serif';
    var title = document.createElement('strong');
    title.textContent = 'The task has been submitted (mock provider).';
    var data = document.createElement('pre');
    data.style.cssText = 'white-space:pre-wrap;margin:0.5rem 0 0;font-size:13px';
    try {
      data.textContent = JSON.stringify(taskData, null, 2);
    } catch (error) {
      data.textContent = String(taskData);
    }
    note.appendChild(title);
    note.appendChild(data);
    document.body.appendChild(note);
    return true;
  };
})();
`;

/** The mock provider's whole `wrap_crowd_source.js`. */
export const MOCK_WRAP_CROWD_SOURCE: string = wrapCrowdSourceScript('mock', MOCK_WRAPPER_BODY);
