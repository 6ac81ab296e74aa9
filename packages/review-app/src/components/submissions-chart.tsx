import type { MonitorSnapshot } from 'mephisto-ts/review-api';
import { formatTime } from '../format/format.js';

const WIDTH = 600;
const HEIGHT = 80;
const GAP = 1;

/**
 * Submissions per minute as an inline SVG bar chart (no chart library). The whole chart is one image
 * with a text summary for screen readers; each bar has a tooltip with its minute and count.
 * Test ids: `monitor-chart`, `monitor-chart-bar-${index}` (oldest first).
 */
export function SubmissionsChart({ buckets }: { buckets: MonitorSnapshot['submissionsPerMinute'] }) {
  const total = buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  const peak = buckets.reduce((max, bucket) => Math.max(max, bucket.count), 0);
  const barWidth = buckets.length === 0 ? 0 : WIDTH / buckets.length;
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  return (
    <figure className="chart">
      <svg
        data-testid="monitor-chart"
        role="img"
        aria-label={`Submissions per minute: ${total} in ${buckets.length} minutes, at most ${peak} in one minute.`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        width="100%"
        height={HEIGHT}
      >
        <line x1={0} y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} className="chart-axis" />
        {buckets.map((bucket, index) => {
          const height =
            peak === 0 ? 0 : Math.max((bucket.count / peak) * (HEIGHT - 4), bucket.count > 0 ? 2 : 0);
          return (
            <rect
              key={bucket.minute}
              data-testid={`monitor-chart-bar-${index}`}
              className="chart-bar"
              x={index * barWidth + GAP / 2}
              y={HEIGHT - height}
              width={Math.max(barWidth - GAP, 0.5)}
              height={height}
            >
              <title>{`${formatTime(bucket.minute)}: ${bucket.count}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption className="muted">
        {first && last ? `${formatTime(first.minute)} – ${formatTime(last.minute)}` : 'No data yet'} · peak{' '}
        {peak}/min
      </figcaption>
    </figure>
  );
}
