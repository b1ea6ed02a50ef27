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

  Module["heapInUse"] = function () {
    return Module["raw_heap_in_use"]();
  };
})();
