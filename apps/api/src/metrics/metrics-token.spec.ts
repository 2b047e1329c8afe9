import { describe, expect, it } from 'vitest';
import { carriesMetricsToken } from './metrics-token.js';

describe('carriesMetricsToken', () => {
  const token = 'scrape-secret-0123456789';

  it('accepts the bearer token, whatever the scheme case', () => {
    expect(carriesMetricsToken(`Bearer ${token}`, token)).toBe(true);
    expect(carriesMetricsToken(`bearer ${token}`, token)).toBe(true);
  });

  it.each([
    [undefined],
    [''],
    [token],
    [`Basic ${token}`],
    [`Bearer ${token}x`],
    [`Bearer ${token.slice(1)}`],
    ['Bearer '],
    ['Bearer \u0000\uffff garbage'],
  ])('refuses %j', (header) => {
    expect(carriesMetricsToken(header, token)).toBe(false);
  });
});
