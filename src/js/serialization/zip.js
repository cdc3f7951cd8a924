// serialization/zip.js: the zip container of PyTorch's .pt files — a reader (stored and
// deflated entries, zip64 end records, CRC-32 checked on every read) and a writer of stored
// entries whose data start on 64-byte boundaries, as PyTorch's own writer lays them out.
// Not here: encryption, multi-disk archives, other compression methods (all rejected with
// a clear Error), and anything about what the entries mean (pt.js).
import { fail } from './common.js';
import { inflateRaw } from './inflate.js';

// CRC-32 by "slicing by 8": eight tables let the loop consume 8 bytes per step, a few
// times faster than the byte-wise loop on the megabytes of a checkpoint.
const CRC_TABLES = (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++)
    for (let k = 1; k < 8; k++) t[k * 256 + n] = (t[t[(k - 1) * 256 + n] & 0xff] ^ (t[(k - 1) * 256 + n] >>> 8)) >>> 0;
  return t;
})();

export function crc32(bytes) {
  const t = CRC_TABLES;
  let c = 0xffffffff;
  let i = 0;
  const n8 = bytes.length - (bytes.length % 8);
  for (; i < n8; i += 8) {
    const lo = (c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24))) >>> 0;
    c = t[1792 + (lo & 0xff)] ^ t[1536 + ((lo >>> 8) & 0xff)] ^ t[1280 + ((lo >>> 16) & 0xff)] ^ t[1024 + (lo >>> 24)] ^
      t[768 + bytes[i + 4]] ^ t[512 + bytes[i + 5]] ^ t[256 + bytes[i + 6]] ^ t[bytes[i + 7]];
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const SIG_LOCAL = 0x04034b50, SIG_CENTRAL = 0x02014b50, SIG_END = 0x06054b50;
const SIG_END64 = 0x06064b50, SIG_LOCATOR64 = 0x07064b50;
const utf8 = new TextDecoder();

/** A little-endian reader over a byte range that fails cleanly past its end. */
class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(at, n, what) {
    if (!(at >= 0 && at + n <= this.bytes.length)) fail(`the zip archive is truncated or corrupt (${what} at byte ${at} runs past the end of the ${this.bytes.length}-byte file)`);
  }
  u16(at, what) { this.need(at, 2, what); return this.view.getUint16(at, true); }
  u32(at, what) { this.need(at, 4, what); return this.view.getUint32(at, true); }
  u64(at, what) {
    this.need(at, 8, what);
    const lo = this.view.getUint32(at, true), hi = this.view.getUint32(at + 4, true);
    if (hi > 0x1fffff) fail(`the zip archive is corrupt (${what} is too large)`);
    return hi * 2 ** 32 + lo;
  }
}

/** Finds the end-of-central-directory record (it may be followed by a comment). */
function findEnd(r) {
  const n = r.bytes.length;
  if (n < 22) fail(`the zip archive is truncated (${n} bytes; the end record alone needs 22)`);
  const stop = Math.max(0, n - 22 - 0xffff);
  for (let at = n - 22; at >= stop; at--)
    if (r.view.getUint32(at, true) === SIG_END && at + 22 + r.view.getUint16(at + 20, true) === n) return at;
  for (let at = n - 22; at >= stop; at--) if (r.view.getUint32(at, true) === SIG_END) return at;
  return fail('the zip archive is truncated or corrupt (no end-of-central-directory record)');
}

/**
 * Parses an archive's central directory. Returns {names: [...] in directory order, has(name),
 * read(name) -> Uint8Array} ; read checks the CRC-32 (and inflates deflated entries).
 */
