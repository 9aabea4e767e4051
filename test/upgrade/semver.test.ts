import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../src/upgrade/semver.js';

describe('versions', () => {
  it.each([
    ['0.1.0', '0.2.0', -1],
    ['0.10.0', '0.9.0', 1],
    ['1.0.0-rc.2', '1.0.0', -1],
    ['1.0.0-rc.10', '1.0.0-rc.2', 1],
    ['1.2.3', '1.2.3', 0],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});
