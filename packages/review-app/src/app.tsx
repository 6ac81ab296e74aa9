/**
 * Placeholder page. The review app will list completed units for review, pay bonuses and show live runs;
 * until then it says so, and its build proves the React + Vite toolchain works end to end.
 */
export function App() {
  return (
    <main
      style={{ fontFamily: 'system-ui, sans-serif', maxWidth: '40rem', margin: '4rem auto', lineHeight: 1.5 }}
    >
      <h1>mephisto-ts review</h1>
      <p>
        This is where the review app will be: reviewing completed units (approve, reject, soft-reject), paying
        bonuses, granting qualifications and watching live task runs.
      </p>
      <p>It is not built yet. The data it will show is already kept by the mephisto-ts store.</p>
    </main>
  );
}
