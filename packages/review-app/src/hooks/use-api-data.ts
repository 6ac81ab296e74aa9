import { useCallback, useEffect, useState, type Dispatch, type SetStateAction } from 'react';
import { isAbort } from '../api/api-error.js';

export interface ApiData<T> {
  /** The last loaded value; kept while a reload runs, so the screen does not flicker. */
  data: T | null;
  /** The last load's failure, cleared when a load starts. */
  error: unknown;
  loading: boolean;
  /** Loads again (e.g. after an action changed the data). */
  reload: () => void;
  /** Replaces the data with a value an action returned, without a request. */
  setData: Dispatch<SetStateAction<T | null>>;
}

/**
 * Loads `load()` when the component mounts and whenever `deps` change, aborting the previous request so a
 * slow stale answer can never overwrite a newer one. Screens are keyed by their ids, so a different
 * worker or run is a new component with fresh state.
 */
export function useApiData<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
): ApiData<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    load(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setLoading(false);
      },
      (failure: unknown) => {
        if (controller.signal.aborted || isAbort(failure)) return;
        setError(failure);
        setLoading(false);
      },
    );
    return () => {
      controller.abort();
    };
    // `load` is a new closure every render; `deps` says when it means a different request.
  }, [...deps, version]);

  const reload = useCallback(() => {
    setVersion((v) => v + 1);
  }, []);
  return { data, error, loading, reload, setData };
}
