// serve.mjs: `npm start` — the static server for the tutorial page. It builds dist/ first
// when dist/ is missing or older than src/js or the C sources, then serves:
//   /          -> web/                    (the page, its worker, translations, embed.js)
//   /dist/     -> dist/                   (the kindling package, as npm ships it)
//   /data/     -> data/                   (bundled MNIST / Fashion-MNIST, gzipped IDX)
//   /vendor/uplot/ -> node_modules/uplot/dist/ (the one charting library)
// The page refers to these only by relative URLs (./dist/, ./data/, ./vendor/), so copying
// web/ with those three folders beside it gives a static site any host can serve.
// Every file may be used by a page on another origin (crossOriginHeaders: a course page's
// <script src=".../embed.js">, its iframe). It is not a production server: no dependencies,
// no logging beyond errors, GET/HEAD only.
//   node scripts/serve.mjs [--host 127.0.0.1] [--port 8080] [--no-build]   (PORT env works too;
//   --port 0 picks a free port). The first line printed is the URL.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));

// --- arguments --------------------------------------------------------------------------
function parseArgs(argv) {
  const options = { host: '127.0.0.1', port: Number(process.env.PORT ?? 8080), build: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const eq = arg.indexOf('=');
      if (eq >= 0) return arg.slice(eq + 1);
      if (i + 1 >= argv.length) throw new Error(`serve.mjs: ${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--no-build') options.build = false;
    else if (arg.startsWith('--host')) options.host = value();
    else if (arg.startsWith('--port')) options.port = Number(value());
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: node scripts/serve.mjs [--host 127.0.0.1] [--port 8080] [--no-build]');
      process.exit(0);
    } else throw new Error(`serve.mjs: unknown argument ${arg}`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
    throw new Error(`serve.mjs: invalid port ${options.port}`);
  return options;
}

// --- build dist/ when stale (as scripts/start.mjs did) ------------------------------------
function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return t;
}

function buildIfStale() {
  const built = join(root, 'dist/index.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newest(join(root, 'src'))) return;
  console.log('serve.mjs: building dist/ with ./build.sh wasm');
  execFileSync(join(root, 'build.sh'), ['wasm'], { stdio: 'inherit' });
}

// --- files ------------------------------------------------------------------------------
// Longest prefix first. Every served file must resolve inside one of these folders.
const ROOTS = [
  ['/vendor/uplot/', join(root, 'node_modules/uplot/dist')],
  ['/dist/', join(root, 'dist')],
  ['/data/', join(root, 'data')],
  ['/', join(root, 'web')],
];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  // The page decompresses gzipped IDX itself (DecompressionStream): no Content-Encoding.
  '.gz': 'application/octet-stream',
  '.idx': 'application/octet-stream',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg', '.md', '.txt', '.ts']);

/** Maps a request path to a file inside an allowed root, or returns null. */
export function resolvePath(urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\') || !path.startsWith('/')) return null;
  // Any '..' or '.' segment is refused outright rather than normalised away.
  if (path.split('/').some((part) => part === '..' || part === '.')) return null;
  for (const [prefix, dir] of ROOTS) {
    if (!path.startsWith(prefix)) continue;
    const base = resolve(dir);
    const file = resolve(base, '.' + path.slice(prefix.length - 1));
    if (file !== base && !file.startsWith(base + sep)) return null;
    return { file, base };
  }
  return null;
}

/**
 * Headers for embedding across origins, sent with every file: a course page elsewhere may
 * load embed.js with <script type="module"> (a CORS request: Access-Control-Allow-Origin),
 * import dist/ or fetch data/ itself, and frame the page even when it is cross-origin
 * isolated itself (Cross-Origin-Resource-Policy). The files are public; no credentials.
 */
export function crossOriginHeaders() {
  return { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };
}

const gzipCache = new Map(); // file -> {mtimeMs, body}

function send(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed\n');
  }
  const urlPath = (req.url || '/').split('?')[0].split('#')[0];
  const target = resolvePath(urlPath);
  if (!target) return send(res, 403, 'forbidden\n');
  let file = target.file;
  let stat;
  try {
    stat = statSync(file);
    if (stat.isDirectory()) {
      if (!urlPath.endsWith('/')) {
        res.writeHead(301, { Location: urlPath + '/' });
        return res.end();
      }
      file = join(file, 'index.html');
      stat = statSync(file);
    }
    // A symlink must not lead out of its root either.
    const real = realpathSync(file);
    const realBase = realpathSync(target.base);
    if (real !== realBase && !real.startsWith(realBase + sep)) return send(res, 403, 'forbidden\n');
  } catch {
    return send(res, 404, 'not found\n');
  }
  if (!stat.isFile()) return send(res, 404, 'not found\n');

  const ext = extname(file).toLowerCase();
  const headers = {
    'Content-Type': MIME[ext] ?? 'application/octet-stream',
    'Last-Modified': stat.mtime.toUTCString(),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    ...crossOriginHeaders(),
  };
  const since = req.headers['if-modified-since'];
  if (since && Math.floor(stat.mtimeMs / 1000) <= Math.floor(Date.parse(since) / 1000)) {
    res.writeHead(304, headers);
    return res.end();
  }
  if (COMPRESSIBLE.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
    let cached = gzipCache.get(file);
    if (!cached || cached.mtimeMs !== stat.mtimeMs) {
      const body = gzipSync(readFileSync(file), { level: 6 });
      gzipCache.set(file, (cached = { mtimeMs: stat.mtimeMs, body }));
    }
    res.writeHead(200, { ...headers, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding', 'Content-Length': cached.body.length });
    return res.end(req.method === 'HEAD' ? undefined : cached.body);
  }
  res.writeHead(200, { ...headers, 'Content-Length': stat.size });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

// --- main -------------------------------------------------------------------------------
const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
  if (options.build) buildIfStale();
  if (!existsSync(join(root, 'data'))) console.warn('serve.mjs: data/ is missing; the page cannot load MNIST');
  const server = createServer(handle);
  server.on('error', (error) => {
    console.error(`serve.mjs: ${error.message}`);
    process.exit(1);
  });
  server.listen(options.port, options.host, () => {
    const { port } = server.address();
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    console.log(`kindling tutorial: http://${host}:${port}/`);
  });
  // Keep-alive connections would hold close() open: end them too.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { server.close(() => process.exit(0)); server.closeAllConnections(); });
}
