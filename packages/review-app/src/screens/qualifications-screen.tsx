/**
 * Screen 4, `#/qualifications`: every qualification with how many workers hold it; create one; grant one
 * to a worker or revoke it.
 *
 * Test ids: `qualifications-screen`, `qualifications-loading`, `qualifications-error`,
 * `qualifications-empty`, `qualifications-table`, `qualification-row-${name}`,
 * `qualification-granted-${name}`, `qualification-create-name`, `qualification-create-description`,
 * `qualification-create`, `qualification-create-invalid`, `qualification-create-running`/`-result`/
 * `-error`/`-retry`, and the `qualification-grant-*` ids of QualificationGrantForm (`-name`, `-worker`,
 * `-value`, `-grant-button`, `-revoke-button`, `-result`, `-error`, …).
 */
import { useId, useState } from 'react';
import type { QualificationSummary } from 'mephisto-ts/review-api';
import { useReviewClient } from '../api/review-client-context.js';
import { ActionOutcomeView } from '../components/action-outcome-view.js';
import { ErrorMessage } from '../components/error-message.js';
import { QualificationGrantForm } from '../components/qualification-grant-form.js';
import { useApiData } from '../hooks/use-api-data.js';
import { useIdempotentAction } from '../hooks/use-idempotent-action.js';
import { ScreenTitle } from './screen-title.js';

export function QualificationsScreen() {
  const client = useReviewClient();
  const qualifications = useApiData((signal) => client.listQualifications(signal), [client]);
  const list = qualifications.data;

  return (
    <section data-testid="qualifications-screen">
      <ScreenTitle>Qualifications</ScreenTitle>
      {qualifications.error !== null && (
        <ErrorMessage error={qualifications.error} testId="qualifications-error" />
      )}
      {list === null && qualifications.loading && (
        <p className="muted" data-testid="qualifications-loading">
          Loading qualifications…
        </p>
      )}
      {list?.length === 0 && <p data-testid="qualifications-empty">No qualifications yet.</p>}
      {list !== null && list.length > 0 && (
        <table className="data-table" data-testid="qualifications-table">
          <caption className="visually-hidden">Qualifications</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Description</th>
              <th scope="col" className="number">
                Workers holding it
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((qualification) => (
              <tr key={qualification.name} data-testid={`qualification-row-${qualification.name}`}>
                <th scope="row">{qualification.name}</th>
                <td>{qualification.description ?? <span className="muted">—</span>}</td>
                <td className="number" data-testid={`qualification-granted-${qualification.name}`}>
                  {qualification.granted}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <div className="cards">
        <section className="card" aria-labelledby="qualification-create-title">
          <h2 id="qualification-create-title">Create a qualification</h2>
          <CreateQualificationForm onCreated={qualifications.reload} />
        </section>
        {list !== null && list.length > 0 && (
          <section className="card" aria-labelledby="qualification-grant-title">
            <h2 id="qualification-grant-title">Grant or revoke</h2>
            <QualificationGrantForm
              idPrefix="qualification-grant"
              legend="Choose a qualification and a worker"
              qualifications={list}
              onChanged={qualifications.reload}
            />
          </section>
        )}
      </div>
    </section>
  );
}

function CreateQualificationForm({ onCreated }: { onCreated: () => void }) {
  const client = useReviewClient();
  const ids = useId();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  // Creating carries no idempotency key in the contract; the hook still makes a double click one request.
  const action = useIdempotentAction(
    (payload: { name: string; description: string }): Promise<QualificationSummary> =>
      client.createQualification(
        payload.description === ''
          ? { name: payload.name }
          : { name: payload.name, description: payload.description },
      ),
  );
  const done = (result: QualificationSummary | null): void => {
    if (result === null) return;
    setName('');
    setDescription('');
    onCreated();
  };

  return (
    <form
      className="create-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (name.trim() === '') {
          setInvalid('Give the qualification a name.');
          return;
        }
        setInvalid(null);
        void action.run({ name: name.trim(), description: description.trim() }).then(done);
      }}
    >
      <div className="field">
        <label htmlFor={`${ids}-name`}>Name</label>
        <input
          id={`${ids}-name`}
          data-testid="qualification-create-name"
          type="text"
          value={name}
          onChange={(event) => {
            setName(event.target.value);
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${ids}-description`}>Description (optional)</label>
        <input
          id={`${ids}-description`}
          data-testid="qualification-create-description"
          type="text"
          value={description}
          onChange={(event) => {
            setDescription(event.target.value);
          }}
        />
      </div>
      <button type="submit" className="primary" data-testid="qualification-create" disabled={action.running}>
        Create
      </button>
      {invalid !== null && (
        <p className="invalid" role="alert" data-testid="qualification-create-invalid">
          {invalid}
        </p>
      )}
      <ActionOutcomeView
        outcome={action.outcome}
        describe={(result) => `Created ${result.name}.`}
        onRetry={() => void action.retry().then(done)}
        testIdPrefix="qualification-create"
      />
    </form>
  );
}
