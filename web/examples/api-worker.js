// A module Web Worker with its own instance of the JavaScript API: it
// converts the Float32Array it is sent and posts the bit patterns back
// (transferred, not copied). Start it with
//   new Worker(new URL("./api-worker.js", import.meta.url), { type: "module" })
// and post { format, input }. tests/browser/api_cli.test.mjs uses it.
import Mantissa from "../mantissa.mjs";

// The handler is set at once and waits for the instance itself: a message
// that arrives while the wasm is still compiling is answered, not dropped.
const ready = Mantissa();

self.onmessage = async (event) => {
  const m = await ready;
  const { format, input } = event.data;
  try {
    const bits = m.convertArray(input, format);
    self.postMessage({ bits, version: m.version(), scope: self.constructor.name }, [bits.buffer]);
  } catch (e) {
    self.postMessage({ error: e.message });
  }
};
