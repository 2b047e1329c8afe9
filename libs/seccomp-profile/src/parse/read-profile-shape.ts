import {
  SECCOMP_ACTIONS,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
  type ProfileIssue,
  type SeccompAction,
  type SeccompArchMapEntry,
  type SeccompArg,
  type SeccompFilterCondition,
  type SeccompFlag,
  type SeccompOperator,
  type SeccompProfile,
  type SeccompRule,
} from '../model/seccomp-profile.js';

/**
 * Reads an untrusted value into a SeccompProfile, field by field, collecting every type error
 * with its JSON pointer instead of stopping at the first. Fields it cannot read are left out.
 */
export function readProfileShape(body: unknown, prefix: string, extraKeys: readonly string[] = []) {
  const issues: ProfileIssue[] = [];
  const issue = (pointer: string, message: string) => issues.push({ pointer: prefix + pointer, message });
  if (!isRecord(body)) {
    issue('', 'must be an object');
    return { profile: undefined, issues };
  }
  checkKeys(body, PROFILE_KEYS.concat(extraKeys), '', issue);
  const defaultAction = readAction(body.defaultAction, '/defaultAction', issue, true);
  const profile: SeccompProfile = { defaultAction: defaultAction ?? 'SCMP_ACT_ALLOW' };
  assign(profile, 'defaultErrnoRet', readErrno(body.defaultErrnoRet, '/defaultErrnoRet', issue));
  assign(profile, 'architectures', readStrings(body.architectures, '/architectures', issue));
  if (body.archMap !== undefined && body.archMap !== null) {
    profile.archMap = readArray(body.archMap, '/archMap', issue, (entry, p) =>
      readArchMapEntry(entry, p, issue),
    );
  }
  if (body.flags !== undefined && body.flags !== null) {
    profile.flags = readArray(body.flags, '/flags', issue, (flag, p) => {
      if (typeof flag === 'string' && (SECCOMP_FLAGS as readonly string[]).includes(flag))
        return flag as SeccompFlag;
      issue(p, `unknown flag ${JSON.stringify(flag)}; expected one of ${SECCOMP_FLAGS.join(', ')}`);
      return undefined;
    });
  }
  assign(profile, 'listenerPath', readString(body.listenerPath, '/listenerPath', issue));
  assign(profile, 'listenerMetadata', readString(body.listenerMetadata, '/listenerMetadata', issue));
  if (body.syscalls !== undefined && body.syscalls !== null) {
    profile.syscalls = readArray(body.syscalls, '/syscalls', issue, (rule, p) => readRule(rule, p, issue));
  }
  return { profile: defaultAction === undefined ? undefined : profile, issues };
}

type Issue = (pointer: string, message: string) => void;

const PROFILE_KEYS = [
  'defaultAction',
  'defaultErrnoRet',
  'architectures',
  'archMap',
  'flags',
  'listenerPath',
  'listenerMetadata',
  'syscalls',
];
const RULE_KEYS = ['names', 'name', 'action', 'errnoRet', 'args', 'comment', 'includes', 'excludes'];
const ARG_KEYS = ['index', 'value', 'valueTwo', 'op'];
const CONDITION_KEYS = ['caps', 'arches', 'minKernel'];

function readRule(value: unknown, p: string, issue: Issue): SeccompRule | undefined {
  if (!isRecord(value)) {
    issue(p, 'a rule must be an object');
    return undefined;
  }
  checkKeys(value, RULE_KEYS, p, issue);
  const action = readAction(value.action, `${p}/action`, issue, true);
  let names = readStrings(value.names, `${p}/names`, issue);
  // Docker's old format has one `name` per rule.
  const single = readString(value.name, `${p}/name`, issue);
  if (single !== undefined) names = [...(names ?? []), single];
  if (names === undefined || names.length === 0) issue(`${p}/names`, 'a rule must name at least one syscall');
  names?.forEach((name, i) => {
    if (name.length === 0) issue(`${p}/names/${i}`, 'empty syscall name');
  });
  if (action === undefined || names === undefined) return undefined;
  const rule: SeccompRule = { names, action };
  assign(rule, 'errnoRet', readErrno(value.errnoRet, `${p}/errnoRet`, issue));
  if (value.args !== undefined && value.args !== null) {
    rule.args = readArray(value.args, `${p}/args`, issue, (arg, ap) => readArg(arg, ap, issue));
  }
  assign(rule, 'comment', readString(value.comment, `${p}/comment`, issue));
  assign(rule, 'includes', readCondition(value.includes, `${p}/includes`, issue));
  assign(rule, 'excludes', readCondition(value.excludes, `${p}/excludes`, issue));
  return rule;
}

