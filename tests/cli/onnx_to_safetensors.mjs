// Test helper: a real model's float initializers -> one .safetensors file.
//
//   node tests/cli/onnx_to_safetensors.mjs MODEL.onnx OUT.safetensors
//
// The ONNX protobuf is decoded by onnx-proto (the ONNX project's onnx.proto
// compiled for protobufjs), a dev dependency only. Every FLOAT, FLOAT16,
// DOUBLE and BFLOAT16 initializer of the main graph is written with its own
// dtype (F32, F16, F64, BF16), little-endian, shapes as the model gives them,
// in the model's order. Then the written file is read back from disk and
// every tensor's bytes are compared with the bits the parser read from the
// model, so a test that inspects the file inspects exactly the model's values.
// Prints one JSON line: {"tensors": N, "values": N, "skipped": [...]}.
// Exit 1 on any mismatch.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto');
const DataType = onnx.TensorProto.DataType;

// ONNX element type -> [safetensors dtype, bytes per element].
const DTYPES = {
  [DataType.FLOAT]: ['F32', 4],
  [DataType.FLOAT16]: ['F16', 2],
  [DataType.DOUBLE]: ['F64', 8],
  [DataType.BFLOAT16]: ['BF16', 2],
};

// The element bytes of one initializer, little-endian, as the model stores them.
function tensorBytes(t, width) {
  const count = t.dims.reduce((a, d) => a * Number(d), 1);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) throw new Error(`${t.name}: external data`);
  if (t.rawData && t.rawData.length) {
    // raw_data is little-endian by the ONNX spec.
    if (t.rawData.length !== count * width) throw new Error(`${t.name}: raw_data size ${t.rawData.length} != ${count}x${width}`);
    return Buffer.from(t.rawData);
  }
  const out = Buffer.alloc(count * width);
  if (t.dataType === DataType.FLOAT) {
    if (t.floatData.length !== count) throw new Error(`${t.name}: float_data length`);
    t.floatData.forEach((v, i) => out.writeFloatLE(v, 4 * i)); // float32 -> float32: exact
  } else if (t.dataType === DataType.DOUBLE) {
    if (t.doubleData.length !== count) throw new Error(`${t.name}: double_data length`);
    t.doubleData.forEach((v, i) => out.writeDoubleLE(v, 8 * i));
  } else {
    // FLOAT16 / BFLOAT16 live in int32_data, one 16-bit pattern per entry.
    if (t.int32Data.length !== count) throw new Error(`${t.name}: int32_data length`);
    t.int32Data.forEach((v, i) => out.writeUInt16LE(v & 0xffff, 2 * i));
  }
  return out;
}

const [modelPath, outPath] = process.argv.slice(2);
if (!modelPath || !outPath) {
  console.error('usage: onnx_to_safetensors.mjs MODEL.onnx OUT.safetensors');
  process.exit(2);
}
const model = onnx.ModelProto.decode(readFileSync(modelPath));
const header = {};
const parts = [];
const skipped = [];
let offset = 0, values = 0;
for (const t of model.graph.initializer) {
  const dt = DTYPES[t.dataType];
  if (!dt) {
    skipped.push(`${t.name} (${DataType[t.dataType]})`);
    continue;
  }
  if (t.name in header || t.name === '__metadata__') throw new Error(`duplicate tensor name ${t.name}`);
  const bytes = tensorBytes(t, dt[1]);
  header[t.name] = { dtype: dt[0], shape: t.dims.map(Number), data_offsets: [offset, offset + bytes.length] };
  parts.push({ name: t.name, bytes });
  offset += bytes.length;
  values += bytes.length / dt[1];
}
header.__metadata__ = { source: modelPath.split('/').pop(), producer: `${model.producerName} ${model.producerVersion}` };
const json = Buffer.from(JSON.stringify(header));
const prefix = Buffer.alloc(8);
prefix.writeBigUInt64LE(BigInt(json.length));
writeFileSync(outPath, Buffer.concat([prefix, json, ...parts.map((p) => p.bytes)]));

// Read the file back and compare, tensor by tensor, with what the parser read.
const file = readFileSync(outPath);
const n = Number(file.readBigUInt64LE(0));
const back = JSON.parse(file.subarray(8, 8 + n).toString());
const data = file.subarray(8 + n);
let bad = 0;
for (const p of parts) {
  const [b, e] = back[p.name].data_offsets;
  if (!data.subarray(b, e).equals(p.bytes)) {
    console.error(`mismatch in ${p.name}`);
    ++bad;
  }
}
if (data.length !== offset) ++bad;
if (bad) process.exit(1);
console.log(JSON.stringify({ tensors: parts.length, values, skipped }));
