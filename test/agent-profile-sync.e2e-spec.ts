import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- this suite drives the agent's profile writer on real files
import { ProfileSync } from '../apps/agent/src/profiles/profile-sync.js';

describe('agent profile sync', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sandtrap-profiles-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes assigned profiles 0644, refuses traversal, removes only its own unassigned files', () => {
    const dir = join(root, 'profiles');
    const sync = new ProfileSync(dir, join(root, 'state'));
    const statuses = sync.apply([
      { policy: 'web', sha256: 'abc', profile: { defaultAction: 'SCMP_ACT_ERRNO' } },
      { policy: '../escape', profile: {} },
      { policy: 'db', profile: '{"defaultAction":"SCMP_ACT_LOG"}' },
    ]);
    expect(statuses[0]).toEqual({ policy: 'web', sha256: 'abc', path: join(dir, 'web.json') });
    expect(statuses[1].error).toMatch(/not a safe file name/);
    expect(statuses[2].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(join(root, 'escape.json'))).toBe(false);
    expect(statSync(join(dir, 'web.json')).mode & 0o777).toBe(0o644);
    expect(JSON.parse(readFileSync(join(dir, 'web.json'), 'utf8'))).toEqual({
      defaultAction: 'SCMP_ACT_ERRNO',
    });

    writeFileSync(join(dir, 'someone-else.json'), '{}');
    sync.apply([{ policy: 'db', profile: '{}' }]);
    expect(readdirSync(dir).sort()).toEqual(['db.json', 'someone-else.json']);
  });
});
