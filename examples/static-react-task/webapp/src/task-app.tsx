/**
 * The task: show the unit's sentence (a row of data.csv, `{ text }`), ask for a short comment, and
 * submit it. `useMephistoTask` does the talking to the server with mephisto-task's requests and
 * state; the one difference used here is that `handleSubmit` returns a promise that rejects when the
 * server refuses the answer, so the worker can be told and try again.
 */
import { ErrorBoundary, useMephistoTask } from '@mephisto-ts/task-client';
import { useState, type ReactElement, type SubmitEvent } from 'react';

/** What each unit is initialised with: one row of data.csv. */
interface SentenceData {
  readonly text: string;
}

/** What a worker submits; it is stored as the unit's data. */
export interface SentenceAnswer {
  readonly comment: string;
}

export function TaskApp(): ReactElement {
  const {
    isLoading,
    isPreview,
    initialTaskData,
    handleSubmit,
    handleFatalError,
    blockedReason,
    blockedExplanation,
  } = useMephistoTask<SentenceData>();

  // Blocked: on a phone when the task forbids it, or the server gave this worker no unit (already
  // done, too many at once, a failed qualification, …). Say why rather than show an empty page.
  if (blockedReason !== null) {
    return (
      <main>
        <h1>This task is not available to you</h1>
        <p>{blockedExplanation ?? `(code: ${blockedReason})`}</p>
      </main>
    );
  }
  if (isPreview) return <Instructions />;
  if (isLoading) return <p>Loading your task…</p>;

  const data = sentenceData(initialTaskData);
  if (data === null) return <p>This unit has no sentence to show; please return it.</p>;
  return (
    <ErrorBoundary
      handleError={(report) => {
        void handleFatalError(report);
      }}
    >
      <Instructions />
      <AnswerForm sentence={data.text} onSubmit={handleSubmit} />
    </ErrorBoundary>
  );
}

function Instructions(): ReactElement {
  return (
    <header>
      <h1>Comment on a sentence</h1>
      <p>Read the sentence below and say in a few words whether it reads well, and why.</p>
    </header>
  );
}

type SubmitState = 'editing' | 'sending' | 'sent';

function AnswerForm(props: {
  readonly sentence: string;
  /** Resolves once the server stored the answer; rejects with its reason when it refused it. */
  readonly onSubmit: (answer: SentenceAnswer) => Promise<void>;
}): ReactElement {
  const [comment, setComment] = useState('');
  const [state, setState] = useState<SubmitState>('editing');
  const [error, setError] = useState<string | null>(null);
  const ready = comment.trim() !== '' && state === 'editing';

  const submit = (event: SubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    if (!ready) return;
    setState('sending');
    setError(null);
    props.onSubmit({ comment: comment.trim() }).then(
      () => {
        setState('sent');
      },
      (reason: unknown) => {
        // Let the worker try again: the answer is still in the box.
        setState('editing');
        setError(reason instanceof Error ? reason.message : String(reason));
      },
    );
  };

  return (
    <form onSubmit={submit}>
      <blockquote>{props.sentence}</blockquote>
      <label htmlFor="comment">Your comment</label>
      <textarea
        id="comment"
        rows={4}
        value={comment}
        disabled={state !== 'editing'}
        onChange={(event) => {
          setComment(event.target.value);
        }}
      />
      <button type="submit" disabled={!ready}>
        {state === 'sent' ? 'Submitted, thank you' : state === 'sending' ? 'Submitting…' : 'Submit'}
      </button>
      {error === null ? null : <p role="alert">Your answer was not saved: {error}</p>}
    </form>
  );
}

/** The unit's data if it has the expected shape, else null. */
function sentenceData(value: unknown): SentenceData | null {
  if (typeof value !== 'object' || value === null) return null;
  const text = (value as { text?: unknown }).text;
  return typeof text === 'string' ? { text } : null;
}
