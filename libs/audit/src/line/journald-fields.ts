/** The journald fields the audit parser reads; every other key is checked for syntax, then dropped. */
export interface JournalFields {
  _TRANSPORT: string | undefined;
  _HOSTNAME: string | undefined;
  _BOOT_ID: string | undefined;
  MESSAGE: string | undefined;
  _AUDIT_TYPE: string | undefined;
  _AUDIT_ID: string | undefined;
  _SOURCE_REALTIME_TIMESTAMP: string | undefined;
  __REALTIME_TIMESTAMP: string | undefined;
}

// JSON.parse refuses raw control characters in strings; such a line takes the JSON.parse path.
// eslint-disable-next-line no-control-regex -- matching exactly those characters is the point
const CONTROL = /[\u0000-\u001f]/;

function store(fields: JournalFields, key: string, value: string): void {
  switch (key) {
    case '_TRANSPORT':
      fields._TRANSPORT = value;
      break;
    case '_HOSTNAME':
      fields._HOSTNAME = value;
      break;
    case '_BOOT_ID':
      fields._BOOT_ID = value;
      break;
    case 'MESSAGE':
      fields.MESSAGE = value;
      break;
    case '_AUDIT_TYPE':
      fields._AUDIT_TYPE = value;
      break;
    case '_AUDIT_ID':
      fields._AUDIT_ID = value;
      break;
    case '_SOURCE_REALTIME_TIMESTAMP':
      fields._SOURCE_REALTIME_TIMESTAMP = value;
      break;
    case '__REALTIME_TIMESTAMP':
      fields.__REALTIME_TIMESTAMP = value;
      break;
    default:
      break;
  }
}

/**
 * The string fields of a `journalctl -o json` line, read without building the whole object:
 * journald writes one flat object of strings with no spaces. Returns undefined for anything
 * else (numbers, byte arrays, nesting, spaces, control characters, bad escapes), which then
 * goes through JSON.parse, so this never accepts a line JSON.parse would refuse. Duplicate
 * keys: the last wins, as in JSON.parse.
 */
export function scanJournalFields(line: string): JournalFields | undefined {
  const length = line.length;
  if (length < 2 || line.charCodeAt(0) !== 123 /* { */ || CONTROL.test(line)) return undefined;
  const fields: JournalFields = {
    _TRANSPORT: undefined,
    _HOSTNAME: undefined,
    _BOOT_ID: undefined,
    MESSAGE: undefined,
    _AUDIT_TYPE: undefined,
    _AUDIT_ID: undefined,
    _SOURCE_REALTIME_TIMESTAMP: undefined,
    __REALTIME_TIMESTAMP: undefined,
  };
  if (length === 2) return line.charCodeAt(1) === 125 /* } */ ? fields : undefined;
  // Next backslash at or after the scan position: -1 once there are none left.
  let backslash = line.indexOf('\\', 1);
  let i = 1;
  for (;;) {
    if (line.charCodeAt(i) !== 34 /* " */) return undefined;
    const keyEnd = line.indexOf('"', i + 1);
    if (keyEnd < 0 || (backslash >= 0 && backslash < keyEnd)) return undefined;
    if (line.charCodeAt(keyEnd + 1) !== 58 /* : */ || line.charCodeAt(keyEnd + 2) !== 34) return undefined;
    const valueStart = keyEnd + 3;
    let valueEnd = line.indexOf('"', valueStart);
    let escaped = false;
    if (backslash >= 0 && backslash < valueStart) backslash = line.indexOf('\\', valueStart);
    // A backslash escapes the next character, which may be the quote we found.
    while (valueEnd >= 0 && backslash >= 0 && backslash < valueEnd) {
      escaped = true;
      const after = backslash + 2;
      if (after > valueEnd) valueEnd = line.indexOf('"', after);
      backslash = line.indexOf('\\', after);
    }
    if (valueEnd < 0) return undefined;
    let value: string;
    if (escaped) {
      try {
        value = JSON.parse(line.slice(valueStart - 1, valueEnd + 1)) as string;
      } catch {
        return undefined;
      }
    } else value = line.slice(valueStart, valueEnd);
    store(fields, line.slice(i + 1, keyEnd), value);
    const next = line.charCodeAt(valueEnd + 1);
    if (next === 44 /* , */) i = valueEnd + 2;
    else if (next === 125 /* } */ && valueEnd + 2 === length) return fields;
    else return undefined;
  }
}
