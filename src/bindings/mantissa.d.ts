// TypeScript declarations for mantissa.mjs, the UI-free JavaScript API of
// Mantissa (built from src/bindings: bindings.cpp + api.js).
//
//   import Mantissa from "./mantissa.mjs";
//   const m = await Mantissa();
//   m.convert("1.12156456132", "fp16").value;  // "1.12109375"
//
// Results carry the same keys as the CLI's --json output. Errors are thrown
// as Error whose message is the CLI's sentence without the "mantissa: " prefix.

/** A value as typed: exact decimal ("0.1"), hex-float ("0x1.8p-3"), bit
 * pattern ("0x3c00", "0b0011110000000000", with `from`), "inf", "nan".
 * A number is taken as its exact double value (0.1 is 0.1000000000000000055…). */
export type Value = string | number | bigint;

/** "fp64", "fp32", "tf32", "fp16", "bf16", "fp8-e4m3", "fp8-e5m2", aliases
 * (double, float, half, bfloat16, e4m3, e5m2) or custom "eXmY" / "eXmYfn". */
export type FormatName = string;

/** "rne" (default), "rna", "rtz", "up", "down", "odd", "stochastic" ("sr"). */
export type RoundingModeName = string;

export interface RoundingOptions {
  round?: RoundingModeName;
  /** Stochastic rounding's seed (a number, or a decimal string for 64 bits). */
  seed?: number | string | bigint;
  /** Overflow clamps to ±max finite instead of inf (or NaN for fp8-e4m3). */
  saturate?: boolean;
  /** Subnormal results flush to zero. */
  ftz?: boolean;
}

export interface ConvertOptions extends RoundingOptions {
  /** The format of a bit pattern given as the value. */
  from?: FormatName;
  /** Round into this format first (double rounding, e.g. fp32 then fp16). */
  via?: FormatName;
}

/** `mantissa convert --json`: the stored value and how it got there (see the README for every key). */
export interface ConvertReport {
  format: string;
  /** "0x3c7c" */
  bits: string;
  /** "0 01111 0001111100" */
  binary: string;
  sign: number;
  exponent: number;
  mantissa: number;
  class: "zero" | "subnormal" | "normal" | "inf" | "nan";
  /** The exact stored value: "1.12109375". */
  value: string;
  hex_float: string;
  /** The exact input: "1.12156456132". */
  input: string;
  error_abs?: string;
  error_rel?: number;
  error_ulp?: number;
  ulp?: string;
  next_up: string;
  next_down: string;
  rounding: Record<string, unknown>;
  [key: string]: unknown;
}

export interface SimulateOptions {
  /** Number of updates. */
  steps: number;
  /** Constant increment, or a list cycled over the steps. */
  inc?: Value | Value[];
  /** "normal:MEAN:STD": per-step increment lr * grad. */
  grad?: string;
  lr?: Value;
  w0?: Value;
  seed?: number | string | bigint;
  /** e.g. ["fp64", "fp32-master", "fp16", "fp16-sr", "bf16-kahan", "fp32-master+ls-dynamic"]. */
  strategies?: string[] | string;
  gradFormat?: FormatName;
  /** "static:S" or "dynamic". */
  lossScale?: string;
  population?: number;
  /** Population initial weights: "normal:MEAN:STD" or "uniform:LOW:HIGH". */
  init?: string;
  reference?: "stored" | "exact";
  /** Include per-step series. */
  trajectory?: boolean;
}

