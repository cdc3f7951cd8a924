// datasets/bytes.js: getting bytes for the readers — from bytes the caller has, a file
// path (Node), or a URL (fetch, Node >= 18 and browsers) — and gunzipping them: Node's
// zlib in Node, the standard DecompressionStream('gzip') elsewhere. Node modules are
// imported dynamically with computed specifiers so that bundlers targeting browsers
// neither resolve nor bundle them.
// Not here: parsing (idx.js, csv.js).

export const inNode = typeof process !== 'undefined' && !!process.versions?.node;

/** import('node:<name>') hidden from bundlers. */
export function nodeImport(name) {
  const specifier = `node:${name}`;
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}

/** Uint8Array over bytes given as Uint8Array, Buffer, other typed array, ArrayBuffer or DataView. */
export function toBytes(call, data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer))
    return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const got = data === null ? 'null' : data === undefined ? 'undefined' : data.constructor?.name ?? typeof data;
  throw new TypeError(`${call}: expected bytes (a Uint8Array, Buffer or ArrayBuffer), got ${got}`);
}

export const isGzip = (bytes) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** Inflates gzip bytes; rejects with a clear Error on corrupt or truncated input. */
export async function gunzip(call, bytes) {
  try {
    if (inNode) {
      const zlib = await nodeImport('zlib');
      const out = zlib.gunzipSync(bytes);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
    if (typeof DecompressionStream === 'undefined') throw new Error('this environment has no DecompressionStream');
    const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
    const chunks = [];
    let length = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
    }
    const out = new Uint8Array(length);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  } catch (error) {
    throw new Error(`${call}: could not decompress the gzip data (${error.message})`);
  }
}

const isUrl = (s) => /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s); // not a Windows drive

/**
 * Reads one resource: a URL object or string (http:, https:, data:, blob:, file:) or, in
 * Node, a file path. Resolves to a Uint8Array, or null when it does not exist (a missing
 * file, HTTP 404) so callers can try other names; other failures reject.
 */
export async function readResource(location) {
  const href = location instanceof URL ? location.href : String(location);
  if (inNode && (!isUrl(href) || href.startsWith('file:'))) {
    const [{ readFile }, { fileURLToPath }] = await Promise.all([nodeImport('fs/promises'), nodeImport('url')]);
    try {
      const buf = await readFile(href.startsWith('file:') ? fileURLToPath(href) : href);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (error) {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
      throw error;
    }
  }
  const response = await fetch(href);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText} for ${href}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** base joined with a file name: a URL when base is one, else a path. */
export function joinLocation(base, name) {
  if (base instanceof URL) return new URL(name, base.href.endsWith('/') ? base : new URL(`${base.href}/`));
  const s = String(base);
  if (isUrl(s)) return new URL(name, s.endsWith('/') ? s : `${s}/`);
  if (!inNode && typeof location !== 'undefined') return new URL(name, new URL(s.endsWith('/') ? s : `${s}/`, location.href));
  return s.endsWith('/') || s.endsWith('\\') ? s + name : `${s}/${name}`;
}
