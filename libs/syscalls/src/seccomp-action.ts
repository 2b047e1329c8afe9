/** Seccomp filter return actions (include/uapi/linux/seccomp.h), as the SECCOMP record's `code` shows them. */
export const SECCOMP_ACTIONS = [
  'kill_process',
  'kill_thread',
  'trap',
  'errno',
  'user_notif',
  'trace',
  'log',
  'allow',
] as const;
export type SeccompAction = (typeof SECCOMP_ACTIONS)[number];

/** SECCOMP_RET_ACTION_FULL: the kernel logs the code masked with it, so the errno never shows. */
export const SECCOMP_RET_ACTION_FULL = 0xffff0000;

const ACTION_BY_CODE = new Map<number, SeccompAction>([
  [0x80000000, 'kill_process'],
  [0x00000000, 'kill_thread'],
  [0x00030000, 'trap'],
  [0x00050000, 'errno'],
  [0x7fc00000, 'user_notif'],
  [0x7ff00000, 'trace'],
  [0x7ffc0000, 'log'],
  [0x7fff0000, 'allow'],
]);
const CODE_BY_ACTION = new Map<SeccompAction, number>([...ACTION_BY_CODE].map(([code, a]) => [a, code]));

export interface SeccompActionInfo {
  /** What the kernel did: an unknown code is treated by the kernel as kill_process. */
  action: SeccompAction;
  /** False when the code is not one the kernel defines; `code` keeps the raw value. */
  known: boolean;
  /** The code masked with SECCOMP_RET_ACTION_FULL. */
  code: number;
}

/** `0x7ffc0000` (string, with or without 0x) or a number -> the action; undefined when not a number at all. */
export function actionFromCode(code: string | number): SeccompActionInfo | undefined {
  let value: number;
  if (typeof code === 'number') {
    if (!Number.isInteger(code)) return undefined;
    value = code;
  } else {
    const text = code.startsWith('0x') || code.startsWith('0X') ? code.slice(2) : code;
    if (text.length === 0 || text.length > 8 || !/^[0-9a-fA-F]+$/.test(text)) return undefined;
    value = parseInt(text, 16);
  }
  const masked = (value & SECCOMP_RET_ACTION_FULL) >>> 0;
  const action = ACTION_BY_CODE.get(masked);
  return action === undefined
    ? { action: 'kill_process', known: false, code: masked }
    : { action, known: true, code: masked };
}

/** The code of an action (SECCOMP_RET_*), without errno data. */
export function codeOfAction(action: SeccompAction): number {
  return CODE_BY_ACTION.get(action) ?? 0x80000000;
}