function readArg(value: unknown, p: string, issue: Issue): SeccompArg | undefined {
  if (!isRecord(value)) {
    issue(p, 'an argument condition must be an object');
    return undefined;
  }
  checkKeys(value, ARG_KEYS, p, issue);
  let ok = true;
  const index = value.index;
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    issue(`${p}/index`, 'index must be an integer');
    ok = false;
  } else if (index < 0 || index > 5) {
    issue(`${p}/index`, `index ${index} is outside 0..5`);
    ok = false;
  }
  const argValue = readUint64(value.value, `${p}/value`, issue, true);
  const valueTwo = readUint64(value.valueTwo, `${p}/valueTwo`, issue, false);
  const op = value.op;
  if (typeof op !== 'string' || !(SECCOMP_OPERATORS as readonly string[]).includes(op)) {
    issue(
      `${p}/op`,
      `unknown operator ${JSON.stringify(op)}; expected one of ${SECCOMP_OPERATORS.join(', ')}`,
    );
    ok = false;
  }
  if (!ok || argValue === undefined) return undefined;
  const arg: SeccompArg = { index: index as number, value: argValue, op: op as SeccompOperator };
  if (valueTwo !== undefined) arg.valueTwo = valueTwo;
  return arg;
}

function readUint64(value: unknown, p: string, issue: Issue, required: boolean): number | undefined {
  if (value === undefined || value === null) {
    if (required) issue(p, 'required');
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 64 - 1) {
    issue(p, 'must be an unsigned 64-bit integer');
    return undefined;
  }
  return value;
}

function readCondition(value: unknown, p: string, issue: Issue): SeccompFilterCondition | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    issue(p, 'must be an object');
    return undefined;
  }
  checkKeys(value, CONDITION_KEYS, p, issue);
  const condition: SeccompFilterCondition = {};
  assign(condition, 'caps', readStrings(value.caps, `${p}/caps`, issue));
  assign(condition, 'arches', readStrings(value.arches, `${p}/arches`, issue));
  const minKernel = readString(value.minKernel, `${p}/minKernel`, issue);
  if (minKernel !== undefined && !/^\d+\.\d+$/.test(minKernel))
    issue(`${p}/minKernel`, 'must be major.minor');
  else assign(condition, 'minKernel', minKernel);
  return condition;
}

function readArchMapEntry(value: unknown, p: string, issue: Issue): SeccompArchMapEntry | undefined {
  if (!isRecord(value)) {
    issue(p, 'must be an object');
    return undefined;
  }
  checkKeys(value, ['architecture', 'subArchitectures'], p, issue);
  const architecture = readString(value.architecture, `${p}/architecture`, issue);
  if (value.architecture === undefined || value.architecture === null) issue(`${p}/architecture`, 'required');
  const subArchitectures = readStrings(value.subArchitectures, `${p}/subArchitectures`, issue) ?? [];
  return architecture === undefined ? undefined : { architecture, subArchitectures };
}

function readAction(value: unknown, p: string, issue: Issue, required: boolean): SeccompAction | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value === 'string' && (SECCOMP_ACTIONS as readonly string[]).includes(value)) {
    return value as SeccompAction;
  }
  issue(p, `unknown action ${JSON.stringify(value)}; expected one of ${SECCOMP_ACTIONS.join(', ')}`);
  return undefined;
}

function readErrno(value: unknown, p: string, issue: Issue): number | undefined {
  if (value === undefined || value === null) return undefined;
  // The kernel keeps 16 bits of SECCOMP_RET_DATA for the errno.
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff) {
    issue(p, 'must be an integer in 0..65535');
    return undefined;
  }
  return value;
}

function readString(value: unknown, p: string, issue: Issue): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    issue(p, 'must be a string');
    return undefined;
  }
  return value;
}

function readStrings(value: unknown, p: string, issue: Issue): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return readArray(
    value,
    p,
    issue,
    (item, ip) => readString(item, ip, issue) ?? requiredString(ip, issue, item),
  );
}

function requiredString(p: string, issue: Issue, item: unknown): undefined {
  if (item === undefined || item === null) issue(p, 'must be a string');
  return undefined;
}

function readArray<T>(
  value: unknown,
  p: string,
  issue: Issue,
  read: (item: unknown, p: string) => T | undefined,
) {
  if (!Array.isArray(value)) {
    issue(p, 'must be an array');
    return [];
  }
  const out: T[] = [];
  value.forEach((item, i) => {
    const read1 = read(item, `${p}/${i}`);
    if (read1 !== undefined) out.push(read1);
  });
  return out;
}

function checkKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  p: string,
  issue: Issue,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) issue(`${p}/${escapePointer(key)}`, `unknown field ${JSON.stringify(key)}`);
  }
}

export function escapePointer(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
