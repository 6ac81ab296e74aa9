import { useId, useState } from 'react';
import type { QualificationSummary } from 'mephisto-ts/review-api';
import { useReviewClient } from '../api/review-client-context.js';
import { useIdempotentAction } from '../hooks/use-idempotent-action.js';
import { ActionOutcomeView } from './action-outcome-view.js';

interface GrantPayload {
  kind: 'grant' | 'revoke';
  name: string;
  workerId: string;
  value: number;
}

/**
 * Grants a qualification to a worker, or revokes it, each click one idempotent action. On the worker
 * page the worker is fixed (`workerId`); on the qualifications page it is typed in.
 *
 * Test ids (P = idPrefix): `P-form`, `P-name` (select), `P-worker` (when not fixed), `P-value`,
 * `P-grant-button`, `P-revoke-button`, `P-invalid`, and from ActionOutcomeView `P-running`, `P-result`, `P-error`, `P-retry`.
 */
export function QualificationGrantForm({
  idPrefix,
  legend,
  qualifications,
  workerId,
  onChanged,
}: {
  idPrefix: string;
  legend: string;
  qualifications: QualificationSummary[];
  workerId?: string;
  onChanged: (summary: QualificationSummary) => void;
}) {
  const client = useReviewClient();
  const ids = useId();
  const [name, setName] = useState('');
  const [typedWorker, setTypedWorker] = useState('');
  const [value, setValue] = useState('1');
  const [invalid, setInvalid] = useState<string | null>(null);
  const action = useIdempotentAction((payload: GrantPayload, key: string) =>
    payload.kind === 'grant'
      ? client.grantQualification(payload.name, {
          idempotency_key: key,
          worker_id: payload.workerId,
          value: payload.value,
        })
      : client.revokeQualification(payload.name, { idempotency_key: key, worker_id: payload.workerId }),
  );
  const selected = name !== '' ? name : (qualifications[0]?.name ?? '');
  const target = (workerId ?? typedWorker).trim();

  const submit = async (kind: GrantPayload['kind']): Promise<void> => {
    const numeric = Number(value);
    const problem =
      selected === ''
        ? 'Create a qualification first.'
        : target === ''
          ? 'Enter the id of a worker.'
          : kind === 'grant' && (value.trim() === '' || !Number.isInteger(numeric))
            ? 'The value must be a whole number.'
            : null;
    setInvalid(problem);
    if (problem !== null) return;
    const result = await action.run({ kind, name: selected, workerId: target, value: numeric });
    if (result !== null) onChanged(result);
  };

  return (
    <fieldset className="grant-form" data-testid={`${idPrefix}-form`}>
      <legend>{legend}</legend>
      <div className="inline-fields">
        <div className="field">
          <label htmlFor={`${ids}-name`}>Qualification</label>
          <select
            id={`${ids}-name`}
            data-testid={`${idPrefix}-name`}
            value={selected}
            onChange={(event) => {
              setName(event.target.value);
            }}
          >
            {qualifications.map((qualification) => (
              <option key={qualification.name} value={qualification.name}>
                {qualification.name}
              </option>
            ))}
          </select>
        </div>
        {workerId === undefined && (
          <div className="field">
            <label htmlFor={`${ids}-worker`}>Worker id</label>
            <input
              id={`${ids}-worker`}
              data-testid={`${idPrefix}-worker`}
              type="text"
              value={typedWorker}
              onChange={(event) => {
                setTypedWorker(event.target.value);
              }}
            />
          </div>
        )}
        <div className="field">
          <label htmlFor={`${ids}-value`}>Value</label>
          <input
            id={`${ids}-value`}
            data-testid={`${idPrefix}-value`}
            type="number"
            step="1"
            value={value}
            onChange={(event) => {
              setValue(event.target.value);
            }}
          />
        </div>
        <div className="button-row">
          <button
            type="button"
            className="primary"
            data-testid={`${idPrefix}-grant-button`}
            disabled={action.running}
            onClick={() => void submit('grant')}
          >
            Grant
          </button>
          <button
            type="button"
            data-testid={`${idPrefix}-revoke-button`}
            disabled={action.running}
            onClick={() => void submit('revoke')}
          >
            Revoke
          </button>
        </div>
      </div>
      {invalid !== null && (
        <p className="invalid" role="alert" data-testid={`${idPrefix}-invalid`}>
          {invalid}
        </p>
      )}
      <ActionOutcomeView
        outcome={action.outcome}
        describe={(summary) => `Done. ${summary.name} is now held by ${summary.granted} workers.`}
        onRetry={() => {
          void action.retry().then((result) => {
            if (result !== null) onChanged(result);
          });
        }}
        testIdPrefix={idPrefix}
      />
    </fieldset>
  );
}
