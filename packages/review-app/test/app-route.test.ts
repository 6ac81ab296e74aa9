import { describe, expect, it } from 'vitest';
import { REVIEW_ROUTES } from 'mephisto-ts/review-api';
import { routePath, withQuery } from '../src/api/route-path.js';
import { hrefs, parseRoute } from '../src/routing/app-route.js';

describe('parseRoute / hrefs', () => {
  it('round-trips every screen, ids encoded', () => {
    expect(parseRoute('')).toEqual({ screen: 'tasks' });
    expect(parseRoute(hrefs.tasks())).toEqual({ screen: 'tasks' });
    expect(parseRoute(hrefs.run('7'))).toEqual({ screen: 'run-units', runId: '7', unitId: null });
    expect(parseRoute(hrefs.run('7', 'a/b'))).toEqual({ screen: 'run-units', runId: '7', unitId: 'a/b' });
    expect(parseRoute(hrefs.monitor('7'))).toEqual({ screen: 'monitor', runId: '7' });
    expect(parseRoute(hrefs.worker('w 1'))).toEqual({ screen: 'worker', workerId: 'w 1' });
    expect(parseRoute(hrefs.qualifications())).toEqual({ screen: 'qualifications' });
    expect(parseRoute('#/runs/7/')).toEqual({ screen: 'run-units', runId: '7', unitId: null });
  });

  it('reads anything else as not-found', () => {
    expect(parseRoute('#/runs').screen).toBe('not-found');
    expect(parseRoute('#/runs/7/monitor/x').screen).toBe('not-found');
    expect(parseRoute('#/workers/%E0%A4%A').screen).toBe('not-found');
  });
});

describe('routePath / withQuery', () => {
  it('encodes parameters so they stay one path segment', () => {
    expect(routePath(REVIEW_ROUTES.qualificationGrant, { name: 'a/b?c' })).toBe(
      '/api/qualifications/a%2Fb%3Fc/grant',
    );
    expect(routePath(REVIEW_ROUTES.file, { unitId: '3', filename: 'x y.png' })).toBe(
      '/api/units/3/files/x%20y.png',
    );
  });

  it('skips empty values', () => {
    expect(withQuery('/p', { a: 'x', b: '', c: null, d: undefined, e: 0 })).toBe('/p?a=x&e=0');
    expect(withQuery('/p', {})).toBe('/p');
  });
});
