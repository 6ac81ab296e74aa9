/**
 * The Prolific provider's `wrap_crowd_source.js` (contract in ../wrap-crowd-source.ts). Prolific opens the
 * study's URL with the participant's id, the study id and the submission ("session") id filled in:
 *
 * - worker = `PROLIFIC_PID`, assignment = `SESSION_ID`, plus `STUDY_ID` (Mephisto's own parameter
 *   names `participant_id`, `submission_id`, `study_id` are read too, for URLs written for Mephisto);
 * - `getAgentRegistration()` adds `study_id` and `session_id`, which the provider's registerAgent checks
 *   and records;
 * - after the server has stored the submit, `handleSubmitToProvider` sends the browser to Prolific's
 *   completion page with the run's completion code: that redirect is how Prolific learns the submission
 *   is complete (there is no API call for it).
 *
 * The completion code is written into this script, which every visitor of the task page can read; so is
 * any code Prolific's redirect flow uses (Mephisto derives its code from the study id). A participant who
 * reads it could go to the completion page without submitting: the code's action is "manually review",
 * and the provider's reconcile reports submissions completed on Prolific without a submit in mephisto-ts,
 * so such a submission is not paid unless a reviewer approves it.
 */
import { PROVIDER_PARAM_FUNCTION, wrapCrowdSourceScript } from '../wrap-crowd-source.js';

export interface ProlificWrapperConfig {
  /** The completion page, to which `encodeURIComponent(code)` is appended (ends in `?cc=`). */
  readonly completionUrlPrefix: string;
  /** Completion codes by study id. */
  readonly codesByStudy: Readonly<Record<string, string>>;
  /** The code for a study not in the map (the provider's run has one code for all its studies), or null. */
  readonly defaultCode: string | null;
}

function prolificWrapperBody(config: ProlificWrapperConfig): string {
  return String.raw`
(function () {
  'use strict';
  var PROVIDER_TYPE = 'prolific';
  var COMPLETION_URL_PREFIX = ${JSON.stringify(config.completionUrlPrefix)};
  var CODES_BY_STUDY = ${JSON.stringify(config.codesByStudy)};
  var DEFAULT_CODE = ${JSON.stringify(config.defaultCode)};
  ${PROVIDER_PARAM_FUNCTION}
  function firstParam(names) {
    for (var i = 0; i < names.length; i++) {
      var value = providerParam(names[i]);
      if (value !== null) return value;
    }
    return null;
  }
  function studyId() {
    return firstParam(['STUDY_ID', 'study_id']);
  }
  function sessionId() {
    return firstParam(['SESSION_ID', 'submission_id']);
  }
  function completionCode() {
    var study = studyId();
    if (study !== null && Object.prototype.hasOwnProperty.call(CODES_BY_STUDY, study)) return CODES_BY_STUDY[study];
    return DEFAULT_CODE;
  }
  window.getWorkerName = function () {
    return firstParam(['PROLIFIC_PID', 'participant_id']);
  };
  window.getAssignmentId = function () {
    return sessionId();
  };
  window.getAgentRegistration = function () {
    var name = window.getWorkerName();
    var session = sessionId();
    return {
      worker_name: name,
      agent_registration_id: session + '-' + name,
      assignment_id: session,
      provider_type: PROVIDER_TYPE,
      study_id: studyId(),
      session_id: session,
    };
  };
  window.getProviderURLParams = function () {
    return null;
  };
  window.handleSubmitToProvider = function () {
    var code = completionCode();
    if (code === null) {
      var note = document.createElement('p');
      note.id = 'mephisto-provider-submitted';
      note.setAttribute('role', 'status');
      note.textContent =
        'Your work has been saved. Please go back to Prolific and tell the researcher: no completion code was found for this study.';
      document.body.appendChild(note);
      return false;
    }
    window.location.assign(COMPLETION_URL_PREFIX + encodeURIComponent(code));
    return true;
  };
})();
`;
}

/** The Prolific provider's whole `wrap_crowd_source.js`. */
export function prolificWrapCrowdSource(config: ProlificWrapperConfig): string {
  return wrapCrowdSourceScript('prolific', prolificWrapperBody(config));
}