/** `mantissa simulate --json`. */
export interface SimulationReport {
  steps: number;
  reference: Record<string, unknown>;
  strategies: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** A playground scenario, named after src/scenario/scenario.h. */
export interface Scenario {
  panel: "inspect" | "add" | "train" | "landscape" | "blocks" | "tensors" | "dot" | "network";
  inspector: {
    value: string; from: string; mode: string; seed: number; saturate: boolean; ftz: boolean;
    custom: string; focus: string;
  };
  addition: {
    op: "add" | "sub" | "mul" | "fma"; a: string; a_format: string; b: string; b_format: string;
    c: string; c_format: string; format: string; mode: string; seed: number; saturate: boolean;
    ftz: boolean; compare_fp32: boolean; step: number;
  };
  training: {
    w0: string; inc: string; lr: string; grad: string; seed: number; grad_format: string; steps: number;
    strategies: string[]; loss_scale: string; population: number; view_x0: number; view_x1: number;
    view_y0: number; view_y1: number; log_error: boolean; selected_step: number;
  };
  landscape: {
    formats: string[]; x_min: number; x_max: number; log_x: boolean; log_error: boolean;
    /** A block format drawn at the fixed block scale 2^block_scale_exp ("" for none). */
    block_format: string; block_scale_exp: number;
  };
  /** The Blocks tab: values quantized as `mantissa quantize --pad zero` does. */
  blocks: {
    format: string; rule: "ocp" | "ceil"; mode: string; seed: number;
    /** Up to 64 comma-separated numbers; "" generates `count` values. */
    values: string; gen: "normal" | "uniform" | "outlier"; count: number; gen_seed: number;
    /** Replaces the largest-magnitude value ("" keeps it). */
    outlier: string;
  };
  /** The Inspect tensors tab: what to measure (`mantissa inspect` options), never the files. */
  tensors: {
    formats: string[];
    /** Both or neither: the lost-update question (lr x grad_std against half an ULP). */
    lr: string; grad_std: string;
    scale: "none" | "tensor";
  };
  /** The Accumulation panel: `gemm-error` over K, one tensor-core block walked through. */
  accumulation: {
    /** Inputs' format (fp32, tf32, fp16, bf16, fp8-e4m3, fp8-e5m2, eXmY). */
    in: string;
    /** "normal:MEAN:STD" or "uniform:LO:HI". */
    dist: string;
    /** K values, a comma list ("128,1024,4096"), each 1..65536. */
    ks: string;
    /** Accumulators, a ';' list ("tc:h100;blocked:tc:h100:128"). */
    acc: string;
    trials: number;
    seed: number;
    /** The walkthrough's tc: model, and its hand-typed a, b (comma lists; empty: a random example) and c. */
    block_acc: string; block_a: string; block_b: string; block_c: string;
    /** The random example's number. */
    example: number;
  };
  /** The Network panel: `mantissa train`'s options as typed (recipes: the --recipes text). */
  network: {
    data: string; data_seed: number; model: string; optimizer: string; recipes: string; epochs: number;
    batch: number; seed: number; subset: number;
    /** --loss-weight as typed ("1": none). */
    loss_weight: string;
  };
}

/** Any part of a scenario; the rest keeps its defaults. */
export type PartialScenario = {
  panel?: Scenario["panel"];
  inspector?: Partial<Scenario["inspector"]>;
  addition?: Partial<Scenario["addition"]>;
  training?: Partial<Scenario["training"]>;
  landscape?: Partial<Scenario["landscape"]>;
  blocks?: Partial<Scenario["blocks"]>;
  tensors?: Partial<Scenario["tensors"]>;
  accumulation?: Partial<Scenario["accumulation"]>;
  network?: Partial<Scenario["network"]>;
};

export interface DecodedScenario {
  scenario: Scenario;
  /** One sentence per ignored part of the link ("ignored af=fp17: unknown format"). */
  notices: string[];
  /** The link's schema version (0 = legacy). */
  version: number;
  /** The link was the compact (z=) form. */
  compact: boolean;
}

export interface ConvertArrayOptions {
  /** "rne" (default) or "stochastic" (fp16 and bf16 only). */
  round?: "rne" | "stochastic" | "sr";
  seed?: number;
  /** Stochastic rounding: position of element 0 in the random stream. */
  counter?: number;
  saturate?: boolean;
}

export interface ExplainOptions extends RoundingOptions {
  /** The third operand (fma). */
  c?: Value;
  /** The arithmetic format (default "fp16"; the CLI's --format). Also "int8-mx" and "e8m0": their
   * trace is decode, convert, round (the core's rule, as convert), result. */
  format?: FormatName;
  /** Operand formats (default: `format`). */
  aFormat?: FormatName;
  bFormat?: FormatName;
  cFormat?: FormatName;
}

/** `mantissa explain --json`: the operands as stored, and every step of the operation. */
export interface Explanation {
  [key: string]: unknown;
}

/** One operand of dot(): values as typed (strings), or numbers taken as their exact doubles;
 * each is rounded (rne) into the input format `in`, as the CLI's --a/--b do. */
export type DotOperand = ReadonlyArray<Value> | Float32Array | Float64Array;

export interface DotOptions {
  /** The inputs' format (required): fp32, tf32, fp16, bf16, fp8-e4m3, fp8-e5m2 or a custom format within fp32. */
  in: FormatName;
  /** The accumulator (required): "exact", "seq:F[:mode]", "seq-rounded:F", "pairwise:F", "kahan:F",
   * "blocked:F:B", "blocked:tc:NAME:B", "tc:NAME[,out=fp16]" (v100 a100 ada h100 b200),
   * "tc:fma=N,neab=E[,round=rz|rne][,out=fp32|fp16]". */
  acc: string;
  /** The fp32 value c added to the sum (default 0). */
  c?: Value;
}

/** `mantissa dot --json`. */
export interface DotReport {
  /** The accumulator's canonical name. */
  acc: string;
  k: number;
  /** The result's format and bit pattern (null for `exact`). */
  format: string | null;
  bits: string | null;
  /** The result's exact value, and the exact dot product ("inf", "nan" where they are). */
  value: string;
  exact: string;
  /** value - exact, exactly (null unless both are finite). */
  error_abs: string | null;
  /** |value - exact| / |exact| (null unless both are finite, or when it is infinite). */
  error_rel: number | null;
}

export interface GemmErrorOptions {
  /** The dot-product lengths K (1 to 64 of them). */
  k: number | readonly number[] | string;
  /** The inputs' format. */
  in: FormatName;
  /** Accumulators (1 to 16), as for dot(); a string is the CLI's list. */
  acc: string | readonly string[];
  trials: number;
  /** "normal:MEAN:STD" (default "normal:0:1") or "uniform:LO:HI". */
  dist?: string;
  seed?: number | string | bigint;
}

/** One K and accumulator: relative error over the trials (nearest-rank quantiles; null if infinite). */
export interface GemmErrorRow {
  k: number;
  acc: string;
  median: number | null;
  p95: number | null;
  max: number | null;
  /** Trials counted, and those skipped because the exact value was 0. */
  trials: number;
  exact_zero: number;
}

/** `mantissa gemm-error --json`. */
export interface GemmErrorReport {
  in: string;
  dist: string;
  trials: number;
  seed: number;
  rows: GemmErrorRow[];
}

/** The standard precision recipes (README "Training a real network"); also "custom:w=F/a=F/g=F/acc=ACC/...". */
export type RecipeName =
  | "fp32" | "fp16" | "fp16-amp" | "fp16-master-noscale" | "bf16" | "bf16-kahan" | "bf16-sr" | "fp8" | "fp8-noscale"
  | `custom:${string}`;

export interface TrainOptions {
  /** Default "digits" (UCI optical handwritten digits, 1437 train / 360 test). */
  data?: "digits" | "spiral" | "circles" | "xor";
  /** Synthetic sets only (default 0). */
  dataSeed?: number | string | bigint;
  /** Layer widths, e.g. "64-32-10" (default) or [64, 32, 10]; first = features, last = classes. */
  model?: string | readonly number[];
  /** "sgd:lr=X[,momentum=M]" (default "sgd:lr=0.1,momentum=0.9") or "adam:lr=X[,beta1=B][,beta2=B][,eps=E]". */
  optimizer?: string;
  /** Recipes (1 to 16); a string is the CLI's list. Default ["fp32", "fp16", "fp16-amp"]. */
  recipes?: RecipeName | readonly RecipeName[];
  epochs?: number;
  batch?: number;
  seed?: number | string | bigint;
  /** Train on the first N training samples only. */
  trainSubset?: number;
  /** The loss is multiplied by this, 1e-12 to 1 (default 1): small weights make small gradients,
   * which underflow in fp16 without a loss scale. The reported loss is unweighted. */
  lossWeight?: number | string;
  /** Steps between onProgress calls (default 10). */
  chunk?: number;
}

export interface TrainRecipeReport {
  name: string;
  weights: string;
  activations: string;
  gradients: string;
  accumulator: string;
  master: boolean;
  update: "rne" | "kahan" | "sr";
  loss_scale: "none" | "dynamic";
  fp8_scaling: boolean;
  /** null when the loss became NaN or infinite. */
  final_loss: number | null;
  final_test_accuracy: number | null;
  skipped_steps: number;
  /** Per step; lost and underflow per layer, then per step. */
  steps: {
    loss: (number | null)[];
    accuracy: number[];
    log2_scale: number[];
    skipped: boolean[];
    lost: number[][];
    underflow: number[][];
  };
  /** Per epoch. */
  epochs: { train_accuracy: number[]; test_accuracy: number[]; test_loss: (number | null)[] };
  /** Per layer: counts of weights by floor(log2 |w|), from min_exp up. */
  weight_histogram: { min_exp: number; counts: number[]; zero: number; nonfinite: number }[];
}

/** The CLI's `train --json`. */
export interface TrainReport {
  data: string;
  model: string;
  optimizer: string;
  loss_weight: number;
  epochs: number;
  batch: number;
  seed: number;
  train_size: number;
  test_size: number;
  steps: number;
  steps_done: number;
  steps_per_epoch: number;
  dot_kernel: string;
  recipes: TrainRecipeReport[];
}

/** Block-scaled formats: OCP MX v1.0 (blocks of 32, E8M0 scale) and NVIDIA NVFP4 (blocks of 16,
 * E4M3 scale, fp32 tensor scale). README "Block formats" names each rule's source. */
export type BlockFormatName =
  | "mxfp8-e4m3" | "mxfp8-e5m2" | "mxfp6-e2m3" | "mxfp6-e3m2" | "mxfp4" | "mxint8" | "nvfp4";

export interface QuantizeOptions {
  /** Required. */
  format: BlockFormatName;
  /** MX formats only: "ocp" (default, MX spec section 6.3; the block's largest value can clip) or "ceil"
   * (NVIDIA's rule: never clips). Refused for nvfp4, whose E4M3 block scale has its own rule. */
  scaleRule?: "ocp" | "ceil";
  /** Elements per block (default: 32 for MX, 16 for nvfp4), 1 to 65536. */
  block?: number;
  /** The elements' rounding mode (default "rne"); elements always clamp to +-max, as the MX spec's conversion does. */
  round?: RoundingModeName;
  /** Stochastic rounding's seed (value i draws with counter i). */
  seed?: number | string | bigint;
  /** true (or "zero"): a length that is not a multiple of the block quantizes its last block as if zero-padded.
   * Without it such a length is an error. */
  pad?: boolean | "zero";
}

/** What quantizeBlocks returns. */
export interface QuantizedBlocks {
  /** One scale code per block: E8M0 (MX; 0xff is NaN) or E4M3 (nvfp4). */
  scales: Uint8Array;
  /** One element code per value, **unpacked one per byte**: fp4 codes use the low 4 bits (0..15), fp6 the
   * low 6 (0..63), fp8 and int8 all 8 (int8 as two's complement). No two fp4 codes share a byte. */
  elements: Uint8Array;
  /** element x block scale (x tensorDecode for nvfp4): the exact product, rounded once to fp32 (RNE).
   * For MX formats it is exact unless it passes fp32's largest value (then +-Infinity); for nvfp4 the
   * tensor decode scale can make it inexact. A block holding a NaN or an infinity gets the NaN scale code
   * (e8m0 0xff, e4m3 0x7f), element codes 0 and NaN for every value (the MX spec: a NaN scale makes the
   * whole block NaN). dequantizeBlocks of scales and elements gives this array bit for bit. */
  dequantized: Float32Array;
  /** The block size used. */
  block: number;
  /** nvfp4 only: the per-tensor fp32 encode scale s_enc = 6 * 448 / amax(|finite values|) (1 for an
   * all-zero tensor), as a number holding an fp32 value. Pass it to dequantizeBlocks. */
  tensorScale?: number;
  /** nvfp4 only: the decode scale s_dec = fp32(1 / s_enc) that dequantized values are multiplied by. */
  tensorDecode?: number;
}

/** What dequantizeBlocks reads: the codes quantizeBlocks returned, with their format. */
export interface QuantizedBlocksInput {
  scales: Uint8Array;
  elements: Uint8Array;
  format: BlockFormatName;
  /** Default: the format's own (32 for MX, 16 for nvfp4). scales.length must be ceil(elements.length / block). */
  block?: number;
  /** Required for nvfp4 (the tensorScale quantizeBlocks returned), refused for MX formats. */
  tensorScale?: number;
}

/** One quantized element in quantize()'s report; values are exact decimals. */
export interface QuantizeReportElement {
  input: string;
  bits: string;
  binary: string;
  /** The element's value before scaling ("nan" in a NaN block). */
  element: string;
  dequantized: string;
  /** dequantized - input, exactly ("nan" in a NaN block). */
  error: string;
  clipped: boolean;
  flushed: boolean;
  subnormal: boolean;
}

export interface QuantizeReportBlock {
  first: number;
  scale_bits: string;
  /** The scale's exact value, or "nan". */
  scale: string;
  /** MX formats: log2 of the scale. */
  scale_exp?: number;
  non_finite: boolean;
  scale_clamped: boolean;
  /** null for a NaN block (and sqnr_db for an exact block: its SQNR is infinite). */
  max_rel_error: number | null;
  rms_rel_error: number | null;
  sqnr_db: number | null;
  clipped: number;
  flushed: number;
  elements: QuantizeReportElement[];
}

/** `mantissa quantize --json` (keys in the README's "Block formats"). */
export interface QuantizeReport {
  format: BlockFormatName;
  element_format: string;
  scale_format: string;
  scale_rule: "ocp" | "ceil" | "nvfp4";
  block: number;
  round: string;
  seed?: number;
  /** nvfp4 only, exact decimals. */
  amax_tensor?: string;
  tensor_scale?: string;
  tensor_decode?: string;
  max_rel_error: number | null;
  rms_rel_error: number | null;
  sqnr_db: number | null;
  clipped: number;
  flushed: number;
  blocks: QuantizeReportBlock[];
}

/** One file for inspect: a Blob or File (read in chunks with Blob.slice), bytes, or bytes with a name. */
export type InspectInput = Blob | ArrayBuffer | ArrayBufferView | { name?: string; data: Blob | ArrayBuffer | ArrayBufferView };

/** inspect's options: the CLI's `inspect` flags, and how the files are read. */
export interface InspectOptions {
  /** Target formats (the CLI's --formats): a list or "fp16,bf16,...". Default fp16,bf16,fp8-e4m3,fp8-e5m2,tf32. */
  formats?: ReadonlyArray<FormatName> | string;
  /** "none" (the default); the CLI's --scale. */
  scale?: string;
  /** Learning rate and gradient magnitude (together): the lost-update question. */
  lr?: Value;
  gradStd?: Value;
  /** A regular expression searched in each tensor's name (--tensors). */
  tensors?: string;
  /** Cancels the scan between chunks: the promise rejects with an AbortError. */
  signal?: AbortSignal;
  /** Bytes read at a time (1 .. 64 MiB, default 4 MiB): the memory a scan needs. */
  chunkBytes?: number;
  /** true: resolve with a piece for inspectMerge (an opaque string) instead of the report. */
  partial?: boolean;
}

/** What onProgress receives after each chunk. */
export interface InspectProgress {
  /** "amax": the first pass over every file that --scale tensor and nvfp4 need; "stats": the measuring pass. */
  pass: "amax" | "stats";
  file: string;
  fileIndex: number;
  files: number;
  fileBytesDone: number;
  fileBytes: number;
  bytesDone: number;
  bytesTotal: number;
  elapsedMs: number;
  bytesPerSecond: number;
}

export interface InspectFormatStats {
  format: string;
  overflow: number;
  subnormal: number;
  flushed_to_zero: number;
  exact: number;
  rmse: number;
  max_abs_error: number;
  mean_rel_error: number;
  max_rel_error: number;
  /** null when every error is zero. */
  sqnr_db: number | null;
  /** With lr and gradStd only. */
  lost_update_fraction?: number;
}

export interface InspectTensor {
  file: string;
  name: string;
  dtype: string;
  shape: number[];
  count: number;
  min: number | null;
  max: number | null;
  amax: number | null;
  zero_fraction: number;
  nan_fraction: number;
  inf_fraction: number;
  /** floor(log2|x|) -> count, over finite non-zeros. */
  log2_histogram: Record<string, number>;
  formats: InspectFormatStats[];
}

/** The CLI's `inspect --json` object. */
export interface InspectReport {
  update?: { lr: number; grad_std: number; lr_times_grad: number };
  tensors: InspectTensor[];
  totals: InspectFormatStats[];
  worst: { format: string; by_sqnr: string[]; by_lost_updates?: string[] }[];
  notices: string[];
}

export interface MantissaModule {
  version(): string;
  convert(value: Value, format: FormatName, options?: ConvertOptions): ConvertReport;
  decode(bits: number | bigint | string, format: FormatName): ConvertReport;
  /** a op b (op: "add" | "sub" | "mul" | "fma"), traced step by step. */
  explain(op: "add" | "sub" | "mul" | "fma", a: Value, b: Value, options?: ExplainOptions): Explanation;
  simulate(options: SimulateOptions): SimulationReport;
  /** d = c + sum a[i]*b[i], accumulated by `acc`, with its exact value and error. */
  dot(a: DotOperand, b: DotOperand, options: DotOptions): DotReport;
  /** Relative error of random dot products per K and accumulator (median, p95, max over trials). */
  gemmError(options: GemmErrorOptions): GemmErrorReport;
  /** Trains a small MLP in every recipe side by side (the CLI's `train --json`, the same bits); calls
   * onProgress(fraction done) every `chunk` steps. Synchronous. Throws Error with the CLI's sentence on bad options. */
  train(options?: TrainOptions, onProgress?: (progress: number) => void): TrainReport;
  /** fp32 values to fp16/bf16 (Uint16Array) or fp8-e4m3/fp8-e5m2 (Uint8Array) bit patterns, SIMD. */
  convertArray(input: Float32Array, format: "fp16" | "bf16" | "half" | "bfloat16", options?: ConvertArrayOptions): Uint16Array;
  convertArray(input: Float32Array, format: "fp8-e4m3" | "fp8-e5m2" | "e4m3" | "e5m2", options?: ConvertArrayOptions): Uint8Array;
  convertArray(input: Float32Array, format: FormatName, options?: ConvertArrayOptions): Uint16Array | Uint8Array;
  /** The CLI's `quantize --values ... --json` report (at most 65536 values; numbers are exact doubles). */
  quantize(values: ReadonlyArray<Value> | Float32Array | Float64Array, options: QuantizeOptions): QuantizeReport;
  /** fp32 values to block scales and element codes (at most 1048576 values). Throws Error with the CLI's
   * sentence on a bad format, rule, block size or length. */
  quantizeBlocks(input: Float32Array, options: QuantizeOptions): QuantizedBlocks;
  /** The inverse of quantizeBlocks: each element times its block's scale (x s_dec for nvfp4), rounded to fp32.
   * Throws Error on mismatched lengths, codes outside the element format, or a missing/extra tensorScale. */
  dequantizeBlocks(blocks: QuantizedBlocksInput): Float32Array;
  /** The hash (without '#') of a share link for a scenario. Throws on any invalid field. */
  encodeScenario(scenario: PartialScenario, options?: { activePanelOnly?: boolean }): string;
  /** Reads a share link's hash (with or without '#'); never throws. */
  decodeScenario(hash: string): DecodedScenario;
  /** What each format does to every tensor of .safetensors / .npy / GGUF files: the CLI's `inspect --json`.
   * Reads Blobs in bounded chunks; rejects with the CLI's sentence on a malformed file, an AbortError
   * when options.signal aborts. */
  inspect(input: InspectInput | ReadonlyArray<InspectInput>, options?: InspectOptions & { partial?: false },
          onProgress?: (progress: InspectProgress) => void): Promise<InspectReport>;
  /** With partial: true, a piece of a report, for inspectMerge. */
  inspect(input: InspectInput | ReadonlyArray<InspectInput>, options: InspectOptions & { partial: true },
          onProgress?: (progress: InspectProgress) => void): Promise<string>;
  /** The report of pieces scanned apart (e.g. by workers, each with whole tensors), in the order given:
   * the same object, totals and worst lists included, as one inspect of all their tensors. Throws when a
   * piece is malformed or was measured with other options than the first. */
  inspectMerge(pieces: ReadonlyArray<string>): InspectReport;
  /** Bytes of the wasm heap in use (for leak checks). */
  heapInUse(): number;
}

export interface MantissaFactoryOptions {
  /** Where to fetch mantissa.wasm from: (path, prefix) => url. */
  locateFile?: (path: string, prefix: string) => string;
  [key: string]: unknown;
}

declare function Mantissa(options?: MantissaFactoryOptions): Promise<MantissaModule>;
export default Mantissa;
