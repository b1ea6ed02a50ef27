// A plain page using the JavaScript API (used by tests/browser/api_cli.test.mjs).
import Mantissa from "../mantissa.mjs";

const m = await Mantissa();
window.mantissaApi = m;
const r = m.convert("1.12156456132", "fp16", { via: "fp32" });
document.getElementById("result").textContent =
  `1.12156456132 stored as fp32, then fp16: ${r.value} (${r.bits})`;
