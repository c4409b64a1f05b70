"""What the browser tests do in a JupyterLab page, the way a person would: open a
notebook, wait for the kernel, Run All, read what every cell shows, and operate a
widget's controls (arrow keys on a slider, another option in a dropdown, a click).

"What the learner sees" of an app is its view, not its controls: the chart captions, the
images (a new image gets a new ``src``), and the text of its HTML and output parts. A
slider's readout is left out, so moving a slider only counts as a change when the view
it steers changed too.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
KERNEL_IDLE = "Python 3 (ipykernel) | Idle"
RUN_ALL = '.lm-Menu-item[data-command="runmenu:run-all"]'
WIDGET_ERROR = "Error displaying widget"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def chromium_path() -> str | None:
    return os.environ.get("STEWARD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


# -- reading the notebook ------------------------------------------------------------
#: Every code cell of the open notebook, from Lab's own model: source, execution count,
#: outputs (as nbformat JSON) and whether its prompt still shows "[*]".
CELLS_JS = """
() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.model) return null;
  const nb = panel.content;
  const cells = [];
  for (let i = 0; i < nb.model.cells.length; i++) {
    const cell = nb.model.cells.get(i);
    if (cell.type !== 'code') continue;
    const outputs = [];
    for (let j = 0; j < cell.outputs.length; j++) outputs.push(cell.outputs.get(j).toJSON());
    const view = nb.widgets[i];
    const prompt = view && view.node.querySelector('.jp-InputPrompt');
    cells.push({
      index: i,
      source: cell.sharedModel.getSource(),
      count: cell.executionCount,
      outputs: outputs,
      running: !!(prompt && prompt.textContent.includes('*')),
    });
  }
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return {cells: cells, kernel: kernel ? kernel.status : 'none'};
}
"""

#: What a learner sees of one app (see the module docstring).
VIEW_JS = """
(app) => {
  const text = (sel) => [...app.querySelectorAll(sel)].map(e => e.textContent.trim());
  return {
    titles: text('.steward-chart-title'),
    images: [...app.querySelectorAll('img')].map(e => e.getAttribute('src') || ''),
    text: text('.widget-html-content, .widget-output .jp-OutputArea-output'),
  };
}
"""


@dataclass
class CellReport:
    index: int
    count: int | None
    errors: list[str] = field(default_factory=list)


def cells(page) -> dict[str, Any]:
    return page.evaluate(CELLS_JS) or {"cells": [], "kernel": "none"}


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def error_text(output: dict[str, Any]) -> str | None:
    """The error an output shows, if it is one (an exception, or a traceback on stderr)."""
    if output.get("output_type") == "error":
        return f"{output.get('ename')}: {output.get('evalue')}"
    if output.get("output_type") == "stream" and output.get("name") == "stderr":
        text = output.get("text", "")
        text = "".join(text) if isinstance(text, list) else text
        if "Traceback" in text or re.search(r"^\w*Error\b", text, re.M):
            return text.strip()[:500]
    return None


#: In a page where Lab is already loaded: close every open document without saving
#: (a lesson's outputs must never be written to the repository), then open ``path`` as
#: a learner would from the file browser.
REOPEN_JS = """
async (path) => {
  const app = window.jupyterapp;
  for (const widget of Array.from(app.shell.widgets('main'))) {
    if (widget.context) widget.context.model.dirty = false;
    widget.close();
  }
  await app.commands.execute('docmanager:open', {path: path, factory: 'Notebook'});
}
"""


# -- driving the notebook ------------------------------------------------------------
def open_notebook(page, url: str, timeout: float, path: str | None = None) -> None:
    """Load Lab at ``url`` (a fresh page), or, given ``path`` in a page where Lab runs
    already, open that notebook in place (Lab's start-up is the slow part of a test).
    Returns once the kernel is idle, so Run All cannot race the kernel's start."""
    if path is None:
        page.goto(url)
    else:
        page.evaluate(REOPEN_JS, path)
    page.get_by_text(KERNEL_IDLE).first.wait_for(timeout=timeout * 1000)
    wait_until(lambda: (state := cells(page)) and state["kernel"] == "idle" and state["cells"]
               and (path is None or current_path(page) == path), timeout, "the notebook's cells")


def current_path(page) -> str | None:
    return page.evaluate("() => { const w = window.jupyterapp.shell.currentWidget; return w && w.context ? w.context.path : null; }")


def run_all(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).first.click()
    page.locator(RUN_ALL).click()


def wait_for_run(page, timeout: float) -> dict[str, Any]:
    """Until no cell is queued or running and the kernel is idle: either every code cell
    ran, or an error stopped the run."""

    def finished() -> dict[str, Any] | None:
        state = cells(page)
        code = [c for c in state["cells"] if c["source"].strip()]
        if state["kernel"] != "idle" or any(c["running"] for c in code):
            return None
        ran_all = all(c["count"] is not None for c in code)
        stopped = any(error_text(o) for c in code for o in c["outputs"])
        return state if (ran_all or stopped) else None

    return wait_until(finished, timeout, "Run All to finish")


def visible_errors(page) -> list[str]:
    """Errors the page itself shows: tracebacks on stderr, widgets that failed to display."""
    found = []
    stderr = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    for text in stderr.all_inner_texts():
        if "Traceback" in text or "Error" in text:
            found.append(text.strip()[:500])
    body = page.locator(".jp-NotebookPanel").first.inner_text()
    if WIDGET_ERROR in body:
        found.append(WIDGET_ERROR + ": " + body.split(WIDGET_ERROR, 1)[1].splitlines()[0][:200])
    return found


# -- operating an app ----------------------------------------------------------------
#: Python run in the lesson's kernel (outside the notebook's cells, leaving no names
#: behind): how many redraws every App has done so far. A change that reached the kernel
#: and was computed shows up here even when the view it gives looks the same.
REDRAWS_CODE = "print(__import__('steward.widgets', fromlist=['App']).App.redraws())"
KERNEL_JS = """
async (code) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session.kernel;
  let out = '';
  const future = kernel.requestExecute({code: code, silent: false, store_history: false});
  future.onIOPub = (msg) => { if (msg.header.msg_type === 'stream') out += msg.content.text; };
  await future.done;
  return out;
}
"""


def kernel_redraws(page) -> int:
    text = page.evaluate(KERNEL_JS, REDRAWS_CODE).strip()
    return int(text) if text.isdigit() else -1


def view_of(app) -> dict[str, Any]:
    return app.evaluate(VIEW_JS)


@dataclass
class Operation:
    """One thing done to a control, and what came of it: the kernel redrew the app
    (``redrawn``), and/or what the learner sees changed (``changed``)."""

    control: str
    how: str
    changed: bool
    redrawn: bool
    value_control: bool = True  # a slider, dropdown, choice or checkbox: it must reach the kernel

    @property
    def ok(self) -> bool:
        """A value control must change the view for some value tried (the search in each
        ``operate_*`` looks past values that legitimately look the same, e.g. a nine more
        on a part that is not the bottleneck); a button must do something visible or redraw."""
        return self.changed if self.value_control else (self.redrawn or self.changed)

    def __str__(self) -> str:
        effect = "view changed" if self.changed else ("redrawn, view unchanged" if self.redrawn else "NO EFFECT")
        return f"{self.control} ({self.how}): {effect}"


class Observer:
    """Watches one app: its view in the page and the kernel's redraw count."""

    def __init__(self, page, app) -> None:
        self.page, self.app = page, app
        self.view = view_of(app)
        self.redraws = kernel_redraws(page)

    def settle(self, timeout: float = 15.0, grace: float = 1.5) -> tuple[bool, bool]:
        """After an action: (did the view change, did the kernel redraw). Returns as soon
        as the view changes; when the kernel has redrawn but the view still looks the
        same, waits ``grace`` seconds for the front end before saying so."""
        deadline, next_kernel_poll, redrawn_at = time.monotonic() + timeout, 0.0, None
        while time.monotonic() < deadline:
            if view_of(self.app) != self.view:
                return True, kernel_redraws(self.page) > self.redraws
            now = time.monotonic()
            if redrawn_at is None and now >= next_kernel_poll:
                if kernel_redraws(self.page) > self.redraws:
                    redrawn_at = now
                next_kernel_poll = now + 0.5
            if redrawn_at is not None and now - redrawn_at > grace:
                return False, True
            time.sleep(0.1)
        return False, kernel_redraws(self.page) > self.redraws


def _label(control) -> str:
    label = control.locator(".widget-label, .widget-label-basic, .steward-slider-label").first
    text = label.inner_text().replace("\u200b", "").strip() if label.count() else ""
    return text or control.inner_text().replace("\u200b", "").strip()[:40] or "(unlabelled)"


def operate_slider(page, app, slider) -> Operation:
    """Focus the handle (ipywidgets' noUiSlider, or the named slider's range input) and press an arrow key (left when it is at the top). When the view
    looks the same at the new value, keep stepping (up to 5 more) to find a visible change."""
    readout = slider.locator(".widget-readout, .steward-slider-readout").first
    handle = slider.locator(".noUi-handle, input[type=range]").first
    watch, start = Observer(page, app), readout.inner_text()
    handle.focus()
    key = "ArrowRight"
    handle.press(key)
    try:
        wait_until(lambda: readout.inner_text() != start, 2.0, "the readout", 0.1)
    except AssertionError:  # already at its maximum
        key = "ArrowLeft"
        handle.press(key)
    changed, redrawn = watch.settle()
    presses = [key]
    back = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
    for step in [key] * 5 + [back] * 10:  # onwards, then back past the start
        if changed or not redrawn:
            break
        before = readout.inner_text()
        handle.press(step)
        presses.append(step)
        if _wait_text_change(readout, before):
            changed, _ = watch.settle(timeout=5.0)
    keys = ", ".join(f"{k} ×{n}" for k, n in _runs(presses))
    return Operation(f"slider {_label(slider)!r}", f"{keys}: {start} → {readout.inner_text()}", changed, redrawn)


def _runs(keys: list[str]) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for key in keys:
        if out and out[-1][0] == key:
            out[-1] = (key, out[-1][1] + 1)
        else:
            out.append((key, 1))
    return out


def _wait_text_change(locator, before: str) -> bool:
    try:
        wait_until(lambda: locator.inner_text() != before, 1.0, "the readout", 0.1)
        return True
    except AssertionError:
        return False


def operate_dropdown(page, app, dropdown) -> Operation:
    """Select another option; when the view looks the same, try the others in turn."""
    select = dropdown.locator("select").first
    options = select.locator("option").all_inner_texts()
    current = select.evaluate("s => s.selectedIndex")
    name = f"dropdown {_label(dropdown)!r}"
    if len(options) < 2:
        return Operation(name, "only one option", False, True)
    watch, tried, changed, redrawn = Observer(page, app), [], False, False
    for step in range(1, len(options)):
        index = (current + step) % len(options)
        select.select_option(index=index)
        tried.append(options[index])
        changed, now_redrawn = watch.settle(timeout=15.0 if step == 1 else 5.0)
        redrawn = redrawn or now_redrawn
        if changed or not redrawn:
            break
    return Operation(name, f"{options[current]!r} → {' → '.join(map(repr, tried))}", changed, redrawn)


def operate_toggle_buttons(page, app, group) -> Operation:
    choices = group.locator("button:not(.mod-active)")
    name = f"choice {_label(group)!r}"
    if choices.count() == 0:
        return Operation(name, "only one option", False, True)
    watch, tried, changed, redrawn = Observer(page, app), [], False, False
    for index in range(choices.count()):
        button = group.locator("button:not(.mod-active)").nth(min(index, choices.count() - 1))
        tried.append(button.inner_text())
        button.click()
        changed, now_redrawn = watch.settle(timeout=15.0 if index == 0 else 5.0)
        redrawn = redrawn or now_redrawn
        if changed or not redrawn:
            break
    return Operation(name, f"clicked {' then '.join(map(repr, tried))}", changed, redrawn)


def operate_checkbox(page, app, box) -> Operation:
    watch = Observer(page, app)
    box.locator("input[type=checkbox]").first.click()
    changed, redrawn = watch.settle()
    return Operation(f"checkbox {_label(box)!r}", "clicked", changed, redrawn)


def operate_button(page, app, button) -> Operation:
    watch = Observer(page, app)
    text = button.inner_text().strip()
    button.click()
    changed, redrawn = watch.settle()
    return Operation(f"button {text!r}", "clicked", changed, redrawn, value_control=False)


def operate_textarea(page, app, box) -> Operation:
    """Type a sentence at the end of the text (a blameful one, so a linter has something to
    say), then leave the box: that is when a widget with continuous_update=False sends it."""
    area = box.locator("textarea").first
    watch = Observer(page, app)
    area.click()
    area.press("End")
    page.keyboard.press("Control+End")
    area.type("\nBob forgot to restart the pod; human error. Goals: none.")
    area.press("Tab")
    changed, redrawn = watch.settle()
    how = "typed a sentence, then Tab"
    if not changed:  # the sentence may not change a verdict; clearing the box always should
        area.click()
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        area.press("Tab")
        changed, redrawn_again = watch.settle()
        redrawn = redrawn or redrawn_again
        how += "; cleared it, then Tab"
    return Operation(f"text box {_label(box)!r}", how, changed, redrawn)


#: (kind, selector of the control's container inside an app, how to operate it), in the
#: order they are tried: value controls first, then buttons (a "Reset" shows a change
#: only after something moved).
CONTROLS = [
    ("slider", ".widget-slider, .steward-slider", operate_slider),
    ("dropdown", ".widget-dropdown", operate_dropdown),
    ("choice", ".widget-toggle-buttons", operate_toggle_buttons),
    ("checkbox", ".widget-checkbox", operate_checkbox),
    ("text", ".widget-textarea", operate_textarea),
    ("button", "button.jupyter-button:not(.widget-toggle-button)", operate_button),
]


def operate_app(page, app) -> list[Operation]:
    """Operate the first *visible* control of each kind the app has (a control inside a
    collapsed accordion is not one a person can reach); say what each did."""
    done = []
    for _, selector, operate in CONTROLS:
        controls = app.locator(selector)
        visible = [controls.nth(i) for i in range(controls.count()) if controls.nth(i).is_visible()]
        if visible:
            control = visible[0]
            control.scroll_into_view_if_needed()
            done.append(operate(page, app, control))
    return done


def screenshot(page, name: str) -> Path | None:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    try:
        page.screenshot(path=str(target), full_page=True)
    except Exception:  # the page may be gone; the failure itself matters more
        return None
    return target


# -- what the page renders around the lesson (issue 19) --------------------------------
DIRTY_JS = "() => { const w = window.jupyterapp.shell.currentWidget; return w && w.context ? w.context.model.dirty : null; }"

#: Every piece of typeset maths on the page (MathJax 3 renders into <mjx-container>), and
#: whether it sits in a Markdown cell or in an output.
MATHS_JS = """
() => [...document.querySelectorAll('mjx-container')].map(e => {
  const cell = e.closest('.jp-Cell');
  const where = e.closest('.jp-OutputArea') ? 'output' : (cell && cell.classList.contains('jp-MarkdownCell') ? 'markdown' : 'other');
  const host = e.closest('.jp-OutputArea-output, .jp-RenderedMarkdown, p, li') || e;
  return {where: where, text: host.textContent.slice(0, 160)};
})
"""
#: Display maths an author writes on purpose in Markdown.
AUTHORED_MATHS = re.compile(r"\$\$.+?\$\$", re.S)


def is_dirty(page) -> bool | None:
    """Whether Lab marks the open notebook as unsaved."""
    return page.evaluate(DIRTY_JS)


def rendered_maths(page) -> list[dict[str, str]]:
    return page.evaluate(MATHS_JS)


def unintended_maths(page, markdown_sources: list[str]) -> list[str]:
    """Maths on the page that nobody wrote as maths: any in an output, and more in the
    Markdown cells than the ``$$…$$`` blocks their sources hold (paired ``$`` amounts)."""
    found = rendered_maths(page)
    authored = sum(len(AUTHORED_MATHS.findall(source)) for source in markdown_sources)
    bad = [f"in an output: {m['text']}" for m in found if m["where"] != "markdown"]
    markdown = [m for m in found if m["where"] == "markdown"]
    if len(markdown) > authored:
        bad += [f"in Markdown ({len(markdown)} typeset, {authored} written as $$…$$): {m['text']}" for m in markdown]
    return bad


# -- accessibility -------------------------------------------------------------------
#: Impacts that fail the audit (axe-core's scale: minor, moderate, serious, critical).
BLOCKING_IMPACTS = ("serious", "critical")
#: What the audit covers: the notebook's outputs (the lesson's charts, tables, widgets),
#: not JupyterLab's own interface, which the curriculum does not control.
OUTPUTS = ".jp-NotebookPanel .jp-OutputArea-output"

AXE_RUN_JS = """
async (selector) => {
  const nodes = Array.from(document.querySelectorAll(selector));
  if (!nodes.length) return {violations: [], images: [], clipped: []};
  const results = await axe.run({include: nodes}, {resultTypes: ['violations']});
  const images = Array.from(document.querySelectorAll(selector + ' img')).map(img => ({
    alt: (img.getAttribute('alt') || img.getAttribute('aria-label') || img.getAttribute('title') || '').trim(),
    src: (img.getAttribute('src') || '').slice(0, 40),
  }));
  // Read-outs (a slider's value) cut off by a box around them: "4.5" showing as "4."
  const clipped = [];
  for (const readout of document.querySelectorAll(selector + ' .steward-slider-readout, ' + selector + ' .widget-readout')) {
    const box = readout.getBoundingClientRect();
    if (!box.width || getComputedStyle(readout).display === 'none') continue;
    const overflowing = readout.scrollWidth > readout.clientWidth + 1;
    let cut = overflowing;
    for (let up = readout.parentElement; up && !cut && !up.classList.contains('jp-OutputArea-output'); up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX === 'visible') continue;
      const edge = up.getBoundingClientRect();
      cut = box.right > edge.right + 1 || box.left < edge.left - 1;
    }
    if (cut) clipped.push(readout.textContent.trim());
  }
  return {clipped: clipped, violations: results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => (n.target || []).join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(0, 2).join(' ')),
  })), images: images};
}
"""


#: Adds HTML to the page as one more output of the notebook's last code cell (only in the
#: page, never in the notebook): what a learner sees after checking an exercise, which a
#: lesson's Run All does not show, audited under Lab's real styles.
INJECT_JS = """
(htmls) => {
  const areas = document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-OutputArea');
  const area = areas[areas.length - 1];
  for (const html of htmls) {
    const output = document.createElement('div');
    output.className = 'jp-OutputArea-output jp-RenderedHTMLCommon jp-RenderedHTML steward-injected';
    output.dataset.mimeType = 'text/html';
    output.innerHTML = html;
    area.appendChild(output);
  }
  return htmls.length;
}
"""


def inject_outputs(page, htmls: list[str]) -> int:
    return page.evaluate(INJECT_JS, htmls)


def remove_injected(page) -> None:
    page.evaluate("() => document.querySelectorAll('.steward-injected').forEach(e => e.remove())")


#: JupyterLab's themes, as Settings → Theme names them.
THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}


