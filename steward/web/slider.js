// A slider a screen reader can name and a keyboard can operate: a native <input type=range>
// with a <label for=...> (its accessible name), a live <output> read-out sized to its longest
// value (never clipped), the browser's own keys (arrows, Page Up/Down, Home/End) and a visible
// focus ring. Rendered by anywidget for steward.widgets' sliders; the Python side is an
// ipywidgets slider (same traits, same validation), only the view is this one.
let counter = 0;
const KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End"]);

function decimals(step) {
  const text = String(step);
  if (text.includes("e-")) return Number(text.split("e-")[1]);
  return (text.split(".")[1] || "").length;
}

function format(value, spec, step) {
  const m = /^(,)?(?:\.(\d+))?([dfge%])?$/.exec(spec || "");
  let text;
  if (!m) text = Number(value).toFixed(decimals(step));
  else {
    const [, comma, digits, kind] = m;
    const n = digits === undefined ? undefined : Number(digits);
    if (kind === "d") text = Math.round(value).toString();
    else if (kind === "f") text = Number(value).toFixed(n ?? 6);
    else if (kind === "e") text = Number(value).toExponential(n ?? 6);
    else if (kind === "%") text = (100 * value).toFixed(n ?? 6) + "%";
    else text = String(Number(Number(value).toPrecision(n || 6)));
    if (comma && !text.includes("e")) {
      const [whole, frac] = text.split(".");
      text = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (frac !== undefined ? "." + frac : "");
    }
  }
  return text;
}

// The input steps itself on its keys, from a listener at the top of the page (the capture
// phase on window runs first), so it behaves the same in every front end: JupyterLab's and
// Jupyter Notebook 7's notebook shortcuts would otherwise take the arrow keys (to move
// between cells) before the input sees them.
function step(input, key) {
  const min = Number(input.min), max = Number(input.max), unit = Number(input.step) || 1;
  const page = Math.max(unit, Math.round((max - min) / 10 / unit) * unit);
  const now = Number(input.value);
  const next = {
    ArrowRight: now + unit, ArrowUp: now + unit, ArrowLeft: now - unit, ArrowDown: now - unit,
    PageUp: now + page, PageDown: now - page, Home: min, End: max,
  }[key];
  const snapped = Math.min(max, Math.max(min, min + Math.round((next - min) / unit) * unit));
  if (snapped === now) return;
  input.value = String(snapped);
  input.dispatchEvent(new Event("input", { bubbles: true }));
  input.dispatchEvent(new Event("change", { bubbles: true }));
}

function listenForKeys() {
  if (window.__stewardSliderKeys) return;
  window.__stewardSliderKeys = true;
  window.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("steward-slider-input")) return;
    if (!KEYS.has(event.key) || event.altKey || event.ctrlKey || event.metaKey || input.disabled) return;
    event.stopPropagation();
    event.preventDefault();
    step(input, event.key);
  }, true);
}

function render({ model, el }) {
  const log = model.get("_steward_kind") === "log";
  const integer = model.get("_steward_kind") === "int";
  const id = `steward-slider-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  el.classList.add("steward-slider");
  const label = document.createElement("label");
  label.className = "steward-slider-label";
  label.htmlFor = id;
  const input = document.createElement("input");
  input.type = "range";
  input.id = id;
  const output = document.createElement("output");
  output.htmlFor = id;
  output.className = "steward-slider-readout";
  output.setAttribute("aria-hidden", "true"); // the input's aria-valuetext says it already
  el.append(label, input, output);

  const position = (value) => (log ? Math.log(value) / Math.log(model.get("base")) : value);
  const valueAt = (pos) => {
    if (log) return Math.pow(model.get("base"), pos);
    if (integer) return Math.round(pos);
    return Number(pos.toFixed(decimals(model.get("step")) + 2));
  };
  const text = (value) => format(value, model.get("readout_format"), model.get("step"));

  function showValue(value) {
    const shown = text(value);
    output.textContent = model.get("readout") === false ? "" : shown;
    input.setAttribute("aria-valuetext", shown);
  }
  function update() {
    const description = model.get("description") || "";
    label.textContent = description;
    label.style.display = description ? "" : "none";
    // ipywidgets' style.description_width, when the lesson set one: the label's width, so
    // a column of sliders lines up; the text wraps rather than being cut off.
    const style = model.get("style");
    const width = style && typeof style.get === "function" ? style.get("description_width") : "";
    label.style.flexBasis = width && width !== "initial" ? width : "auto";
    const tooltip = model.get("tooltip") || "";
    if (description) input.removeAttribute("aria-label");
    else input.setAttribute("aria-label", tooltip || "slider");
    if (tooltip) el.title = tooltip; else el.removeAttribute("title");
    input.min = model.get("min");
    input.max = model.get("max");
    input.step = model.get("step");
    input.disabled = !!model.get("disabled");
    input.value = position(model.get("value"));
    const ends = [model.get("min"), model.get("max")].map((v) => (log ? Math.pow(model.get("base"), v) : v));
    const widest = Math.max(...[...ends, model.get("value")].map((v) => text(v).length), 3);
    output.style.minWidth = `${widest + 1}ch`;
    showValue(model.get("value"));
  }
  function send() {
    const value = valueAt(Number(input.value));
    if (value !== model.get("value")) {
      model.set("value", value);
      model.save_changes();
    }
  }
  input.addEventListener("input", () => {
    showValue(valueAt(Number(input.value)));
    if (model.get("continuous_update")) send();
  });
  input.addEventListener("change", send);
  // The keys a range input answers belong to it, not to JupyterLab's notebook shortcuts
  // (which would take the arrows to move between cells and cancel the slider's step).
  el.dataset.lmSuppressShortcuts = "true";
  input.classList.add("steward-slider-input");
  listenForKeys();
  model.on("change", update);
  update();
  return () => model.off("change", update);
}

export default { render };
