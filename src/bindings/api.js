// The documented JavaScript API (see mantissa.d.ts and the README), on top
// of the raw Embind functions of bindings.cpp. Linked with --post-js, so it
// runs inside the module factory where `Module` is the instance.
//
// Options become the CLI's own flags (--round, --seed, ...), parsed by the
// CLI's parser in C++: the same names, the same checks, the same messages.
// Errors are thrown as Error with the CLI's sentence (without "mantissa: ").

(function () {
  "use strict";

  function unwrap(text) {
    if (text.charCodeAt(0) === 33 /* "!" */) throw new Error(text.slice(1));
    return JSON.parse(text);
  }

  function checkOptions(what, options, allowed) {
    if (options === undefined || options === null) return {};
    if (typeof options !== "object") throw new TypeError(what + ": options must be an object");
    for (var key in options) {
      if (Object.prototype.hasOwnProperty.call(options, key) && allowed.indexOf(key) < 0) {
        throw new Error(what + ": unknown option '" + key + "' (known: " + allowed.join(", ") + ")");
      }
    }
    return options;
  }

  // A value as the CLI reads it: strings as typed (exact decimals), numbers as
  // their exact double value, bigints as integers.
  function valueText(value, what) {
    if (typeof value === "string") return value;
    if (typeof value === "number") return Module["raw_double_hex"](value);
    if (typeof value === "bigint") return value.toString();
    throw new TypeError(what + ": value must be a string or a number");
  }

  function text(x) {
    return typeof x === "string" ? x : String(x);
  }

  function pushRounding(flags, options) {
    if (options.round !== undefined) flags.push("--round", text(options.round));
    if (options.seed !== undefined) flags.push("--seed", text(options.seed));
    if (options.saturate) flags.push("--saturate");
    if (options.ftz) flags.push("--ftz");
  }

  // convert(value, format, {from, via, round, seed, saturate, ftz})
  Module["convert"] = function (value, format, options) {
    options = checkOptions("convert", options, ["from", "via", "round", "seed", "saturate", "ftz"]);
    var flags = ["convert", valueText(value, "convert"), "--to", text(format)];
    if (options.from !== undefined) flags.push("--from", text(options.from));
    if (options.via !== undefined) flags.push("--via", text(options.via));
    pushRounding(flags, options);
    return unwrap(Module["raw_convert"](flags.join("\0")));
  };

  // decode(bits, format): what a bit pattern means (the convert report of the
  // pattern into its own format: exact, so nothing is rounded).
  Module["decode"] = function (bits, format) {
    var pattern;
    if (typeof bits === "number" || typeof bits === "bigint") {
      if (typeof bits === "number" && !(Number.isInteger(bits) && bits >= 0)) {
        throw new Error("decode: bits must be a non-negative integer, not " + bits);
      }
      pattern = "0x" + bits.toString(16);
    } else if (typeof bits === "string") {
      pattern = bits;
    } else {
      throw new TypeError("decode: bits must be a number, a bigint or a string (0x3c00, 0b...)");
    }
    var flags = ["convert", pattern, "--to", text(format), "--from", text(format)];
    return unwrap(Module["raw_convert"](flags.join("\0")));
  };

  // explain(op, a, b, {c, format = "fp16", aFormat, bFormat, cFormat, round, seed, saturate, ftz})
  Module["explain"] = function (op, a, b, options) {
    options = checkOptions("explain", options,
                           ["c", "format", "aFormat", "bFormat", "cFormat", "round", "seed", "saturate", "ftz"]);
    var flags = ["explain", text(op), valueText(a, "explain"), valueText(b, "explain")];
    if (options.c !== undefined) flags.push(valueText(options.c, "explain"));
    flags.push("--format", options.format === undefined ? "fp16" : text(options.format));
    if (options.aFormat !== undefined) flags.push("--a-format", text(options.aFormat));
    if (options.bFormat !== undefined) flags.push("--b-format", text(options.bFormat));
    if (options.cFormat !== undefined) flags.push("--c-format", text(options.cFormat));
    pushRounding(flags, options);
    return unwrap(Module["raw_explain"](flags.join("\0")));
  };

  // simulate({steps, inc | grad + lr, w0, seed, strategies, gradFormat,
  //           lossScale, population, init, reference, trajectory})
  var SIMULATE_FLAGS = {
    w0: "--w0", inc: "--inc", grad: "--grad", lr: "--lr", seed: "--seed", steps: "--steps",
    strategies: "--strategies", gradFormat: "--grad-format", lossScale: "--loss-scale",
    population: "--population", init: "--init", reference: "--reference",
  };
  Module["simulate"] = function (options) {
    options = checkOptions("simulate", options, Object.keys(SIMULATE_FLAGS).concat(["trajectory"]));
    var flags = ["simulate"];
    Object.keys(SIMULATE_FLAGS).forEach(function (key) {
      var v = options[key];
      if (v === undefined || v === null) return;
      if (Array.isArray(v)) v = v.map(function (x) { return valueText(x, "simulate"); }).join(",");
      else if (key === "w0" || key === "inc" || key === "lr") v = valueText(v, "simulate");
      flags.push(SIMULATE_FLAGS[key], text(v));
    });
    if (options.trajectory) flags.push("--trajectory");
    return unwrap(Module["raw_simulate"](flags.join("\0")));
  };

  // One operand of dot(): an array (or typed array) of values, each one value
  // as valueText reads it, joined into the CLI's --a/--b list. A string that
  // holds a separator would silently become several values: refused.
  function operandList(values, name) {
    var isView = ArrayBuffer.isView(values) && !(values instanceof DataView);
    if (!Array.isArray(values) && !isView) {
      throw new TypeError("dot: " + name + " must be an array of values (numbers or strings)");
    }
    var items = [];
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      var t = valueText(v, "dot");
      if (typeof v === "string" && (t === "" || /[\s,;]/.test(t))) {
        throw new Error("dot: " + name + "[" + i + "] '" + t.slice(0, 40) + "' is not one value");
      }
      items.push(t);
    }
    return items.join(",");
  }

  // dot(a, b, {in, acc, c}): the CLI's `dot --json`.
  Module["dot"] = function (a, b, options) {
    options = checkOptions("dot", options, ["in", "acc", "c"]);
    var flags = ["dot", "--a", operandList(a, "a"), "--b", operandList(b, "b")];
    if (options.in !== undefined) flags.push("--in", text(options.in));
    if (options.acc !== undefined) flags.push("--acc", text(options.acc));
    if (options.c !== undefined) flags.push("--c", valueText(options.c, "dot"));
    return unwrap(Module["raw_dot"](flags.join("\0")));
  };

  // gemmError({k, in, dist, acc, trials, seed}): the CLI's `gemm-error --json`.
  // Lists are joined with ";" for --acc (names such as tc:fma=8,neab=1 hold commas).
  Module["gemmError"] = function (options) {
    options = checkOptions("gemmError", options, ["k", "in", "dist", "acc", "trials", "seed"]);
    var flags = ["gemm-error"];
    if (options.k !== undefined) flags.push("--k", Array.isArray(options.k) ? options.k.map(text).join(",") : text(options.k));
    if (options.in !== undefined) flags.push("--in", text(options.in));
    if (options.dist !== undefined) flags.push("--dist", text(options.dist));
    if (options.acc !== undefined) flags.push("--acc", Array.isArray(options.acc) ? options.acc.map(text).join(";") : text(options.acc));
    if (options.trials !== undefined) flags.push("--trials", text(options.trials));
    if (options.seed !== undefined) flags.push("--seed", text(options.seed));
    return unwrap(Module["raw_gemm_error"](flags.join("\0")));
  };

  // train({data, dataSeed, model, optimizer, recipes, epochs, batch, seed,
  // trainSubset, lossWeight}, onProgress): the CLI's `train --json`, the same bits. Runs
  // in chunks of `chunk` steps (default 10); onProgress(fraction done, 0..1)
  // is called after each. Synchronous: run it in a Worker to keep a page live.
  var TRAIN_FLAGS = { data: "--data", dataSeed: "--data-seed", model: "--model", optimizer: "--optimizer",
    recipes: "--recipes", epochs: "--epochs", batch: "--batch", seed: "--seed", trainSubset: "--train-subset",
    lossWeight: "--loss-weight" };
  Module["train"] = function (options, onProgress) {
    options = checkOptions("train", options, Object.keys(TRAIN_FLAGS).concat(["chunk"]));
    if (onProgress !== undefined && typeof onProgress !== "function") throw new TypeError("train: onProgress must be a function");
    var flags = ["train"];
    Object.keys(TRAIN_FLAGS).forEach(function (key) {
      var v = options[key];
      if (v === undefined) return;
      // Recipes join with ";" (a custom recipe's accumulator may hold commas).
      // model arrays join with "-" (64-32-10).
      flags.push(TRAIN_FLAGS[key], Array.isArray(v) ? v.map(text).join(key === "recipes" ? ";" : key === "model" ? "-" : ",") : text(v));
    });
    var chunk = options.chunk === undefined ? 10 : Number(options.chunk);
    if (!(chunk >= 1)) throw new Error("train: chunk must be at least 1");
    var begun = Module["raw_train_begin"](flags.join("\0"));
    if (begun !== "") unwrap(begun);
    try {
      for (;;) {
        var progress = Module["raw_train_step"](chunk);
        if (onProgress) onProgress(progress);
        if (progress >= 1) break;
      }
    } catch (e) {
      Module["raw_train_end"]();
      throw e;
    }
    return unwrap(Module["raw_train_end"]());
  };

  // Scenario objects use scenario.h's member names: {panel: "add",
  // addition: {a: "1.5", a_format: "fp16"}, training: {strategies: [...]}}.
  Module["decodeScenario"] = function (hash) {
    return JSON.parse(Module["raw_decode_scenario"](text(hash)));
  };

  Module["encodeScenario"] = function (scenario, options) {
    options = checkOptions("encodeScenario", options, ["activePanelOnly"]);
    if (typeof scenario !== "object" || scenario === null) throw new TypeError("encodeScenario: scenario must be an object");
    var parts = [];
    function add(key, value) {
      parts.push(encodeURIComponent(key) + "=" + encodeURIComponent(value));
    }
    Object.keys(scenario).forEach(function (part) {
      var v = scenario[part];
      if (part === "panel") return add("panel", text(v));
      if (typeof v !== "object" || v === null || Array.isArray(v)) {
        throw new Error("encodeScenario: '" + part + "' must be an object of a panel's inputs");
      }
      Object.keys(v).forEach(function (member) {
        var x = v[member];
        if (Array.isArray(x)) x = x.map(text).join(";");
        add(part + "." + member, text(x));
      });
    });
    var hash = Module["raw_encode_scenario"](parts.join("&"), !!options.activePanelOnly);
    if (hash.charCodeAt(0) === 33) throw new Error(hash.slice(1));
    return hash;
  };

  // convertArray(float32Array, format, {round: "rne" | "stochastic", seed,
  // counter, saturate}) -> Uint16Array (fp16, bf16) or Uint8Array (fp8).
  Module["convertArray"] = function (input, format, options) {
    options = checkOptions("convertArray", options, ["round", "seed", "counter", "saturate"]);
    if (!Module["raw_convert_array"]) throw new Error("convertArray: this build has no conversion kernels");
    if (!(input instanceof Float32Array)) throw new TypeError("convertArray: input must be a Float32Array");
    var round = options.round === undefined ? "rne" : text(options.round);
    var stochastic = round === "stochastic" || round === "sr";
    if (!stochastic && round !== "rne") throw new Error("convertArray rounds with rne or stochastic, not '" + round + "'");
    var name = text(format);
    var narrow = Module["raw_element_bytes"](name);  // 2, 1, or 0: not a kernel format
    if (!narrow) unwrap("!" + Module["raw_convert_array"](0, 0, 0, name, false, 0, 0, false));
    var n = input.length;
    var inPtr = Module["raw_alloc"](Math.max(4, n * 4));
    var outPtr = Module["raw_alloc"](Math.max(4, n * narrow));
    if (!inPtr || !outPtr) {
      if (inPtr) Module["raw_free"](inPtr);
      if (outPtr) Module["raw_free"](outPtr);
      throw new Error("convertArray: not enough memory for " + n + " elements");
    }
    try {
      HEAPF32.set(input, inPtr >>> 2);
      var error = Module["raw_convert_array"](inPtr, outPtr, n, name, stochastic,
                                              Number(options.seed || 0), Number(options.counter || 0), !!options.saturate);
      if (error) throw new Error(error);
      return narrow === 2 ? new Uint16Array(HEAPU16.subarray(outPtr >>> 1, (outPtr >>> 1) + n))
                          : new Uint8Array(HEAPU8.subarray(outPtr, outPtr + n));
    } finally {
      Module["raw_free"](inPtr);
      Module["raw_free"](outPtr);
    }
  };

  // Block quantization's options as the CLI's flags (--format, --scale-rule,
  // --block, --round, --seed, --pad zero).
  var QUANTIZE_OPTIONS = ["format", "scaleRule", "block", "round", "seed", "pad"];
  function quantizeFlags(options) {
    var flags = ["quantize"];
    if (options.format !== undefined) flags.push("--format", text(options.format));
    if (options.scaleRule !== undefined) flags.push("--scale-rule", text(options.scaleRule));
    if (options.block !== undefined) flags.push("--block", text(options.block));
    if (options.round !== undefined) flags.push("--round", text(options.round));
    if (options.seed !== undefined) flags.push("--seed", text(options.seed));
    // pad: true (or the CLI's word "zero") quantizes a short last block as if zero-padded.
    if (options.pad === true || options.pad === "zero") flags.push("--pad", "zero");
    else if (options.pad !== undefined && options.pad !== false) flags.push("--pad", text(options.pad));
    return flags;
  }

  // quantize(values, {format, scaleRule, block, round, seed, pad}): the CLI's
  // `quantize --values ... --json` report, key for key.
  Module["quantize"] = function (values, options) {
    options = checkOptions("quantize", options, QUANTIZE_OPTIONS);
    var isView = ArrayBuffer.isView(values) && !(values instanceof DataView);
    if (!Array.isArray(values) && !isView) {
      throw new TypeError("quantize: values must be an array of values (numbers or strings)");
    }
    var items = [];
    for (var i = 0; i < values.length; i++) {
      var t = valueText(values[i], "quantize");
      if (typeof values[i] === "string" && (t === "" || /[\s,;]/.test(t))) {
        throw new Error("quantize: values[" + i + "] '" + t.slice(0, 40) + "' is not one value");
      }
      items.push(t);
    }
    // An empty list is the core's "no values to quantize", not --values' "empty item".
    if (!items.length) throw new Error("no values to quantize");
    var flags = quantizeFlags(options).concat(["--values", items.join(",")]);
    return unwrap(Module["raw_quantize"](flags.join("\0")));
  };

  // Runs fn(pointers) with wasm buffers of the given byte sizes, always freed.
  function withBuffers(what, sizes, fn) {
    var ptrs = [];
    try {
      for (var i = 0; i < sizes.length; i++) {
        var p = Module["raw_alloc"](Math.max(4, sizes[i]));
        if (!p) throw new Error(what + ": not enough memory");
        ptrs.push(p);
      }
      return fn(ptrs);
    } finally {
      ptrs.forEach(function (p) { Module["raw_free"](p); });
    }
  }

  // The most values quantizeBlocks/dequantizeBlocks take (bindings.cpp says
  // why), checked here too so a huge length never reaches an allocation.
  var MAX_ARRAY_VALUES = 1 << 20;

  // quantizeBlocks(float32Array, {format, scaleRule, block, round, seed, pad})
  //   -> {scales, elements, dequantized, block, tensorScale?, tensorDecode?}
  Module["quantizeBlocks"] = function (input, options) {
    options = checkOptions("quantizeBlocks", options, QUANTIZE_OPTIONS);
    if (!(input instanceof Float32Array)) throw new TypeError("quantizeBlocks: input must be a Float32Array");
    var n = input.length;
    if (n > MAX_ARRAY_VALUES) {
      throw new Error(n + " values is more than the " + MAX_ARRAY_VALUES + " quantizeBlocks accepts");
    }
    var flags = quantizeFlags(options).join("\0");
    // Scales: at most one per value (block 1); the answer says how many.
    return withBuffers("quantizeBlocks", [n * 4, n, n, n * 4], function (p) {
      HEAPF32.set(input, p[0] >>> 2);
      var meta = unwrap(Module["raw_quantize_blocks"](p[0], n, flags, p[1], p[2], p[3]));
      var out = {
        scales: new Uint8Array(HEAPU8.subarray(p[1], p[1] + meta.blocks)),
        elements: new Uint8Array(HEAPU8.subarray(p[2], p[2] + n)),
        dequantized: new Float32Array(HEAPF32.subarray(p[3] >>> 2, (p[3] >>> 2) + n)),
        block: meta.block,
      };
      if (text(options.format) === "nvfp4") {
        out.tensorScale = meta.tensor_scale;
        out.tensorDecode = meta.tensor_decode;
      }
      return out;
    });
  };

  // dequantizeBlocks({scales, elements, format, block, tensorScale}) -> Float32Array
  Module["dequantizeBlocks"] = function (blocks) {
    blocks = checkOptions("dequantizeBlocks", blocks, ["scales", "elements", "format", "block", "tensorScale"]);
    if (!(blocks.scales instanceof Uint8Array) || !(blocks.elements instanceof Uint8Array)) {
      throw new TypeError("dequantizeBlocks: scales and elements must be Uint8Arrays");
    }
    if (blocks.format === undefined) throw new Error("dequantizeBlocks needs format (mxfp4, ..., nvfp4)");
    var block = 0;  // the format's own
    if (blocks.block !== undefined) {
      block = Number(blocks.block);
      if (!Number.isInteger(block) || block < 1 || block > 65536) {
        throw new Error("block size must be between 1 and 65536; got " + text(blocks.block).slice(0, 20));
      }
    }
    var hasTensorScale = blocks.tensorScale !== undefined;
    var tensorScale = hasTensorScale ? Number(blocks.tensorScale) : 0;
    // s_enc is an fp32 value: anything else cannot have come from quantizeBlocks.
    if (hasTensorScale && Math.fround(tensorScale) !== tensorScale) {
      throw new Error("dequantizeBlocks: tensorScale " + text(blocks.tensorScale).slice(0, 40) +
                      " is not an fp32 value (pass the tensorScale quantizeBlocks returned)");
    }
    var n = blocks.elements.length, ns = blocks.scales.length;
    if (n > MAX_ARRAY_VALUES) {
      throw new Error(n + " elements is more than the " + MAX_ARRAY_VALUES + " dequantizeBlocks accepts");
    }
    if (ns > MAX_ARRAY_VALUES) {
      throw new Error(ns + " scales is more than the " + MAX_ARRAY_VALUES + " dequantizeBlocks accepts");
    }
    return withBuffers("dequantizeBlocks", [ns, n, n * 4], function (p) {
      HEAPU8.set(blocks.scales, p[0]);
      HEAPU8.set(blocks.elements, p[1]);
      var error = Module["raw_dequantize_blocks"](p[0], ns, p[1], n, text(blocks.format), block,
                                                  hasTensorScale, tensorScale, p[2]);
      if (error) throw new Error(error);
      return new Float32Array(HEAPF32.subarray(p[2] >>> 2, (p[2] >>> 2) + n));
    });
  };

  // inspect(input | [inputs], {formats, scale, lr, gradStd, tensors, signal,
  // chunkBytes}, onProgress) -> Promise of the CLI's `inspect --json` object.
  // An input is a Blob or File (read with Blob.slice, chunkBytes at a time:
  // memory stays flat with file size), an ArrayBuffer or a typed array, or
  // {name, data} with one of those. The report names a file by `name`, a
  // File's name, or "input-N". signal: an AbortSignal, checked between chunks.
  // partial: true returns a piece (a string) instead: inspectMerge(pieces)
  // turns pieces scanned apart (workers, each with some tensors) into the report.
  var INSPECT_FLAGS = { formats: "--formats", scale: "--scale", lr: "--lr", gradStd: "--grad-std", tensors: "--tensors" };
  var INSPECT_CHUNK = 4 << 20;

  function inspectSource(input, index) {
    var name = null, data = input;
    if (input && typeof input === "object" && !ArrayBuffer.isView(input) && !(input instanceof ArrayBuffer) &&
        !(typeof Blob === "function" && input instanceof Blob) && "data" in input) {
      name = input.name === undefined ? null : text(input.name);
      data = input.data;
    }
    var isBlob = typeof Blob === "function" && data instanceof Blob;
    if (!isBlob && !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
      throw new TypeError("inspect: input " + (index + 1) + " must be a Blob, a File, an ArrayBuffer, a typed array or {name, data}");
    }
    if (name === null) name = isBlob && typeof data.name === "string" && data.name ? data.name : "input-" + (index + 1);
    var bytes = isBlob ? null : data instanceof ArrayBuffer ? new Uint8Array(data)
                                                             : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return { name: name, blob: isBlob ? data : null, bytes: bytes, size: isBlob ? data.size : bytes.length };
  }

  function abortError() {
    if (typeof DOMException === "function") return new DOMException("inspect was cancelled", "AbortError");
    var e = new Error("inspect was cancelled");
    e.name = "AbortError";
    return e;
  }

  // A new task (so that an abort, or a worker's cancel message, can arrive)
  // without setTimeout's clamp: browsers delay nested timers by 4 ms, which
  // cost a 128 MB ArrayBuffer's scan in a worker 32 x 4 ms of idle wall time.
  // A message to a fresh MessageChannel is queued behind messages already posted.
  function nextTask() {
    if (typeof MessageChannel !== "function") return new Promise(function (resolve) { setTimeout(resolve, 0); });
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function () {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }

  // Reads a Blob front to back as ONE stream, at most `chunk` bytes at a
  // time: fill(at, want) puts the next `want` bytes (want <= chunk; fewer only
  // where the stream ends early) in the wasm heap at `at` and resolves to
  // their count. One Blob.stream() instead of a Blob.slice(...).arrayBuffer()
  // per chunk: in Chromium each slice read is a new blob in the browser
  // process, a new data pipe and a new ArrayBuffer (fresh pages to fault in),
  // which cost about 4x the CPU (README "inspect's scan", slice 15c). A BYOB
  // reader fills one staging buffer, reused for every chunk (a read transfers
  // it and hands it back): the wasm heap itself cannot be the target, since a
  // WebAssembly.Memory's buffer cannot be transferred. Where Blob streams are
  // not byte streams, the default reader's pieces are copied into the heap.
  // cancel() releases the stream when the scan stops early.
  function blobChunks(blob, chunk) {
    var stream = blob.stream(), reader = null, staging = null, pending = null;
    try {
      reader = stream.getReader({ mode: "byob" });
      staging = new ArrayBuffer(chunk);
    } catch (e) {
      reader = stream.getReader();
    }
    return {
      fill: async function (at, want) {
        var got = 0;
        while (got < want) {
          if (staging) {
            var r = await reader.read(new Uint8Array(staging, got, want - got));
            if (r.value) staging = r.value.buffer;
            if (r.done) break;
            got += r.value.length;
          } else {
            if (!pending || !pending.length) {
              var next = await reader.read();
              if (next.done) break;
              pending = next.value;
            }
            var n = Math.min(want - got, pending.length);
            HEAPU8.set(pending.subarray(0, n), at + got);
            pending = pending.subarray(n);
            got += n;
          }
        }
        if (staging) HEAPU8.set(new Uint8Array(staging, 0, got), at);
        return got;
      },
      cancel: function () {
        reader.cancel().catch(function () {});
      },
    };
  }

  Module["inspect"] = async function (inputs, options, onProgress) {
    options = checkOptions("inspect", options, Object.keys(INSPECT_FLAGS).concat(["signal", "chunkBytes", "partial"]));
    if (onProgress !== undefined && onProgress !== null && typeof onProgress !== "function") {
      throw new TypeError("inspect: onProgress must be a function");
    }
    var list = Array.isArray(inputs) ? inputs : [inputs];
    if (!list.length) throw new Error("inspect needs at least one file");
    var sources = list.map(inspectSource);
    var chunk = INSPECT_CHUNK;
    if (options.chunkBytes !== undefined) {
      chunk = Number(options.chunkBytes);
      if (!Number.isInteger(chunk) || chunk < 1 || chunk > (64 << 20)) {
        throw new Error("inspect: chunkBytes must be a whole number from 1 to " + (64 << 20));
      }
    }
    var flags = ["inspect"];
    Object.keys(INSPECT_FLAGS).forEach(function (key) {
      var v = options[key];
      if (v === undefined || v === null) return;
      if (Array.isArray(v)) v = v.map(text).join(",");
      else if (key === "lr" || key === "gradStd") v = valueText(v, "inspect");
      flags.push(INSPECT_FLAGS[key], text(v));
    });
    var signal = options.signal;
    if (signal && signal.aborted) throw abortError();
    var opened;
    try {
      opened = Module["raw_inspect_open"](flags.join("\0"));
    } catch (e) {
      if (e instanceof Error) throw e;
      throw new Error("inspect: the options could not be read (--tensors '" + text(options.tensors).slice(0, 40) + "'?)");
    }
    var handle = unwrap(opened);
    // --scale tensor and nvfp4 need each tensor's amax first: every file is read twice.
    var passes = Module["raw_inspect_needs_amax"](handle) ? ["amax", "stats"] : ["stats"];
    var total = 0;
    sources.forEach(function (s) { total += s.size * passes.length; });
    var done = 0, started = Date.now();
    var buffer = 0;
    try {
      buffer = Module["raw_alloc"](Math.max(4, Math.min(chunk, Math.max.apply(null, sources.map(function (s) { return s.size; })))));
      if (!buffer) throw new Error("inspect: not enough memory for a chunk of " + chunk + " bytes");
      for (var p = 0; p < passes.length; p++) {
      var pass = passes[p];
      Module["raw_inspect_set_pass"](handle, pass === "amax");
      for (var f = 0; f < sources.length; f++) {
        var src = sources[f];
        var error = Module["raw_inspect_begin_file"](handle, src.name);
        if (error) throw new Error(error);
        var stream = src.blob && src.size ? blobChunks(src.blob, Math.min(chunk, src.size)) : null;
        try {
          for (var at = 0; at < src.size;) {
            var count = Math.min(chunk, src.size - at);
            if (stream) {
              count = await stream.fill(buffer, count);
              // A File changed on disk since it was picked: the reader says the file ends early.
              if (!count) break;
            } else {
              await nextTask();  // lets an abort (or a worker's cancel message) arrive
              HEAPU8.set(src.bytes.subarray(at, at + count), buffer);
            }
            if (signal && signal.aborted) throw abortError();
            at += count;
            error = Module["raw_inspect_feed"](handle, buffer, count);
            if (error) throw new Error(error);
            done += count;
            if (onProgress) {
              var elapsed = Date.now() - started;
              onProgress({ pass: pass, file: src.name, fileIndex: f, files: sources.length, fileBytesDone: at, fileBytes: src.size,
                           bytesDone: done, bytesTotal: total, elapsedMs: elapsed,
                           bytesPerSecond: elapsed > 0 ? done / (elapsed / 1000) : 0 });
            }
          }
        } finally {
          if (stream && at < src.size) stream.cancel();
        }
        error = Module["raw_inspect_end_file"](handle);
        if (error) throw new Error(error);
      }
      }
      if (options.partial) {
        var piece = Module["raw_inspect_partial"](handle);
        if (piece.charCodeAt(0) === 33 /* "!" */) throw new Error(piece.slice(1));
        return piece;
      }
      return unwrap(Module["raw_inspect_report"](handle));
    } finally {
      if (buffer) Module["raw_free"](buffer);
      Module["raw_inspect_close"](handle);
    }
  };

  // inspectMerge([piece, ...]) -> the report of every piece's tensors, in the
  // order given (pieces from inspect(..., {partial: true}) over the same
  // options): the same object, totals included, as one inspect of them all.
  Module["inspectMerge"] = function (pieces) {
    if (!Array.isArray(pieces) || !pieces.length || !pieces.every(function (p) { return typeof p === "string"; })) {
      throw new TypeError("inspectMerge takes a non-empty array of pieces from inspect(..., { partial: true })");
    }
    return unwrap(Module["raw_inspect_merge"](pieces.join("\0")));
  };

  Module["heapInUse"] = function () {
    return Module["raw_heap_in_use"]();
  };
})();