def set_theme(page, theme: str, timeout: float = 30.0) -> None:
    """Switch Lab to its light or dark theme, as Settings → Theme does, and return once the
    page wears it (the body's ``data-jp-theme-light``) and a frame has been laid out."""
    light = "true" if theme == "light" else "false"
    page.evaluate("(name) => window.jupyterapp.commands.execute('apputils:change-theme', {theme: name})", THEMES[theme])
    wait_until(lambda: page.evaluate("() => document.body.dataset.jpThemeLight") == light, timeout, f"the {theme} theme")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


#: Text in the outputs whose contrast with what is behind it is below WCAG 2.1 AA (4.5:1, or
#: 3:1 for large text): computed here from the page's styles because axe-core's own
#: ``color-contrast`` finds nothing to check in a notebook (it rates the text in Lab's
#: panels as not on screen and reports the rule inapplicable), so it cannot hold a theme.
#: The colour is blended over the backgrounds behind it (and faded by any opacity on the way).
CONTRAST_JS = """
(selector) => {
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c || '');
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = (c) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const behind = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage && style.backgroundImage !== 'none') return null;  // a picture: not computable
      const c = parse(style.backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    return layers.reverse().reduce((bg, c) => over(c, bg), [255, 255, 255, 1]);
  };
  const low = [];
  for (const output of document.querySelectorAll(selector)) {
    const seen = new Set();
    const walker = document.createTreeWalker(output, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      const el = t.parentElement;
      if (!t.textContent.trim() || seen.has(el) || el.closest('svg, option, style, script, mjx-container, [aria-hidden="true"]')) continue;
      seen.add(el);
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || !el.getClientRects().length) continue;
      let opacity = 1;
      for (let e = el; e && e !== document.body; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
      const bg = behind(el), fg0 = parse(style.color);
      if (!bg || !fg0) continue;
      const fg = over([fg0[0], fg0[1], fg0[2], fg0[3] * opacity], bg);
      const ratio = (Math.max(lum(fg), lum(bg)) + 0.05) / (Math.min(lum(fg), lum(bg)) + 0.05);
      const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
      const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
      if (ratio < need - 0.005) {
        low.push(`${ratio.toFixed(2)}:1 (AA asks ${need}:1): '${t.textContent.trim().slice(0, 40)}' in ${style.color} on rgb(${bg.slice(0, 3).map(Math.round).join(', ')})`);
      }
    }
  }
  return low;
}
"""


