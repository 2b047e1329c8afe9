import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ARG_RULES, DOCKER_STYLE, SPO_YAML } from '../../../../test/fixtures/profiles/sample-profiles.js';
import { ProfileError } from '../parse/profile-error.js';
import { parseProfile, validateProfile } from '../parse/validate-profile.js';
import { canonicalJson, profileSha256, toOciJson } from './oci-json.js';
import { toSpoYaml } from './spo-yaml.js';

describe('OCI JSON', () => {
  it('round-trips through parseProfile', () => {
    for (const profile of [DOCKER_STYLE, ARG_RULES]) {
      expect(parseProfile(toOciJson(profile))).toEqual(profile);
    }
  });

  it('writes fields in OCI order and leaves undefined ones out', () => {
    const json = toOciJson({
      syscalls: [
        {
          names: ['dup'],
          action: 'SCMP_ACT_ERRNO',
          errnoRet: undefined,
          args: [{ op: 'SCMP_CMP_EQ', value: 1, index: 0 }],
        },
      ],
      defaultAction: 'SCMP_ACT_ALLOW',
    } as never);
    expect(json).toBe(
      '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [\n    {\n      "names": [\n        "dup"\n      ],\n      "action": "SCMP_ACT_ERRNO",\n      "args": [\n        {\n          "index": 0,\n          "value": 1,\n          "op": "SCMP_CMP_EQ"\n        }\n      ]\n    }\n  ]\n}\n',
    );
  });
});

describe('SPO YAML', () => {
  it('round-trips a profile through a SeccompProfile resource', () => {
    const yaml = toSpoYaml(DOCKER_STYLE, 'docker-style', { namespace: 'shop' });
    const resource = parse(yaml) as Record<string, unknown>;
    expect(resource).toMatchObject({
      apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1',
      kind: 'SeccompProfile',
      metadata: { name: 'docker-style', namespace: 'shop' },
    });
    const back = validateProfile(yaml);
    expect(back).toMatchObject({ ok: true, format: 'spo', name: 'docker-style', profile: DOCKER_STYLE });
  });

  it('reads an operator-written resource and writes it back equal', () => {
    const profile = parseProfile(SPO_YAML);
    expect(parseProfile(toSpoYaml(profile, 'web-frontend'))).toEqual(profile);
    expect(parseProfile(toOciJson(profile))).toEqual(profile);
  });

  it('refuses a name Kubernetes would refuse', () => {
    expect(() => toSpoYaml(ARG_RULES, 'Not A Name')).toThrow(ProfileError);
    expect(() => toSpoYaml(ARG_RULES, '')).toThrow(ProfileError);
  });
});

describe('profileSha256', () => {
  it('is stable across key order and source format', () => {
    const shuffled = JSON.parse(canonicalJson(DOCKER_STYLE)) as typeof DOCKER_STYLE;
    expect(profileSha256(shuffled)).toBe(profileSha256(DOCKER_STYLE));
    expect(profileSha256(parseProfile(toSpoYaml(DOCKER_STYLE, 'x')))).toBe(profileSha256(DOCKER_STYLE));
    expect(profileSha256(DOCKER_STYLE)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any meaningful change', () => {
    const changed = structuredClone(ARG_RULES);
    changed.syscalls![2].args![0].valueTwo = 0o600;
    expect(profileSha256(changed)).not.toBe(profileSha256(ARG_RULES));
    expect(profileSha256({ ...ARG_RULES, flags: [] })).not.toBe(profileSha256(ARG_RULES));
  });

  it('sorts keys in the canonical form', () => {
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: 'x' }] })).toBe('{"a":[{"c":"x"}],"b":1}');
  });
});
