// Linked with --extern-pre-js: runs once, at the top of mantissa.mjs, outside
// the module factory.
//
// Why: Emscripten 3.1.6's Node code paths (-sENVIRONMENT=...,node) were
// written for CommonJS output. They call require('fs') / require('path') and
// read __dirname, none of which exist inside an ES module, so under Node the
// .mjs died before it could read mantissa.wasm. Node's documented bridge for
// ES modules is module.createRequire(import.meta.url) plus
// url.fileURLToPath(import.meta.url) for the file's own path; later
// Emscripten releases emit the same bridge themselves for EXPORT_ES6 + node.
// Everything else (finding, reading and instantiating the wasm) stays
// Emscripten's own code.
//
// In a page or a Web Worker `process` is not Node's, the import never runs,
// and the three names are undefined, which those code paths never read.
// Deno 2 has Node's `process` and `node:` modules, so it takes the Node path.
const mantissaOnNode = typeof process == "object" && typeof process.versions == "object" &&
  typeof process.versions.node == "string";
const require = mantissaOnNode ? (await import("node:module")).createRequire(import.meta.url) : undefined;
const __filename = mantissaOnNode ? require("node:url").fileURLToPath(import.meta.url) : undefined;
const __dirname = mantissaOnNode ? require("node:path").dirname(__filename) : undefined;