def low_contrast(page, selector: str = OUTPUTS) -> list[str]:
    """Every piece of text in the outputs below WCAG AA contrast (see :data:`CONTRAST_JS`)."""
    return page.evaluate(CONTRAST_JS, selector)


def axe_script() -> str | None:
    """axe-core's script, as the ``axe-playwright-python`` package ships it (no download)."""
    try:
        from axe_playwright_python.base import AXE_SCRIPT
    except ImportError:
        return None
    return AXE_SCRIPT


@dataclass
class Audit:
    violations: list[dict[str, Any]]
    images: list[dict[str, str]]
    clipped: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> list[dict[str, Any]]:
        return [v for v in self.violations if v["impact"] in BLOCKING_IMPACTS]

    @property
    def unnamed_images(self) -> list[str]:
        return [i["src"] for i in self.images if not i["alt"]]

    def report(self, violations: list[dict[str, Any]] | None = None) -> str:
        lines = []
        for v in self.violations if violations is None else violations:
            lines.append(f"{v['impact']}: {v['id']} ({v['help']}), {len(v['nodes'])} nodes")
            lines += [f"    {node}" for node in v["nodes"][:4]]
        return "\n".join(lines)


def audit(page, script: str, selector: str = OUTPUTS) -> Audit:
    """Run axe-core on the open notebook's outputs; list also every output image's text
    alternative (``alt``, ``aria-label`` or ``title``)."""
    page.evaluate(script)
    result = page.evaluate(AXE_RUN_JS, selector)
    return Audit(result["violations"], result["images"], result.get("clipped", []))


