import { useState, type MouseEvent } from 'react';
import type { UploadedFileRef } from 'mephisto-ts/review-api';
import { useReviewClient } from '../api/review-client-context.js';
import { formatBytes } from '../format/format.js';
import { ErrorMessage } from './error-message.js';

/**
 * A link to an uploaded file. A plain link cannot carry the bearer token, so a click fetches the file
 * with it and saves the blob under the worker's file name (untrusted text: shown as text; the browser
 * sanitises it as a download name). Test ids: `${testId}` (the link), `${testId}-error`.
 */
export function FileDownloadLink({ file, testId }: { file: UploadedFileRef; testId: string }) {
  const client = useReviewClient();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const download = async (event: MouseEvent<HTMLAnchorElement>): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const blob = await client.downloadFile(file.url);
      const objectUrl = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = objectUrl;
      anchor.download = file.name;
      anchor.rel = 'noopener';
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => {
        URL.revokeObjectURL(objectUrl);
      }, 10_000);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <a
        href={file.url}
        download={file.name}
        data-testid={testId}
        aria-busy={busy}
        onClick={(event) => void download(event)}
      >
        {file.name}
      </a>{' '}
      <span className="muted">({formatBytes(file.size)})</span>
      {error !== null && <ErrorMessage error={error} testId={`${testId}-error`} />}
    </>
  );
}
