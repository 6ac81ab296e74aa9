/**
 * Shown instead of the app when there is no session token (the page was opened without the printed
 * link) or the server refused it (401: the link is from an earlier `mephisto review`, or mistyped).
 * Test ids: `session-expired` (data-reason="missing|rejected").
 */
export function SessionExpiredScreen({ reason }: { reason: 'missing' | 'rejected' }) {
  return (
    <main className="session-expired" data-testid="session-expired" data-reason={reason}>
      <h1>
        {reason === 'rejected'
          ? 'This review link has expired or its token is wrong'
          : 'This page needs a review link'}
      </h1>
      <p>
        {reason === 'rejected'
          ? 'The review server did not accept this session’s token. Each run of `mephisto review` makes a new token, so links from an earlier run stop working.'
          : 'The review app opens from the link that `mephisto review` prints, which carries a session token.'}
      </p>
      <p>
        Run <code>mephisto review</code> again and open the link it prints (it looks like{' '}
        <code>http://localhost:PORT/#token=…</code>).
      </p>
    </main>
  );
}
