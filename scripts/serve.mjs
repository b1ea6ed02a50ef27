// A tiny static file server for build/web: used by scripts/play and by the
// browser tests (tests/browser/harness.mjs). Node's standard library only.
//
//   node scripts/serve.mjs [--root DIR] [--host 127.0.0.1] [--port 8000]
//
// Serves .wasm as application/wasm (needed for streaming compilation) and
// .mjs/.js as JavaScript (needed for module scripts). Port 0 picks a free port.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

export function contentType(file) {
  return MIME[path.extname(file).toLowerCase()] ?? "application/octet-stream";
}

// Resolves once listening; returns { server, url, port, close() }.
export async function startServer({ root, host = "127.0.0.1", port = 0, log = false } = {}) {
  const base = path.resolve(root);
  const server = createServer(async (req, res) => {
    let status = 200;
    try {
      const pathname = decodeURIComponent(new URL(req.url, "http://x").pathname);
      let file = path.join(base, pathname);
      if (file !== base && !file.startsWith(base + path.sep)) {
        status = 403;
      } else {
        let info = await stat(file).catch(() => null);
        if (info?.isDirectory()) {
          file = path.join(file, "index.html");
          info = await stat(file).catch(() => null);
        }
        if (!info?.isFile()) {
          status = 404;
        } else {
          res.writeHead(200, {
            "Content-Type": contentType(file),
            "Content-Length": info.size,
            "Cache-Control": "no-cache",
          });
          if (req.method === "HEAD") res.end();
          else createReadStream(file).pipe(res);
        }
      }
    } catch {
      status = 400;
    }
    if (status !== 200) {
      res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
      res.end(`${status}\n`);
    }
    if (log) console.log(`${status} ${req.method} ${req.url}`);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const actual = server.address().port;
  return {
    server,
    port: actual,
    url: `http://${host}:${actual}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// Command line.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
  };
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = option("--root", path.join(here, "..", "build", "web"));
  const host = option("--host", "127.0.0.1");
  const port = Number(option("--port", process.env.PORT ?? "8000"));
  try {
    const { url } = await startServer({ root, host, port, log: args.includes("--log") });
    console.log(`Serving ${path.resolve(root)} at ${url}  (Ctrl+C to stop)`);
  } catch (error) {
    console.error(`serve: ${error.message}`);
    process.exit(1);
  }
}
