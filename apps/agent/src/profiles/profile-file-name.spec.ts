import { describe, expect, it } from 'vitest';
import { profileContent, profileFileName } from './profile-file-name.js';

describe('profile file names', () => {
  it('keeps safe policy names', () => {
    expect(profileFileName('nginx-default')).toBe('nginx-default.json');
    expect(profileFileName('a.b_c-1')).toBe('a.b_c-1.json');
    expect(profileFileName('already.json')).toBe('already.json');
  });
  it('refuses path traversal, hidden files and garbage', () => {
    for (const bad of [
      '../etc/passwd',
      '..',
      '.',
      '.hidden',
      'a/b',
      'a\\b',
      '',
      'x'.repeat(201),
      'a\u0000b',
      'é',
      ' a',
      '/abs',
    ]) {
      expect(() => profileFileName(bad)).toThrow(expect.objectContaining({ code: 'unsafe_profile_name' }));
    }
  });
  it('writes strings as given and objects as JSON, always newline-terminated', () => {
    expect(profileContent('{"defaultAction":"SCMP_ACT_ERRNO"}')).toBe('{"defaultAction":"SCMP_ACT_ERRNO"}\n');
    expect(JSON.parse(profileContent({ defaultAction: 'SCMP_ACT_LOG' }))).toEqual({
      defaultAction: 'SCMP_ACT_LOG',
    });
  });
});
