// The article's inline figures, computed by the Mantissa JavaScript API when
// the page loads. Results are written with textContent (never innerHTML).
import Mantissa from "../mantissa.mjs";

function show(id, text) {
  document.getElementById(id).textContent = text;
}

try {
  const m = await Mantissa();
  const fp32 = m.convert("1.12156456132", "fp32");
  const fp16 = m.convert("1.12156456132", "fp16", { via: "fp32" });
  show("fig-fp32", fp32.value);
  show("fig-fp16", fp16.value);
  show("fig-fp16-bits", fp16.bits);
  // The fp32 value rounded into fp16: error_abs is (fp16 value - fp32 value), exactly.
  show("fig-fp16-error", m.convert(fp32.value, "fp16").error_abs);

  const one = m.simulate({ steps: 1, w0: "1.125", inc: "0.12457275190625", strategies: ["fp16", "fp32-master"] });
  show("fig-add-fp16", one.strategies.fp16.final);
  show("fig-add-fp32", one.strategies["fp32-master"].final);

  show("fig-grad", m.convert("0.00041999", "fp16").value);
  const run = m.simulate({ steps: 101, w0: "1.125", inc: "0.00041999", strategies: ["fp32-master", "fp16"] });
  show("fig-train-fp32", run.strategies["fp32-master"].final);
  show("fig-train-fp16", run.strategies.fp16.final);
  show("fig-lost", `(${run.strategies.fp16.lost_updates} of 101 updates lost.)`);
  show("api-status", `Figures computed in this page by Mantissa ${m.version()}.`);
  document.body.dataset.figures = "ready";
} catch (error) {
  show("api-status", `The figures could not be computed: ${error.message}`);
  document.body.dataset.figures = "failed";
}
