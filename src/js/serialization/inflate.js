// serialization/inflate.js: raw DEFLATE decoding (RFC 1951) for zip entries that were
// re-compressed by a zip tool (PyTorch itself writes stored entries). Synchronous and the
// same in Node and browsers. Output is bounded by the size the zip directory declares, so
// a corrupt or hostile stream fails with an Error instead of growing without limit.
// Not here: compression (the writer stores), zlib/gzip wrappers. Decoding follows the
// canonical-Huffman method of zlib's contrib/puff.
import { FormatError } from './common.js';

const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
  4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Canonical Huffman code from code lengths: counts per length and symbols in code order. */
function huffman(lengths, bad) {
  const counts = new Uint16Array(16);
  for (const len of lengths) counts[len]++;
  counts[0] = 0;
  let left = 1;
  for (let len = 1; len < 16; len++) {
    left = left * 2 - counts[len];
    if (left < 0) bad('over-subscribed Huffman code');
  }
  const offs = new Uint16Array(16);
  for (let len = 1; len < 15; len++) offs[len + 1] = offs[len] + counts[len];
  const symbols = new Uint16Array(lengths.length);
  lengths.forEach((len, sym) => { if (len) symbols[offs[len]++] = sym; });
  return { counts, symbols };
}

let FIXED = null;
function fixedCodes(bad) {
  if (!FIXED) {
    const lit = new Uint8Array(288);
    lit.fill(8, 0, 144); lit.fill(9, 144, 256); lit.fill(7, 256, 280); lit.fill(8, 280, 288);
    FIXED = [huffman(lit, bad), huffman(new Uint8Array(30).fill(5), bad)];
  }
  return FIXED;
}

/** Inflates `src` into exactly `size` bytes; anything else is a FormatError naming `name`. */
export function inflateRaw(src, size, name) {
  const bad = (why) => { throw new FormatError(`load: zip entry '${name}' is corrupt (deflate: ${why})`); };
  const out = new Uint8Array(size);
  let pos = 0, bitbuf = 0, bitcnt = 0, n = 0;
  const bits = (need) => {
    while (bitcnt < need) {
      if (pos >= src.length) bad('the stream ends early');
      bitbuf |= src[pos++] << bitcnt;
      bitcnt += 8;
    }
    const v = bitbuf & ((1 << need) - 1);
    bitbuf >>>= need;
    bitcnt -= need;
    return v;
  };
  const decode = ({ counts, symbols }) => {
    let code = 0, first = 0, index = 0;
    for (let len = 1; len < 16; len++) {
      code |= bits(1);
      const count = counts[len];
      if (code - count < first) return symbols[index + (code - first)];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    return bad('invalid Huffman code');
  };
  const codes = (lit, dist) => {
    for (;;) {
      let sym = decode(lit);
      if (sym < 256) {
        if (n >= size) bad(`more data than the ${size} bytes declared`);
        out[n++] = sym;
      } else if (sym === 256) {
        return;
      } else {
        sym -= 257;
        if (sym >= 29) bad('invalid length symbol');
        const len = LEN_BASE[sym] + bits(LEN_EXTRA[sym]);
        const ds = decode(dist);
        if (ds >= 30) bad('invalid distance symbol');
        const d = DIST_BASE[ds] + bits(DIST_EXTRA[ds]);
        if (d > n) bad('distance too far back');
        if (n + len > size) bad(`more data than the ${size} bytes declared`);
        for (let i = 0; i < len; i++, n++) out[n] = out[n - d];
      }
    }
  };
  let last;
  do {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      bitbuf = 0;
      bitcnt = 0;
      if (pos + 4 > src.length) bad('the stream ends early');
      const len = src[pos] | (src[pos + 1] << 8);
      const nlen = src[pos + 2] | (src[pos + 3] << 8);
      pos += 4;
      if (len !== (~nlen & 0xffff)) bad('stored block length check failed');
      if (pos + len > src.length) bad('the stream ends early');
      if (n + len > size) bad(`more data than the ${size} bytes declared`);
      out.set(src.subarray(pos, pos + len), n);
      pos += len;
      n += len;
    } else if (type === 1) {
      const [lit, dist] = fixedCodes(bad);
      codes(lit, dist);
    } else if (type === 2) {
      const nlen = bits(5) + 257, ndist = bits(5) + 1, ncode = bits(4) + 4;
      if (nlen > 286 || ndist > 30) bad('bad code counts');
      const cl = new Uint8Array(19);
      for (let i = 0; i < ncode; i++) cl[CL_ORDER[i]] = bits(3);
      const clCode = huffman(cl, bad);
      const lengths = new Uint8Array(nlen + ndist);
      for (let i = 0; i < nlen + ndist;) {
        const sym = decode(clCode);
        if (sym < 16) { lengths[i++] = sym; continue; }
        let value = 0, repeat;
        if (sym === 16) {
          if (i === 0) bad('repeat with no previous length');
          value = lengths[i - 1];
          repeat = 3 + bits(2);
        } else if (sym === 17) repeat = 3 + bits(3);
        else repeat = 11 + bits(7);
        if (i + repeat > nlen + ndist) bad('too many code lengths');
        lengths.fill(value, i, i + repeat);
        i += repeat;
      }
      if (lengths[256] === 0) bad('no end-of-block code');
      codes(huffman(lengths.subarray(0, nlen), bad), huffman(lengths.subarray(nlen), bad));
    } else {
      bad('invalid block type 3');
    }
  } while (!last);
  if (n !== size) bad(`${n} bytes where the zip directory declares ${size}`);
  return out;
}
