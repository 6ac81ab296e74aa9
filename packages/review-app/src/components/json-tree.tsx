/**
 * An untrusted JSON value (a worker's submission, a unit's input data) as a tree of plain text, with the
 * raw JSON under a disclosure. Every string reaches the DOM as a React text child, so markup in it
 * (`<script>`, `<img onerror=…>`) is shown and never parsed: no dangerouslySetInnerHTML, no eval.
 * Test ids: `${testId}` (the tree), `${testId}-raw` (the raw JSON <pre>).
 */

/** Children shown per object or array; more are summarised, so a huge submission cannot hang the page. */
const MAX_CHILDREN = 200;

export function JsonTree({ value, testId }: { value: unknown; testId: string }) {
  return (
    <div className="json">
      <div className="json-tree" data-testid={testId}>
        <JsonNode name={null} value={value} depth={0} />
      </div>
      <details className="json-raw">
        <summary>Raw JSON</summary>
        <pre data-testid={`${testId}-raw`}>{rawJson(value)}</pre>
      </details>
    </div>
  );
}

function JsonNode({ name, value, depth }: { name: string | null; value: unknown; depth: number }) {
  const label = name === null ? null : <span className="json-key">{name}: </span>;
  const entries = childEntries(value);
  if (entries === null || entries.length === 0) {
    return (
      <span className="json-leaf">
        {label}
        <span className={`json-${leafKind(value)}`}>{leafText(value)}</span>
      </span>
    );
  }
  const shown = entries.slice(0, MAX_CHILDREN);
  return (
    <details className="json-branch" open={depth < 2}>
      <summary>
        {label}
        <span className="json-summary">
          {Array.isArray(value) ? `[${entries.length} items]` : `{${entries.length} keys}`}
        </span>
      </summary>
      <ul className="json-children">
        {shown.map(([key, child]) => (
          <li key={key}>
            <JsonNode name={key} value={child} depth={depth + 1} />
          </li>
        ))}
        {entries.length > shown.length && (
          <li className="json-more">… {entries.length - shown.length} more (see the raw JSON)</li>
        )}
      </ul>
    </details>
  );
}

function childEntries(value: unknown): [string, unknown][] | null {
  if (Array.isArray(value)) return value.map((child: unknown, index) => [String(index), child]);
  if (typeof value === 'object' && value !== null) return Object.entries(value);
  return null;
}

function leafKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'empty';
  return typeof value;
}

function leafText(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'object' && value !== null) return '{}';
  if (value === undefined) return '(none)';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return typeof value;
}

function rawJson(value: unknown): string {
  try {
    // JSON.stringify gives undefined for undefined (a unit without a submission), whatever its type says.
    return value === undefined ? '(none)' : JSON.stringify(value, null, 2);
  } catch {
    return '(not representable as JSON)';
  }
}
