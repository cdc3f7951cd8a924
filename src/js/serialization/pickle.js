// serialization/pickle.js: the subset of Python's pickle that PyTorch checkpoints use —
// an unpickler that is a small stack machine with a WHITELIST of opcodes, and a pickler
// (protocol 2, as torch.save writes) for None, bools, ints, floats, strings, lists,
// tuples, dicts, globals and persistent ids.
//
// The unpickler never runs anything: GLOBAL / STACK_GLOBAL, REDUCE, BUILD and BINPERSID go
// through hooks given by the caller (pt.js), which allow a fixed list of names and build
// plain values. Any opcode outside the list below (NEWOBJ, INST, OBJ, EXT*, bytes, sets,
// ...) is a FormatError naming it. Not here: what the globals mean (pt.js), zip (zip.js).
import { fail } from './common.js';

/** A Python tuple (lists are plain arrays). */
export class Tuple extends Array {}

/** A Python dict or collections.OrderedDict: insertion-ordered, keys compared as Python does. */
export class Dict {
  constructor(ordered = false) {
    this.ordered = ordered;
    this.map = new Map(); // normalised key -> [key, value]
    this.state = null;    // an OrderedDict's __dict__ (PyTorch puts _metadata there)
  }
  set(key, value) { this.map.set(dictKey(key), [key, value]); }
  *entries() { for (const pair of this.map.values()) yield pair; }
}

/** A module-level name the caller allowed (see pt.js). */
export class Global {
  constructor(module, name) {
    this.module = module;
    this.name = name;
  }
  toString() { return `${this.module}.${this.name}`; }
}

export function pyType(v) {
  if (v === null) return 'NoneType';
  if (v instanceof Tuple) return 'tuple';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Dict) return v.ordered ? 'OrderedDict' : 'dict';
  if (v instanceof Global) return `global '${v}'`;
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return 'int';
  if (typeof v === 'number') return 'float';
  return v?.pyType ?? typeof v;
}

// Python: 1 == 1.0 == True share a dict slot; str keys never collide with numbers.
function dictKey(k) {
  if (typeof k === 'string') return `s${k}`;
  if (typeof k === 'number') return `n${Object.is(k, -0) ? 0 : k}`;
  if (typeof k === 'bigint') return `n${k}`;
  if (typeof k === 'boolean') return `n${k ? 1 : 0}`;
  if (k === null) return 'N';
  return fail(`pickle dict key of type ${pyType(k)} is not supported`);
}

// Every opcode of pickle protocols 0-5, for error messages.
const OPNAMES = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT',
  0x4a: 'BININT', 0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID',
  0x51: 'BINPERSID', 0x52: 'REDUCE', 0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING',
  0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND', 0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT',
  0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET', 0x69: 'INST', 0x6a: 'LONG_BINGET',
  0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT', 0x72: 'LONG_BINPUT',
  0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2',
  0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8',
  0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL',
  0x94: 'MEMOIZE', 0x95: 'FRAME', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(bytes, what) {
  try {
    return utf8.decode(bytes);
  } catch {
    return fail(`pickle ${what} is not valid UTF-8`);
  }
}

