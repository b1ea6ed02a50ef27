// One epoch of the digits for the 8 recipes through m.train in headless
// Chromium (the page examples/api-plain.html of build/web, served by the
// browser tests' harness): warm-up, then the median of N runs, interleaved
// with nothing else. Then, in the bench page (build/web/bench/), the
// trainer's GEMM in SIMD128 vs its scalar reference vs the per-dot path it
// replaced (bench/gemm_bench.h, bits checked equal), and the 8-recipe epoch
// with the best dot kernel vs the scalar one, interleaved.
// Usage: node bench/train_chromium.mjs [N]
import { openPage, startBrowser } from "../tests/browser/harness.mjs";

const runs = Math.max(1, Number(process.argv[2] ?? 3));
const env = await startBrowser();
try {
  const { page, context } = await openPage(env, "/examples/api-plain.html");
  await page.waitForFunction(() => window.mantissaApi !== undefined, null, { timeout: 60000 });
  const r = await page.evaluate((runs) => {
    const m = window.mantissaApi;
    const recipes = ["fp32", "fp16", "fp16-amp", "fp16-master-noscale", "bf16", "bf16-kahan", "bf16-sr", "fp8"];
    m.train({ recipes, epochs: 1 });  // warm-up: V8 tiers the wasm up
    const times = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      m.train({ recipes, epochs: 1 });
      times.push(performance.now() - t0);
    }
    return { times, ua: navigator.userAgent, cores: navigator.hardwareConcurrency };
  }, runs);
  r.times.sort((a, b) => a - b);
  console.log(`Chromium (${r.ua.match(/Chrome\/[0-9.]+/)?.[0]}, ${r.cores} cores): one epoch of digits, 8 recipes: ` +
    `median ${r.times[Math.floor(runs / 2)].toFixed(0)} ms over ${runs} runs (${r.times.map((t) => t.toFixed(0)).join(", ")}); ` +
    `issue target < 1000 ms`);
  await context.close();

  const bench = await openPage(env, "/bench/");
  await bench.page.waitForFunction(() => window.mantissaBench !== undefined, null, { timeout: 60000 });
  const g = await bench.page.evaluate((rounds) => window.mantissaBench.gemm({ rounds }), Math.max(runs, 5));
  for (const [label, c] of Object.entries(g.cases)) {
    console.log(`Chromium gemm ${label.padEnd(14)} (${g.steps} steps' products, ${g.simdImpl}): simd ${c.ms.simd.toFixed(2)} ms, ` +
      `scalar ${c.ms.scalar.toFixed(2)} ms, per-dot before ${c.ms["per-dot"].toFixed(2)} ms: simd_vs_scalar ` +
      `${c.simdVsScalar.toFixed(2)}x, vs per-dot ${c.simdVsPerDot.toFixed(2)}x`);
  }
  console.log(`Chromium gemm_simd_vs_scalar (smallest of the models above): ${g.gemmSimdVsScalar.toFixed(2)}x; issue target >= 4x`);
  const t = await bench.page.evaluate((rounds) => window.mantissaBench.train({ rounds }), runs);
  console.log(`Chromium bench page, one epoch of the 8 recipes: best dot kernel ${t.ms.best.toFixed(0)} ms, scalar ` +
    `${t.ms.scalar.toFixed(0)} ms (${t.epochSimdVsScalar.toFixed(2)}x), parameters identical`);
  await bench.context.close();
} finally {
  await env.close();
}
