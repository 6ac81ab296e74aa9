/*
 * A task page written against the published mephisto-task 2.0.4 package, as a Mephisto user writes
 * one. Element ids are stable so a browser test can drive it:
 *   #task-loading, #task-preview, #task-blocked (with data-reason) and #blocked-explanation,
 *   #task-form (with data-agent-id), #task-data and one #task-data-<field> per init_task_data field,
 *   #answer-input, #submit-button, #task-submitted.
 */
import { useState } from 'react';
import { useMephistoTask } from 'mephisto-task';

/** A field of init_task_data as text: strings as they are, anything else as JSON. */
function fieldText(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function TaskApp() {
  const {
    agentId,
    taskConfig,
    isPreview,
    isLoading,
    blockedReason,
    blockedExplanation,
    initialTaskData,
    handleSubmit,
  } = useMephistoTask();
  const [answer, setAnswer] = useState('');
  const [submitted, setSubmitted] = useState(false);

  if (blockedReason) {
    return (
      <section id="task-blocked" data-reason={blockedReason}>
        <p id="blocked-explanation">{blockedExplanation}</p>
      </section>
    );
  }
  if (isPreview) {
    return (
      <section id="task-preview">
        <h1>{taskConfig ? taskConfig.task_title : 'Task preview'}</h1>
        <p>Accept the task to start working on it.</p>
      </section>
    );
  }
  if (isLoading) return <p id="task-loading">Loading the task…</p>;
  if (submitted) return <p id="task-submitted">Thank you: your answer was submitted.</p>;

  const fields = Object.entries(initialTaskData || {});
  return (
    <form
      id="task-form"
      data-agent-id={agentId}
      onSubmit={(event) => {
        event.preventDefault();
        // mephisto-task's handleSubmit returns nothing: it posts /submit_task, then calls the
        // provider wrapper's handleSubmitToProvider.
        handleSubmit({ answer, fields_seen: fields.map(([name]) => name) });
        setSubmitted(true);
      }}
    >
      <dl id="task-data">
        {fields.map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd id={`task-data-${name}`}>{fieldText(value)}</dd>
          </div>
        ))}
      </dl>
      <label htmlFor="answer-input">Your answer</label>
      <input
        id="answer-input"
        type="text"
        value={answer}
        onChange={(event) => setAnswer(event.target.value)}
      />
      <button id="submit-button" type="submit">
        Submit
      </button>
    </form>
  );
}