/** Reads a two's-complement little-endian integer (LONG1); a Number when it is safe. */
function readLong(bytes) {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * Runs a pickle. hooks: global(module, name) -> value (throws for a name not allowed),
 * persistentLoad(pid), reduce(callable, argsTuple), build(obj, state). Returns the value
 * STOP pops. `what` names the stream in errors ("archive/data.pkl").
 */
export function unpickle(bytes, hooks, what = 'data.pkl') {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let stack = [];
  const marks = []; // saved stacks (Python's metastack)
  const memo = new Map();
  let at = 0; // offset of the current opcode, for messages

  const corrupt = (why) => fail(`${what} is corrupt: ${why} (opcode ${OPNAMES[bytes[at]] ?? bytes[at]} at byte ${at})`);
  const need = (n) => { if (pos + n > bytes.length) corrupt('the pickle ends early'); };
  const u8 = () => { need(1); return bytes[pos++]; };
  const u16 = () => { need(2); const v = view.getUint16(pos, true); pos += 2; return v; };
  const u32 = () => { need(4); const v = view.getUint32(pos, true); pos += 4; return v; };
  const take = (n) => { need(n); const b = bytes.subarray(pos, pos + n); pos += n; return b; };
  const pop = () => (stack.length ? stack.pop() : corrupt('pop from an empty stack'));
  const top = () => (stack.length ? stack[stack.length - 1] : corrupt('the stack is empty'));
  const popMark = () => {
    if (!marks.length) corrupt('no MARK to pop to');
    const items = stack;
    stack = marks.pop();
    return items;
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) corrupt('unterminated GLOBAL name');
    const text = decodeText(bytes.subarray(pos, end), 'GLOBAL name');
    pos = end + 1;
    return text;
  };
  const put = (index) => memo.set(index, top());
  const get = (index) => (memo.has(index) ? memo.get(index) : corrupt(`memo entry ${index} was never stored`));
  const setItems = (dict, items) => {
    if (!(dict instanceof Dict)) corrupt(`SETITEM(S) on a ${pyType(dict)}`);
    if (items.length % 2) corrupt('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  };
  const appendTo = (list, items) => {
    if (!Array.isArray(list) || list instanceof Tuple) corrupt(`APPEND(S) on a ${pyType(list)}`);
    for (const item of items) list.push(item);
  };

  for (;;) {
    at = pos;
    const op = u8();
    switch (op) {
      case 0x80: { const proto = u8(); if (proto > 5) corrupt(`unsupported pickle protocol ${proto}`); break; } // PROTO
      case 0x95: take(8); break; // FRAME: framing is only a read-ahead hint
      case 0x2e: { const value = pop(); return value; } // STOP
      case 0x28: marks.push(stack); stack = []; break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: need(4); stack.push(view.getInt32(pos, true)); pos += 4; break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(readLong(take(u8()))); break; // LONG1
      case 0x47: need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; // BINFLOAT
      case 0x58: stack.push(decodeText(take(u32()), 'string')); break; // BINUNICODE
      case 0x8c: stack.push(decodeText(take(u8()), 'string')); break; // SHORT_BINUNICODE
      case 0x8d: { // BINUNICODE8
        need(8);
        const lo = view.getUint32(pos, true), hi = view.getUint32(pos + 4, true);
        pos += 8;
        if (hi) corrupt('string too long');
        stack.push(decodeText(take(lo), 'string'));
        break;
      }
      case 0x7d: stack.push(new Dict()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push(Tuple.from([])); break; // EMPTY_TUPLE
      case 0x74: { const t = Tuple.from(popMark()); stack.push(t); break; } // TUPLE
      case 0x85: stack.push(Tuple.from([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(), a = pop(); stack.push(Tuple.from([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(), b = pop(), a = pop(); stack.push(Tuple.from([a, b, c])); break; } // TUPLE3
      case 0x6c: { const l = Array.from(popMark()); stack.push(l); break; } // LIST
      case 0x64: { const d = new Dict(); const items = popMark(); setItems(d, items); stack.push(d); break; } // DICT
      case 0x73: { const v = pop(), k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x61: { const v = pop(); appendTo(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendTo(top(), items); break; } // APPENDS
      case 0x71: put(u8()); break; // BINPUT
      case 0x72: put(u32()); break; // LONG_BINPUT
      case 0x94: put(memo.size); break; // MEMOIZE
      case 0x68: stack.push(get(u8())); break; // BINGET
      case 0x6a: stack.push(get(u32())); break; // LONG_BINGET
      case 0x63: { const module = line(); const name = line(); stack.push(hooks.global(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop(), module = pop();
        if (typeof name !== 'string' || typeof module !== 'string') corrupt('STACK_GLOBAL needs two strings');
        stack.push(hooks.global(module, name));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop(), callable = pop();
        if (!(args instanceof Tuple)) corrupt(`REDUCE arguments are a ${pyType(args)}, not a tuple`);
        stack.push(hooks.reduce(callable, args));
        break;
      }
      case 0x62: { const state = pop(); hooks.build(top(), state); break; } // BUILD
      case 0x51: stack.push(hooks.persistentLoad(pop())); break; // BINPERSID
      default:
        fail(`pickle opcode ${OPNAMES[op] ?? 'unknown'} (0x${op.toString(16).padStart(2, '0')}) at byte ${at} of ` +
          `${what} is not allowed; kindling loads only tensors, numbers, strings, lists, tuples and dicts`);
    }
  }
}

// --- writing -------------------------------------------------------------------------

const utf8enc = new TextEncoder();

/** Builds a protocol-2 pickle. Memo slots are used for globals and for shared objects. */
export class Pickler {
  constructor() {
    this.buf = new Uint8Array(4096);
    this.n = 0;
    this.memo = new Map(); // object or "global:<module>.<name>" -> memo index
    this.op(0x80, 2); // PROTO 2
  }
  reserve(extra) {
    if (this.n + extra <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.n + extra));
    grown.set(this.buf.subarray(0, this.n));
    this.buf = grown;
  }
  op(...codes) {
    this.reserve(codes.length);
    for (const c of codes) this.buf[this.n++] = c;
  }
  raw(bytes) {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.n);
    this.n += bytes.length;
  }
  u32(v) {
    this.reserve(4);
    new DataView(this.buf.buffer).setUint32(this.n, v, true);
    this.n += 4;
  }
  /** Remembers the value on top of the stack under `key` (BINPUT / LONG_BINPUT). */
  put(key) {
    const index = this.memo.size;
    this.memo.set(key, index);
    if (index < 256) this.op(0x71, index);
    else { this.op(0x72); this.u32(index); }
  }
  /** Pushes a remembered value (BINGET / LONG_BINGET); false when `key` was never put. */
  get(key) {
    const index = this.memo.get(key);
    if (index === undefined) return false;
    if (index < 256) this.op(0x68, index);
    else { this.op(0x6a); this.u32(index); }
    return true;
  }
  none() { this.op(0x4e); }
  bool(v) { this.op(v ? 0x88 : 0x89); }
  int(v) {
    if (typeof v === 'number' && v >= 0 && v < 256) this.op(0x4b, v);
    else if (typeof v === 'number' && v >= 0 && v < 65536) this.op(0x4d, v & 0xff, v >> 8);
    else if (typeof v === 'number' && v >= -(2 ** 31) && v < 2 ** 31) {
      this.op(0x4a);
      this.u32(v >>> 0);
    } else {
      let x = BigInt(v);
      const out = [];
      do {
        out.push(Number(x & 0xffn));
        x >>= 8n;
      } while (!((x === 0n && !(out[out.length - 1] & 0x80)) || (x === -1n && out[out.length - 1] & 0x80)));
      if (out.length > 255) throw new RangeError(`save: the integer ${v} is too large to pickle`);
      this.op(0x8a, out.length, ...out);
    }
  }
  float(v) {
    this.reserve(9);
    this.buf[this.n] = 0x47;
    new DataView(this.buf.buffer).setFloat64(this.n + 1, v, false);
    this.n += 9;
  }
  str(s) {
    const b = utf8enc.encode(s);
    this.op(0x58);
    this.u32(b.length);
    this.raw(b);
  }
  global(module, name) {
    const key = `global:${module}.${name}`;
    if (this.get(key)) return;
    this.op(0x63);
    this.raw(utf8enc.encode(`${module}\n${name}\n`));
    this.put(key);
  }
  /** A tuple of items written by `write(item)`. */
  tuple(items, write) {
    if (items.length === 0) return this.op(0x29);
    if (items.length > 3) this.op(0x28);
    for (const item of items) write(item);
    this.op(items.length > 3 ? 0x74 : 0x84 + items.length); // TUPLE or TUPLE1..3
  }
  list(items, write) {
    this.op(0x5d); // EMPTY_LIST
    if (!items.length) return;
    this.op(0x28);
    for (const item of items) write(item);
    this.op(0x65); // APPENDS
  }
  /** Dict body: pairs written as write(key) write(value), after the dict is on the stack. */
  setItems(pairs, writeKey, writeValue) {
    if (!pairs.length) return;
    this.op(0x28);
    for (const [key, value] of pairs) {
      writeKey(key);
      writeValue(value);
    }
    this.op(0x75); // SETITEMS
  }
  reduce() { this.op(0x52); }
  persid() { this.op(0x51); }
  mark() { this.op(0x28); }
  tupleFromMark() { this.op(0x74); }
  emptyDict() { this.op(0x7d); }
  emptyTuple() { this.op(0x29); }
  finish() {
    this.op(0x2e); // STOP
    return this.buf.slice(0, this.n);
  }
}
