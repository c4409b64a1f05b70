"""Screenshots of what a learner sees, for a person to look at (issue #18: "check each lesson's
screenshots at 1280×800 and in JupyterLab's dark theme").

    python tests/screens.py [--only 02[,04]] [--theme light|dark|both]

Starts a private JupyterLab on the repository (``lab_server.LabServer``), opens each lesson in
Debian's Chromium at a 1280×800 viewport, runs it top to bottom, operates each app once the way
the browser test does (``browser_support.operate_app``), then saves, per theme:

- ``00-top.png``: the viewport at the top of the lesson (title, first cells, Lab's own chrome),
- ``NN.png``: an element screenshot of every output that holds an image, a widget or a table,

into ``test-artifacts/screens/<theme>/<lesson>/``. Dark theme is JupyterLab Dark, switched in
the same page after the light shots (the outputs are the same; only the theme changes).
It is a tool for looking, not a test: pytest does not collect it (its name has no ``test_``).
Run it one lesson at a time on a shared machine; a lesson takes one to two minutes.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import browser_support as bs  # noqa: E402
from lab_server import LabServer  # noqa: E402

VIEWPORT = {"width": 1280, "height": 800}
OPEN_TIMEOUT, RUN_TIMEOUT = 120.0, 180.0
SHOTS = bs.ARTIFACTS / "screens"
#: Outputs worth a look: an image, a widget, or a table.
SHOWN = (
    '.jp-NotebookPanel .jp-OutputArea-output:is([data-mime-type="application/vnd.jupyter.widget-view+json"],'
    ':has(img), :has(table))'
)


def set_theme(page, theme: str) -> None:
    bs.set_theme(page, theme)
    time.sleep(0.5)  # let images and fonts settle before a screenshot


def run_lesson(page, lab: LabServer, notebook: Path, first: bool) -> list[str]:
    """Open, Run All, operate every app once; returns what operating did (for the log)."""
    relative = notebook.relative_to(ROOT).as_posix()
    if first:
        bs.open_notebook(page, lab.url(f"lab/tree/{relative}"), OPEN_TIMEOUT)
    else:
        bs.open_notebook(page, "", OPEN_TIMEOUT, path=relative)
    bs.run_all(page)
    bs.wait_for_run(page, RUN_TIMEOUT)
    widgets = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.widget-view+json"]')
    bs.wait_until(lambda: "Loading widget" not in " ".join(widgets.all_inner_texts()), 30, "widgets to load")
    done = []
    apps = page.locator(".steward-app")
    for index in range(apps.count()):
        app = apps.nth(index)
        app.scroll_into_view_if_needed()
        done += [f"app {index + 1}: {op}" for op in bs.operate_app(page, app)]
    return done


def shoot(page, folder: Path) -> int:
    """The top of the lesson, then every output with an image, a widget or a table."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    page.evaluate("() => { const s = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer'); if (s) s.scrollTop = 0; }")
    page.mouse.move(0, 0)
    time.sleep(0.3)
    page.screenshot(path=str(folder / "00-top.png"))
    outputs = page.locator(SHOWN)
    count = outputs.count()
    for index in range(count):
        output = outputs.nth(index)
        try:
            output.scroll_into_view_if_needed(timeout=5000)
            box = output.bounding_box() or {"height": 0}
            # An output taller than the window would be shot in scrolled pieces with Lab's
            # toolbars over it: make the window taller for it (the width, and so the layout,
            # stays 1280 px).
            tall = box["height"] > VIEWPORT["height"] - 120
            if tall:
                page.set_viewport_size({"width": VIEWPORT["width"], "height": int(box["height"]) + 240})
                output.scroll_into_view_if_needed(timeout=5000)
            output.screenshot(path=str(folder / f"{index + 1:02d}.png"), timeout=15000)
            if tall:
                page.set_viewport_size(VIEWPORT)
        except Exception as error:  # a zero-size output (an empty widget) has nothing to show
            print(f"  output {index + 1}: no screenshot ({str(error).splitlines()[0]})")
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="lesson numbers, comma-separated (e.g. 02 or 02,04); default all")
    parser.add_argument("--theme", choices=["light", "dark", "both"], default="both")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    wanted = [n.strip().zfill(2) for n in args.only.split(",") if n.strip()]
    lessons = [p for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")) if not wanted or p.name[:2] in wanted]
    themes = ["light", "dark"] if args.theme == "both" else [args.theme]
    executable = bs.chromium_path()
    if executable is None:
        print("Chromium is not installed (Debian/Ubuntu: apt-get install chromium)")
        return 2
    lab = LabServer(ROOT, start_timeout=OPEN_TIMEOUT)
    lab.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=bs.CHROMIUM_ARGS)
            context = browser.new_context(viewport=VIEWPORT)
            context.set_default_timeout(30_000)
            page = context.new_page()
            for notebook in lessons:
                started = time.monotonic()
                for line in run_lesson(page, lab, notebook, first=notebook == lessons[0]):
                    print(f"{notebook.stem} {line}")
                for theme in themes:
                    set_theme(page, theme)
                    count = shoot(page, SHOTS / theme / notebook.stem)
                    print(f"{notebook.stem} [{theme}]: {count} outputs → {SHOTS / theme / notebook.stem}")
                lab.shutdown_kernels()
                print(f"{notebook.stem}: {time.monotonic() - started:.0f} s")
            context.close()
            browser.close()
    finally:
        lab.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