export function readZip(bytes) {
  const r = new Reader(bytes);
  const end = findEnd(r);
  if (r.u16(end + 4, 'disk number') !== 0 || r.u16(end + 6, 'disk number') !== 0)
    fail('multi-disk zip archives are not supported');
  let count = r.u16(end + 10, 'entry count');
  let cdSize = r.u32(end + 12, 'directory size');
  let cdOffset = r.u32(end + 16, 'directory offset');
  // A zip64 locator just before the end record points at the 64-bit end record.
  if (end >= 20 && r.view.getUint32(end - 20, true) === SIG_LOCATOR64) {
    const at = r.u64(end - 12, 'zip64 end record offset');
    if (r.u32(at, 'zip64 end record') !== SIG_END64) fail('the zip archive is corrupt (bad zip64 end record)');
    count = r.u64(at + 32, 'zip64 entry count');
    cdSize = r.u64(at + 40, 'zip64 directory size');
    cdOffset = r.u64(at + 48, 'zip64 directory offset');
  }
  r.need(cdOffset, cdSize, 'central directory');
  if (count > cdSize / 46) fail(`the zip archive is corrupt (${count} entries cannot fit a ${cdSize}-byte directory)`);
  const entries = new Map();
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (r.u32(at, 'central directory entry') !== SIG_CENTRAL) fail(`the zip archive is corrupt (central directory entry ${i} has a bad signature)`);
    const flags = r.u16(at + 8, 'flags');
    const method = r.u16(at + 10, 'method');
    const crc = r.u32(at + 16, 'crc');
    let csize = r.u32(at + 20, 'size');
    let usize = r.u32(at + 24, 'size');
    const nameLen = r.u16(at + 28, 'name length');
    const extraLen = r.u16(at + 30, 'extra length');
    const commentLen = r.u16(at + 32, 'comment length');
    let local = r.u32(at + 42, 'local header offset');
    r.need(at + 46, nameLen + extraLen + commentLen, 'central directory entry');
    const name = utf8.decode(bytes.subarray(at + 46, at + 46 + nameLen));
    // zip64 extra field: the 64-bit values of the fields saturated at 0xffffffff, in order.
    for (let e = at + 46 + nameLen, eEnd = e + extraLen; e + 4 <= eEnd;) {
      const id = r.u16(e, 'extra field'), size = r.u16(e + 2, 'extra field');
      if (e + 4 + size > eEnd) fail(`the zip archive is corrupt (extra field of '${name}' runs past its entry)`);
      if (id === 1) {
        let p = e + 4;
        const next = (what) => {
          if (p + 8 > e + 4 + size) fail(`the zip archive is corrupt (short zip64 field in '${name}')`);
          const v = r.u64(p, what);
          p += 8;
          return v;
        };
        if (usize === 0xffffffff) usize = next('zip64 size');
        if (csize === 0xffffffff) csize = next('zip64 size');
        if (local === 0xffffffff) local = next('zip64 offset');
      }
      e += 4 + size;
    }
    at += 46 + nameLen + extraLen + commentLen;
    if (flags & 1) fail(`zip entry '${name}' is encrypted`);
    if (method !== 0 && method !== 8) fail(`zip entry '${name}' uses compression method ${method}; only stored (0) and deflate (8) are supported`);
    if (method === 0 && csize !== usize) fail(`the zip archive is corrupt (stored entry '${name}' has sizes ${csize} != ${usize})`);
    if (entries.has(name)) fail(`the zip archive is corrupt (entry '${name}' appears twice)`);
    if (r.u32(local, `local header of '${name}'`) !== SIG_LOCAL) fail(`the zip archive is corrupt (the local header of '${name}' is missing)`);
    const start = local + 30 + r.u16(local + 26, 'name length') + r.u16(local + 28, 'extra length');
    r.need(start, csize, `data of '${name}'`);
    entries.set(name, { name, method, crc, csize, usize, start, checked: null });
  }
  return {
    names: [...entries.keys()],
    has: (name) => entries.has(name),
    read(name) {
      const e = entries.get(name);
      if (!e) fail(`the archive has no entry '${name}'`);
      if (e.checked) return e.checked;
      const raw = bytes.subarray(e.start, e.start + e.csize);
      const data = e.method === 0 ? raw : inflateRaw(raw, e.usize, name);
      if (crc32(data) !== e.crc) fail(`zip entry '${name}' is corrupt (CRC-32 mismatch)`);
      return (e.checked = data);
    },
  };
}

