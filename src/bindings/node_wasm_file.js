// Linked with --pre-js: runs inside the module factory, before the wasm is
// looked for. Under Node (and Deno), Emscripten 3.1.6's own reader reads
// mantissa.wasm with fs; two things stood in its way:
//
// - Its loader calls fetch(wasm) whenever a global fetch exists, and Node 18+
//   has one that cannot fetch files ("fetch failed ... not implemented"), so
//   the load failed before the reader was asked. Later Emscripten releases
//   skip fetch under Node; here the factory's own `fetch` is hidden under Node
//   (this var shadows the global for the factory's code only) and is the
//   global fetch everywhere else.
// - With EXPORT_ES6 it names the wasm new URL("mantissa.wasm", import.meta.url),
//   a file: URL that its reader (path.normalize + fs.readFileSync) cannot
//   open. When Module.locateFile is set, the same preamble asks it instead,
//   with the directory computed from __dirname (node_module_scope.js): a
//   plain path. A caller's own locateFile still wins.
//
// `mantissaOnNode` comes from node_module_scope.js (--extern-pre-js): this
// code runs before Emscripten's own ENVIRONMENT_IS_NODE is set.
var fetch = mantissaOnNode ? undefined : globalThis.fetch;
if (mantissaOnNode && !Module["locateFile"]) {
  Module["locateFile"] = function (path, scriptDirectory) {
    return scriptDirectory + path;
  };
}
