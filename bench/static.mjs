// The benchmark's static server: serves dist/ the way a deployment does, each file
// compressed once (brotli, when the browser accepts it) rather than on every request.
// `serve`, which the end-to-end tests use, brotli-compresses the 2.9 MB wasm anew for
// each request: 100-700 ms before its first byte on this machine, a cost no static host
// or CDN charges a visitor. Unknown paths answer index.html (the app routes on the
// client), files carry an ETag and answer 304 when it matches, as `serve` does.
//
//   node bench/static.mjs --dir dist --port 4180
import { createServer } from 'node:http';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, extname, relative } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { createHash } from 'node:crypto';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const dir = option('dir', 'dist');
const port = Number(option('port', '4180'));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.wasm', '.css', '.json', '.webmanifest', '.svg']);

function walk(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

// Every file read and compressed once, at start (as a build step or a CDN would).
const files = new Map();
for (const path of walk(dir)) {
  const body = readFileSync(path);
  const ext = extname(path);
  const brotli = COMPRESSIBLE.has(ext)
    ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
    : null;
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  files.set(`/${relative(dir, path).split('\\').join('/')}`, { body, brotli, etag, type: TYPES[ext] ?? 'application/octet-stream' });
}

createServer((request, response) => {
  const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
  const file = files.get(path) ?? files.get('/index.html');
  if (!file) {
    response.writeHead(404).end();
    return;
  }
  const headers = { 'Content-Type': file.type, ETag: file.etag, 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding' };
  if (request.headers['if-none-match'] === file.etag) {
    response.writeHead(304, headers).end();
    return;
  }
  const br = file.brotli && /\bbr\b/.test(request.headers['accept-encoding'] ?? '');
  const body = br ? file.brotli : file.body;
  if (br) headers['Content-Encoding'] = 'br';
  headers['Content-Length'] = body.length;
  response.writeHead(200, headers);
  response.end(request.method === 'HEAD' ? undefined : body);
}).listen(port, '127.0.0.1', () => console.log(`serving ${dir} on http://127.0.0.1:${port} (${files.size} files, precompressed)`));