/**
 * Writes stored (uncompressed) entries, each data block starting at a multiple of `align`
 * bytes (PyTorch aligns to 64 so that readers may map tensors in place), padded with an
 * extra field as PyTorch's writer does. files: [{name, data: Uint8Array}]. `deflate`
 * (bytes -> raw DEFLATE bytes, e.g. node:zlib's deflateRawSync) writes deflated entries
 * instead; the tests use it to check the reader, torch.save never does.
 */
export function writeZip(files, align = 64, deflate = null) {
  const enc = new TextEncoder();
  const parts = [];
  const central = [];
  let offset = 0;
  const push = (chunk) => { parts.push(chunk); offset += chunk.length; };
  for (const { name, data: plain } of files) {
    const nameBytes = enc.encode(name);
    const crc = crc32(plain);
    const data = deflate ? new Uint8Array(deflate(plain)) : plain;
    const method = deflate ? 8 : 0;
    let dataStart = offset + 30 + nameBytes.length;
    let pad = 0;
    if (dataStart % align) {
      pad = (align - ((dataStart + 4) % align)) % align;
      dataStart += 4 + pad;
    }
    const extraLen = dataStart - (offset + 30 + nameBytes.length);
    const header = new Uint8Array(30 + nameBytes.length + extraLen);
    const h = new DataView(header.buffer);
    h.setUint32(0, SIG_LOCAL, true);
    h.setUint16(4, 20, true);            // version needed: 2.0
    h.setUint16(6, 0x0800, true);        // names are UTF-8
    h.setUint16(8, method, true);
    h.setUint16(10, 0, true);            // time 00:00
    h.setUint16(12, 0x21, true);         // date 1980-01-01: fixed, so output is reproducible
    h.setUint32(14, crc, true);
    h.setUint32(18, data.length, true);
    h.setUint32(22, plain.length, true);
    h.setUint16(26, nameBytes.length, true);
    h.setUint16(28, extraLen, true);
    header.set(nameBytes, 30);
    if (extraLen) {
      h.setUint16(30 + nameBytes.length, 0x4246, true); // 'FB', PyTorch's padding field id
      h.setUint16(32 + nameBytes.length, pad, true);
      header.fill(0x5a, 34 + nameBytes.length);          // 'Z'
    }
    central.push({ nameBytes, crc, method, csize: data.length, size: plain.length, local: offset });
    push(header);
    push(data);
    if (offset > 0xffffffff) throw new RangeError('save: the archive would exceed 4 GiB, which the zip writer does not support');
  }
  const cdOffset = offset;
  for (const { nameBytes, crc, method, csize, size, local } of central) {
    const entry = new Uint8Array(46 + nameBytes.length);
    const c = new DataView(entry.buffer);
    c.setUint32(0, SIG_CENTRAL, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(8, 0x0800, true);
    c.setUint16(10, method, true);
    c.setUint16(12, 0, true);
    c.setUint16(14, 0x21, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, csize, true);
    c.setUint32(24, size, true);
    c.setUint16(28, nameBytes.length, true);
    c.setUint32(42, local, true);
    entry.set(nameBytes, 46);
    push(entry);
  }
  const cdSize = offset - cdOffset;
  const count = central.length;
  if (count > 0xffff) {
    // zip64 end record + locator: only needed past 65535 entries.
    const z = new Uint8Array(56 + 20);
    const d = new DataView(z.buffer);
    d.setUint32(0, SIG_END64, true);
    d.setBigUint64(4, 44n, true);
    d.setUint16(12, 45, true);
    d.setUint16(14, 45, true);
    d.setBigUint64(24, BigInt(count), true);
    d.setBigUint64(32, BigInt(count), true);
    d.setBigUint64(40, BigInt(cdSize), true);
    d.setBigUint64(48, BigInt(cdOffset), true);
    d.setUint32(56, SIG_LOCATOR64, true);
    d.setBigUint64(64, BigInt(offset), true);
    d.setUint32(72, 1, true);
    push(z);
  }
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, SIG_END, true);
  e.setUint16(8, Math.min(count, 0xffff), true);
  e.setUint16(10, Math.min(count, 0xffff), true);
  e.setUint32(12, cdSize, true);
  e.setUint32(16, cdOffset, true);
  push(end);
  const out = new Uint8Array(offset);
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}