# -- felt latency ----------------------------------------------------------------------
#: In the page: time from each key press on ``control`` (a slider's handle or range input)
#: to the moment the app shows a new picture, decoded and painted (the frame after the
#: image's ``decode()``). Installs itself once per app; ``window.__stewardFelt`` collects.
FELT_SETUP_JS = """
(app) => {
  if (app.__stewardFelt) return;
  const state = {pressed: null, samples: [], arrivals: [], waiting: false};
  app.__stewardFelt = state;
  // On window, in the capture phase: the first place a key press reaches (the named slider
  // handles its keys there and stops them going further).
  window.addEventListener('keydown', (event) => {
    if (!app.contains(event.target)) return;
    state.pressed = performance.now(); state.waiting = true;
  }, true);
  new MutationObserver((records) => {
    if (!state.waiting) return;
    const img = records.map(r => r.target).find(t => t.tagName === 'IMG');
    if (!img) return;
    state.waiting = false;
    const started = state.pressed;
    state.arrivals.push(performance.now() - started);
    img.decode().catch(() => {}).then(() => requestAnimationFrame(() => {
      state.samples.push(performance.now() - started);
    }));
  }).observe(app, {subtree: true, attributes: true, attributeFilter: ['src']});
}
"""


def felt_latency(page, app, presses: int = 20, timeout: float = 3.0) -> list[float]:
    """Milliseconds from an arrow-key press on the app's first visible slider to its new
    picture in the page, for up to ``presses`` presses (right, then back left at the top).
    A press that brings no new picture within ``timeout`` s (the slider at its end, or a view
    that looks the same) is not counted."""
    sliders = app.locator(".noUi-handle, .steward-slider input[type=range]")
    handles = [sliders.nth(i) for i in range(sliders.count()) if sliders.nth(i).is_visible()]
    if not handles:
        return []
    handle = handles[0]
    handle.scroll_into_view_if_needed()
    app.evaluate(FELT_SETUP_JS)
    handle.focus()
    key, misses = "ArrowRight", 0
    for _ in range(presses):
        before = app.evaluate("a => a.__stewardFelt.samples.length")
        handle.press(key)
        try:
            wait_until(lambda before=before: app.evaluate("a => a.__stewardFelt.samples.length") > before, timeout,
                       "a new picture", 0.02)
        except AssertionError:
            misses += 1
            key = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
            if misses > 3:
                break
        time.sleep(0.05)
    return [float(x) for x in app.evaluate("a => a.__stewardFelt.samples")]


