// How the "Inspect tensors" panel splits a scan across several workers
// (tensors.js runs them). The split is BY TENSOR: a tensor's sums have a
// defined order from its first element (src/kernels/error_tally.h), so a
// worker must see whole tensors. Each worker gets a contiguous run of the
// files' tensors in the order the reader visits them (data offset order) and
// scans them as a small safetensors file of its own: a header naming just
// those tensors, then one File.slice of their bytes (a Blob made of a slice
// refers to the file: nothing is copied or held in memory). Merging the
// workers' pieces in run order (m.inspectMerge) then gives the report one
// pass gives, bit for bit, totals included.
//
// Only a safetensors file whose header this page reads exactly as the reader
// does (src/tensors/tensor_reader.cpp) is split: plain unsigned integers,
// float dtypes only (no "skipped" notices to reorder), offsets tiling the
// data to the file's last byte. Anything else (.npy, GGUF, a malformed or
// unusual header) stays one piece read whole by one worker, so every error
// and notice is the reader's own.
//
// Loaded as a classic script (defines self.mantissaTensorSplit); the Node
// test tests/js/tensor_split.test.mjs runs it in a vm context.
"use strict";

(function (global) {
  // The float dtypes the reader reads, with their element widths (safetensors_dtype()).
  var WIDTH = { F64: 8, F32: 4, F16: 2, BF16: 2, F8_E4M3: 1, F8_E5M2: 1 };
  // kMaxJsonDepth in tensor_reader.h; kMaxSafetensorsHeader is 100 MB, but a
  // header past 16 MiB is not worth reading twice here: such a file is read whole.
  var MAX_DEPTH = 16;
  var MAX_HEADER = 16 << 20;
  var MAX_SHAPE_RANK = 64;

  function depth(text) {
    var d = 0, deepest = 0, inString = false;
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (inString) {
        if (c === 92 /* \ */) i++;
        else if (c === 34 /* " */) inString = false;
      } else if (c === 34) {
        inString = true;
      } else if (c === 91 || c === 123) {
        deepest = Math.max(deepest, ++d);
      } else if (c === 93 || c === 125) {
        d--;
      }
    }
    return deepest;
  }

  function wellFormed(s) {
    return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
  }

  // The tensors of a safetensors file in the reader's visiting order, or null
  // when the file is to be read whole: [{name, dtype, shape, begin, end}],
  // offsets relative to the data region, which starts at dataStart.
  async function safetensorsLayout(file) {
    if (file.size < 8) return null;
    var prefix = new Uint8Array(await file.slice(0, 8).arrayBuffer());
    // .npy (\x93NUMPY) and GGUF files are read whole (sniff_kind()).
    if (prefix[0] === 0x93 || String.fromCharCode(prefix[0], prefix[1], prefix[2], prefix[3]) === "GGUF") return null;
    var view = new DataView(prefix.buffer);
    if (view.getUint32(4, true) !== 0) return null;
    var headerLength = view.getUint32(0, true);
    if (headerLength < 2 || headerLength > MAX_HEADER || 8 + headerLength > file.size) return null;
    var text;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(await file.slice(8, 8 + headerLength).arrayBuffer());
    } catch (e) {
      return null;  // not UTF-8: the reader's JSON parser says so
    }
    if (depth(text) > MAX_DEPTH) return null;
    // Outside strings, only structure and unsigned integers: a 2.0, 1e3 or -0
    // (which JSON.parse reads as integers) is left to the reader to refuse.
    if (/[.eE+\-]/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) return null;
    var header;
    try {
      header = JSON.parse(text);
    } catch (e) {
      return null;
    }
    if (!header || typeof header !== "object" || Array.isArray(header)) return null;
    var names = Object.keys(header).filter(function (k) { return k !== "__metadata__"; });
    // A repeated name (JSON.parse keeps the last) is the reader's to judge.
    if ((text.match(/"data_offsets"/g) || []).length !== names.length) return null;
    var dataLength = file.size - 8 - headerLength;
    var tensors = [];
    for (var i = 0; i < names.length; i++) {
      var name = names[i], entry = header[name];
      if (!wellFormed(name) || !entry || typeof entry !== "object" || Array.isArray(entry)) return null;
      var width = WIDTH[entry.dtype];
      var shape = entry.shape, offsets = entry.data_offsets;
      if (!width || !Array.isArray(shape) || shape.length > MAX_SHAPE_RANK) return null;
      if (!Array.isArray(offsets) || offsets.length !== 2) return null;
      var count = 1;
      for (var k = 0; k < shape.length; k++) {
        if (!Number.isSafeInteger(shape[k]) || shape[k] < 0) return null;
        count *= shape[k];
        if (count > dataLength) return null;
      }
      var begin = offsets[0], end = offsets[1];
      if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || begin > end) return null;
      if (count * width !== end - begin) return null;
      tensors.push({ name: name, dtype: entry.dtype, shape: shape.slice(), begin: begin, end: end });
    }
    // The reader's order: by offset, then by name as its JSON object holds
    // them (std::map: UTF-8 bytes, i.e. code points; JS's < compares UTF-16
    // units). An empty tensor at a non-empty one's offset must come first,
    // or the reader calls it an overlap: so does the check below.
    tensors.forEach(function (t) { t.key = Array.from(t.name, function (c) { return c.codePointAt(0); }); });
    tensors.sort(function (a, b) {
      if (a.begin !== b.begin) return a.begin - b.begin;
      for (var i = 0; i < a.key.length && i < b.key.length; i++) {
        if (a.key[i] !== b.key[i]) return a.key[i] - b.key[i];
      }
      return a.key.length - b.key.length;
    });
    var at = 0;
    for (var t = 0; t < tensors.length; t++) {
      if (tensors[t].begin !== at) return null;  // a gap or an overlap: the reader's message
      at = tensors[t].end;
    }
    if (at !== dataLength) return null;
    return { dataStart: 8 + headerLength, tensors: tensors };
  }

  // A safetensors file of tensors[from..to) of a file laid out as `layout`:
  // the header rebuilt for them, then one slice of the file (no copy).
  function subfile(file, layout, from, to) {
    var base = layout.tensors[from].begin, header = Object.create(null);  // a tensor may be named __proto__
    for (var i = from; i < to; i++) {
      var t = layout.tensors[i];
      header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [t.begin - base, t.end - base] };
    }
    var json = new TextEncoder().encode(JSON.stringify(header));
    var prefix = new Uint8Array(8);
    new DataView(prefix.buffer).setUint32(0, json.length, true);
    var data = file.slice(layout.dataStart + base, layout.dataStart + layout.tensors[to - 1].end);
    return new Blob([prefix, json, data]);
  }

  // The scan of `files` in at most `workers` runs: [{inputs: [{name, data}], bytes}],
  // in report order (concatenating the runs' tensors gives one pass's order).
  // One run when the files cannot be split.
  async function plan(files, workers) {
    // Units: a tensor of a split file, or a whole file.
    var units = [];
    for (var f = 0; f < files.length; f++) {
      var layout = workers > 1 ? await safetensorsLayout(files[f]) : null;
      if (layout && layout.tensors.length > 1) {
        for (var i = 0; i < layout.tensors.length; i++) {
          var t = layout.tensors[i];
          units.push({ file: files[f], layout: layout, index: i, bytes: t.end - t.begin });
        }
      } else {
        units.push({ file: files[f], layout: null, bytes: files[f].size });
      }
    }
    var total = units.reduce(function (n, u) { return n + u.bytes; }, 0);
    var runs = [], run = null, done = 0;
    for (var u = 0; u < units.length; u++) {
      var unit = units[u], prev = units[u - 1];
      // Tensors at one offset (empty ones) stay together: the reader orders them by name.
      var tied = prev && prev.layout && prev.layout === unit.layout &&
                 prev.layout.tensors[prev.index].begin === unit.layout.tensors[unit.index].begin;
      if (!run || (!tied && runs.length < workers && done >= total * runs.length / workers)) {
        run = { units: [], bytes: 0 };
        runs.push(run);
      }
      run.units.push(unit);
      run.bytes += unit.bytes;
      done += unit.bytes;
    }
    return runs.map(function (r) {
      var inputs = [];
      for (var k = 0; k < r.units.length;) {
        var first = r.units[k];
        if (!first.layout) {
          inputs.push({ name: first.file.name, data: first.file });
          k++;
          continue;
        }
        var j = k;
        while (j < r.units.length && r.units[j].layout === first.layout) j++;
        var whole = first.index === 0 && j - k === first.layout.tensors.length;
        inputs.push({ name: first.file.name,
                      data: whole ? first.file : subfile(first.file, first.layout, first.index, r.units[j - 1].index + 1) });
        k = j;
      }
      return { inputs: inputs, bytes: r.bytes };
    });
  }

  global.mantissaTensorSplit = { plan: plan, safetensorsLayout: safetensorsLayout };
})(typeof self !== "undefined" ? self : globalThis);
