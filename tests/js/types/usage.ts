// Compiled with `tsc --noEmit --strict` against the packed package's
// mantissa.d.ts (tests/js/package.test.mjs), and run by Deno: every function
// of the API with its documented options, and the results' fields in use.
// A declaration that drifts from the module fails one or the other.
import Mantissa from "mantissa-fp";
import type {
  ConvertReport, DecodedScenario, DotReport, Explanation, GemmErrorReport, GemmErrorRow, MantissaModule,
  PartialScenario, QuantizedBlocks, QuantizeReport, Scenario, SimulationReport, InspectReport, InspectProgress,
  TrainRecipeReport, TrainReport,
} from "mantissa-fp";

const m: MantissaModule = await Mantissa();

const version: string = m.version();

const stored: ConvertReport = m.convert("1.12156456132", "fp16", { via: "fp32" });
const bits: string = stored.bits;
const value: string = stored.value;
const cls: "zero" | "subnormal" | "normal" | "inf" | "nan" = stored.class;
const relative: number | undefined = stored.error_rel;
const rounded: ConvertReport = m.convert(0.1, "bf16", { round: "rtz", saturate: true, ftz: false });
const stochastic: ConvertReport = m.convert("0.1", "fp8-e4m3", { round: "stochastic", seed: 7 });
const fromBits: ConvertReport = m.convert("0x3c7c", "fp32", { from: "fp16" });
const bigSeed: ConvertReport = m.convert(1n, "fp16", { round: "sr", seed: 12345678901234567890n });

const decoded: ConvertReport = m.decode(0x3c00, "fp16");
const decodedBig: ConvertReport = m.decode(0x3f8f8f6dn, "fp32");
const decodedText: ConvertReport = m.decode("0x7e00", "fp16");

const trace: Explanation = m.explain("fma", "3", "0.1", { c: "-0.3", format: "fp16", aFormat: "fp32", bFormat: "fp16",
  cFormat: "fp32", round: "rne" });

const simulation: SimulationReport = m.simulate({
  steps: 101, w0: "1.125", inc: "0.00041999", seed: 1, strategies: ["fp32-master", "fp16"], gradFormat: "fp16",
  reference: "exact", trajectory: false,
});
const lossScaled: SimulationReport = m.simulate({
  steps: 10, grad: "normal:0:1", lr: "1e-3", strategies: "fp32-master", lossScale: "dynamic",
  population: 16, init: "normal:1:0.1",
});
const steps: number = simulation.steps;
const fp16Final: unknown = simulation.strategies["fp16"]["final"];

const half: Uint16Array = m.convertArray(new Float32Array([1, 65520, 1e-8]), "fp16");
const brain: Uint16Array = m.convertArray(new Float32Array([1]), "bf16", { round: "stochastic", seed: 3, counter: 0 });
const e4m3: Uint8Array = m.convertArray(new Float32Array([448, 500]), "fp8-e4m3", { saturate: true });
const anyFormat: Uint16Array | Uint8Array = m.convertArray(new Float32Array([1]), "e5m2" as string);

const dotted: DotReport = m.dot([1, "0x1p-7"], ["1", 2 ** -6], { in: "fp8-e4m3", acc: "tc:h100", c: 0 });
const dotBits: string | null = dotted.bits;
const dotRel: number | null = dotted.error_rel;
const dotTyped: DotReport = m.dot(new Float32Array([1, 2]), new Float64Array([3, 4]), { in: "fp16", acc: "exact" });
const gemm: GemmErrorReport = m.gemmError({
  k: [16, 64], in: "fp8-e4m3", dist: "uniform:0:1", acc: ["tc:h100", "blocked:tc:h100:16"], trials: 5, seed: 1n,
});
const gemmRow: GemmErrorRow = gemm.rows[0];
const gemmMedian: number | null = gemmRow.median;
const gemmText: GemmErrorReport = m.gemmError({ k: "32", in: "bf16", acc: "seq:bf16,tc:a100", trials: 2 });

const progress: number[] = [];
const trained: TrainReport = m.train({
  data: "xor", model: [2, 4, 2], optimizer: "sgd:lr=0.1,momentum=0.9", recipes: ["fp32", "bf16-sr"], epochs: 1,
  batch: 40, seed: 1n, chunk: 5, lossWeight: 1e-3,
}, (p: number) => progress.push(p));
const trainedRecipe: TrainRecipeReport = trained.recipes[1];
const trainedLoss: number | null = trainedRecipe.final_loss;
const trainedLost: number = trainedRecipe.steps.lost[0][0];