def felt_breakdown(app) -> dict[str, list[float]]:
    """After :func:`felt_latency`: for each sample, ms from the key press to the new image's
    ``src`` (the kernel's round trip: the message out, the redraw, the image back) and to
    the picture painted (that plus decoding and the next frame)."""
    return app.evaluate("a => ({arrived: a.__stewardFelt.arrivals, painted: a.__stewardFelt.samples})")


#: The kernel's redraw counts per live app (a mark), and the redraw times (ms) since a mark.
KERNEL_MARK_CODE = (
    "import json as _j; from steward.widgets import App as _A; "
    "print(_j.dumps({str(id(a)): len(a.timings) for a in list(_A._live)})); del _j, _A"
)
KERNEL_SINCE_CODE = (
    "import json as _j; from steward.widgets import App as _A; _m = _j.loads({mark!r}); "
    "print(_j.dumps([1000 * t for a in list(_A._live) for t in a.timings[_m.get(str(id(a)), 0):]])); del _j, _A, _m"
)


def _kernel_json(page, code: str) -> Any:
    import json

    text = page.evaluate(KERNEL_JS, code).strip()
    try:
        return json.loads(text.splitlines()[-1])
    except (ValueError, IndexError):
        return None


def kernel_mark(page) -> str:
    import json

    return json.dumps(_kernel_json(page, KERNEL_MARK_CODE) or {})


def kernel_timings_since(page, mark: str) -> list[float]:
    """The kernel's own time (ms, ``App.timings``) for every redraw since ``mark``."""
    return _kernel_json(page, KERNEL_SINCE_CODE.format(mark=mark)) or []
