import { useCallback, useEffect, useRef, useState } from 'react';
import type { UnitRow, UnitStatusName } from 'mephisto-ts/review-api';
import { isAbort } from '../api/api-error.js';
import { useReviewClient } from '../api/review-client-context.js';

/** Units per request. */
export const UNIT_PAGE_SIZE = 50;

export interface UnitFilter {
  /** null: every status. */
  status: UnitStatusName | null;
  /** Worker name or unit id; '' for none. */
  q: string;
}

export interface UnitPages {
  units: UnitRow[];
  /** Units matching the filter on the server (all pages); null before the first page arrives. */
  total: number | null;
  hasMore: boolean;
  loading: boolean;
  error: unknown;
  /** Fetches the next page (keyset: the previous page's `nextCursor`) and appends it. */
  loadMore: () => void;
  /** Starts again from the first page (after a bulk action changed statuses). */
  reload: () => void;
  /** Puts an updated row (from an action's answer) in place. */
  replaceUnit: (row: UnitRow) => void;
}

/**
 * A run's units for one filter, page by page. A new filter restarts from the first page and aborts any
 * request of the old one, so an answer for a stale filter never lands in the table.
 */
export function useUnitPages(runId: string, filter: UnitFilter): UnitPages {
  const client = useReviewClient();
  const [units, setUnits] = useState<UnitRow[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const controller = useRef<AbortController | null>(null);

  const fetchPage = useCallback(
    (after: string | null) => {
      controller.current?.abort();
      const current = new AbortController();
      controller.current = current;
      setLoading(true);
      setError(null);
      client
        .listRunUnits(
          runId,
          { status: filter.status, q: filter.q, cursor: after, limit: UNIT_PAGE_SIZE },
          current.signal,
        )
        .then(
          (page) => {
            if (current.signal.aborted) return;
            setUnits((previous) => {
              if (after === null) return page.units;
              const seen = new Set(previous.map((unit) => unit.unitId));
              return [...previous, ...page.units.filter((unit) => !seen.has(unit.unitId))];
            });
            setTotal(page.total);
            setCursor(page.nextCursor);
            setLoading(false);
          },
          (failure: unknown) => {
            if (current.signal.aborted || isAbort(failure)) return;
            setError(failure);
            setLoading(false);
          },
        );
    },
    [client, runId, filter.status, filter.q],
  );

  // A new filter empties the table at once; a reload keeps the rows until the fresh first page replaces them.
  const shownFilter = useRef<unknown>(null);
  useEffect(() => {
    if (shownFilter.current !== fetchPage) {
      shownFilter.current = fetchPage;
      setUnits([]);
      setTotal(null);
      setCursor(null);
    }
    fetchPage(null);
    return () => controller.current?.abort();
  }, [fetchPage, version]);

  const loadMore = useCallback(() => {
    if (cursor !== null && !loading) fetchPage(cursor);
  }, [cursor, loading, fetchPage]);

  const reload = useCallback(() => {
    setVersion((v) => v + 1);
  }, []);

  const replaceUnit = useCallback((row: UnitRow) => {
    setUnits((previous) => previous.map((unit) => (unit.unitId === row.unitId ? row : unit)));
  }, []);

  return { units, total, hasMore: cursor !== null, loading, error, loadMore, reload, replaceUnit };
}