const blocks: QuantizedBlocks = m.quantizeBlocks(new Float32Array([1, 2, 3, 7.9]), {
  format: "mxfp4", scaleRule: "ocp", block: 4, round: "rne", seed: 1, pad: false,
});
const blockScales: Uint8Array = blocks.scales;
const blockElements: Uint8Array = blocks.elements;
const blockValues: Float32Array = blocks.dequantized;
const nv: QuantizedBlocks = m.quantizeBlocks(new Float32Array([1, -2, 0.5]), { format: "nvfp4", pad: true });
const nvBack: Float32Array = m.dequantizeBlocks({
  scales: nv.scales, elements: nv.elements, format: "nvfp4", block: nv.block, tensorScale: nv.tensorScale,
});
const report: QuantizeReport = m.quantize(["7.9", 1, 0.5, "-3"], { format: "mxfp4", block: 4, scaleRule: "ceil" });
const reportScale: string = report.blocks[0].scale_bits;
const reportSqnr: number | null = report.sqnr_db;

const scenario: PartialScenario = { panel: "add", addition: { a: "1.5", b_format: "bf16" } };
const hash: string = m.encodeScenario(scenario, { activePanelOnly: true });
const back: DecodedScenario = m.decodeScenario("#" + hash);
const panel: Scenario["panel"] = back.scenario.panel;
const blocksOutlier: string = back.scenario.blocks.outlier;
const blocksHash: string = m.encodeScenario({ panel: "blocks", blocks: { format: "mxfp4", count: 16 } });
const dotScenario: PartialScenario = { panel: "dot", accumulation: { ks: "128,4096", acc: "tc:h100;blocked:tc:h100:128" } };
const dotTrials: number = m.decodeScenario("#" + m.encodeScenario(dotScenario)).scenario.accumulation.trials;
const networkRecipes: string = m.decodeScenario("#v=1&p=network&nr=fp32,fp8").scenario.network.recipes;
const notices: string[] = back.notices;
const linkVersion: number = back.version;
const compact: boolean = back.compact;
const heap: number = m.heapInUse();

let message = "";
try {
  m.convert("1.2.3", "fp16");
} catch (e) {
  if (e instanceof Error) message = e.message;
}

// inspect: a two-value safetensors file built in memory, read as a Blob and as bytes.
const header = new TextEncoder().encode('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}');
const file = new Uint8Array(8 + header.length + 8);
new DataView(file.buffer).setUint32(0, header.length, true);
file.set(header, 8);
new DataView(file.buffer).setFloat32(8 + header.length, 65520, true);
new DataView(file.buffer).setFloat32(12 + header.length, 1e-8, true);
const seen: InspectProgress[] = [];
const inspected: InspectReport = await m.inspect({ name: "w.safetensors", data: new Blob([file]) },
  { formats: ["fp16", "bf16"], lr: "1e-4", gradStd: 1e-3, chunkBytes: 16 }, (p) => seen.push(p));
const inspectOverflow: number = inspected.tensors[0].formats[0].overflow;
const inspectLost: number | undefined = inspected.totals[0].lost_update_fraction;
const inspectChunks = seen.length;
const inspectBytes = await m.inspect([file.buffer], { signal: new AbortController().signal });
const inspectFile: string = inspectBytes.tensors[0].file;
// The same file scanned as two pieces (as the playground's workers do), merged.
const piece: string = await m.inspect({ name: "w.safetensors", data: file }, { formats: "fp16", partial: true });
const merged: InspectReport = m.inspectMerge([piece, piece]);
const inspectMergedOverflow: number = merged.totals[0].overflow;

// What Deno prints; package.test.mjs compares it with the same calls in Node.
console.log(JSON.stringify({
  version, bits, value, cls, relative, rounded: rounded.bits, stochastic: stochastic.bits, fromBits: fromBits.value,
  bigSeed: bigSeed.bits, decoded: decoded.value, decodedBig: decodedBig.value, decodedText: decodedText.class,
  traceKeys: Object.keys(trace).length > 0, steps, fp16Final, lossScaledSteps: lossScaled.steps,
  half: Array.from(half), brain: Array.from(brain), e4m3: Array.from(e4m3), anyFormat: Array.from(anyFormat),
  dotBits, dotRel, dotExact: dotTyped.exact, gemmAcc: gemmRow.acc, gemmMedian, gemmRows: gemmText.rows.length,
  trainedLoss, trainedLost, trainedSteps: trained.steps, trainProgress: progress[progress.length - 1],
  blockScales: Array.from(blockScales), blockElements: Array.from(blockElements), blockValues: Array.from(blockValues),
  nvTensorScale: nv.tensorScale, nvBack: Array.from(nvBack), reportScale, reportSqnr,
  inspectOverflow, inspectLost, inspectChunks, inspectFile, inspectMergedOverflow,
  hash, panel, blocksOutlier, blocksHash, dotTrials, notices, linkVersion, compact, heapPositive: heap > 0, message,
}));
