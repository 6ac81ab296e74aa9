import { useId, useState } from 'react';
import { hrefs } from '../routing/app-route.js';

/** Opens a worker's page by id, from the header. Test ids: `worker-jump-input`, `worker-jump-submit`. */
export function WorkerJumpForm() {
  const ids = useId();
  const [workerId, setWorkerId] = useState('');
  return (
    <form
      className="worker-jump"
      role="search"
      aria-label="Find a worker"
      onSubmit={(event) => {
        event.preventDefault();
        const id = workerId.trim();
        if (id === '') return;
        window.location.hash = hrefs.worker(id);
        setWorkerId('');
      }}
    >
      <label htmlFor={`${ids}-worker`}>Worker id</label>
      <input
        id={`${ids}-worker`}
        data-testid="worker-jump-input"
        type="text"
        size={10}
        value={workerId}
        onChange={(event) => {
          setWorkerId(event.target.value);
        }}
      />
      <button type="submit" data-testid="worker-jump-submit">
        Open
      </button>
    </form>
  );
}
