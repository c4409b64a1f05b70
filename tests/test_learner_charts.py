"""A chart the learner draws with pyplot carries a text alternative too (issue #18, item 1):
in a real kernel, every figure output holds an ``<img alt>`` next to its PNG, shown once,
whatever way the cell shows it (``plt.show()``, last expression, ``display(fig)``), and
importing steward does not import matplotlib for it (``steward/alttext.py``)."""

from __future__ import annotations

import base64
import html
import json
import re
import sys
from functools import partial
from pathlib import Path

import pytest

from steward import alttext, plotting

IMG = re.compile(r'<img src="data:(?P<mime>[^;]+);base64,(?P<data>[^"]+)" alt="(?P<alt>[^"]*)"(?P<size>[^/]*)')

#: The synthetic learner's bars (names and values), written into the cells below.
BARS = {"control": 65.8, "treatment": 61.7}
TITLE = "Treatment cuts abandonment"


def _cells() -> dict[str, str]:
    """Cell name → source: one learner notebook that draws every way a learner does."""
    names, values = list(BARS), list(BARS.values())
    return {
        "import": (  # the kernel has registered before any cell runs; importing again changes nothing
            "import importlib, sys\nip = get_ipython()\nbefore = sys.modules['steward.alttext'].registered(ip)\n"
            "import steward\nimport steward\nimportlib.reload(steward)\nfrom steward import alttext\nalttext.register()\n"
            "print(before, alttext.registered(ip), sum(c.__name__ == 'not_twice' for c in ip.events.callbacks['post_execute']),"
            " 'matplotlib' in sys.modules)"
        ),
        "show": (
            "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(4, 3))\n"
            f"ax.bar({names!r}, {values!r})\nax.set_title({TITLE!r})\nax.set_ylabel('abandonment (% of carts)')\nplt.show()"
        ),
        "last expression": f"fig, ax = plt.subplots()\nax.bar({names!r}, {values!r})\nax.set_title({TITLE!r})\nfig",
        "display": (
            "from IPython.display import display\nfig, ax = plt.subplots()\n"
            f"ax.barh({names!r}, {values!r})\nax.set_title({TITLE!r})\ndisplay(fig)"
        ),
        "changed after display": (
            "fig, ax = plt.subplots()\nax.bar(['a'], [1])\nax.set_title('first')\ndisplay(fig)\nax.set_title('second')"
        ),
        "untitled": "fig, ax = plt.subplots()\nax.plot([0, 1], [2, 3])\nplt.show()",
        "describe fails": (
            "from steward import plotting\nreal = plotting.describe\nplotting.describe = lambda fig: 1 / 0\ntry:\n"
            "    fig, ax = plt.subplots()\n    ax.bar(['a'], [1])\n    ax.set_title('still shown')\n"
            "    ax.set_xlabel('arm')\n    ax.set_ylabel('carts')\n    plt.show()\nfinally:\n    plotting.describe = real"
        ),
        "static figure": (
            "f, a = plotting.new_figure(4, 3)\na.bar(['p', 'q'], [1, 2])\n"
            "plotting.finish(a, 'q doubles p', 'item', 'count')\nprint(plotting.describe(f))\nf"
        ),
        "svg": (
            "%config InlineBackend.figure_formats = ['svg']\nfig, ax = plt.subplots(figsize=(2, 2))\n"
            "ax.bar(['a'], [1])\nax.set_title('vector')\nplt.show()"
        ),
        "retina": (
            "%config InlineBackend.figure_formats = ['retina']\nfig, ax = plt.subplots(figsize=(2, 2))\n"
            "ax.bar(['a'], [1])\nax.set_title('retina')\nplt.show()"
        ),
    }


def _run(cells: dict[str, str], argv: list[str], folder: Path) -> dict[str, list[dict]]:
    """Run ``cells`` as a notebook in a kernel started with ``argv`` (a kernelspec of its own in
    ``folder``, so the test does not depend on which ``python3`` kernel this machine has)."""
    import nbformat
    from nbclient import NotebookClient

    from steward import environment

    spec = folder / "kernels" / "learner-charts"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "test", "language": "python"}))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells.values()])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(folder))
        NotebookClient(nb, kernel_name="learner-charts", timeout=90, **environment.quiet_kernel()).execute()
    return {name: cell.outputs for name, cell in zip(cells, nb.cells, strict=True)}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, list[dict]]:
    """The notebook run once in the curriculum's kernel (the one ``run.py lab`` installs)."""
    from steward import kernel

    return _run(_cells(), kernel.kernelspec(sys.executable)["argv"], tmp_path_factory.mktemp("kernel"))


def images(outputs: list[dict]) -> list[dict]:
    return [o for o in outputs if "image/png" in o.get("data", {})]


def img(output: dict) -> re.Match:
    """The output's ``<img>``: its picture is the output's PNG, and its alt is not empty."""
    found = IMG.search(output["data"]["text/html"])
    assert found, output["data"]["text/html"][:200]
    assert found["mime"] == "image/png" and found["data"] == output["data"]["image/png"]
    assert html.unescape(found["alt"]).strip()
    return found


def alt(output: dict) -> str:
    return html.unescape(img(output)["alt"])


def test_registering_is_once_and_imports_no_matplotlib(outputs) -> None:
    assert outputs["import"][0]["text"].split() == ["1", "1", "1", "False"]


def test_no_cell_errors_or_warns(outputs) -> None:
    for name, cell in outputs.items():
        bad = [o for o in cell if o["output_type"] == "error" or o.get("name") == "stderr"]
        assert not bad, (name, bad)


@pytest.mark.parametrize("name", ["show", "last expression", "display"])
def test_a_learners_chart_shows_once_with_its_title_and_values_as_alt(outputs, name) -> None:
    shown = images(outputs[name])
    assert len(shown) == 1, f"{name}: {len(shown)} images"
    text = alt(shown[0])
    assert text.startswith(TITLE)
    for bar, value in BARS.items():
        assert f"{bar} {plotting.number_text(value)}" in text, text


def test_a_chart_changed_after_it_was_shown_shows_its_final_state_too(outputs) -> None:
    shown = images(outputs["changed after display"])
    assert [alt(o).split(".")[0] for o in shown] == ["first", "second"]


def test_an_untitled_chart_says_it_has_no_title(outputs) -> None:
    (shown,) = images(outputs["untitled"])
    assert alt(shown).startswith(alttext.NO_TITLE) and "line from (0, 2) to (1, 3)" in alt(shown)


def test_a_chart_describe_cannot_read_still_shows_with_a_plain_alt(outputs) -> None:
    (shown,) = images(outputs["describe fails"])
    assert alt(shown) == "Chart: still shown; x axis arm; y axis carts."


def test_the_curriculums_own_figure_keeps_its_bundle_and_is_drawn_once(outputs) -> None:
    cell = outputs["static figure"]
    (shown,) = images(cell)
    described = cell[0]["text"].strip()
    assert alt(shown) == described and shown["data"]["text/plain"] == described


def test_an_svg_chart_carries_its_alt_too(outputs) -> None:
    (shown,) = [o for o in outputs["svg"] if "image/svg+xml" in o.get("data", {})]
    found = IMG.search(shown["data"]["text/html"])
    assert found["mime"] == "image/svg+xml" and html.unescape(found["alt"]).startswith("vector")
    assert base64.b64decode(found["data"]).decode("utf-8") == shown["data"]["image/svg+xml"]


def test_a_retina_chart_keeps_its_size_in_the_img(outputs) -> None:
    (shown,) = images(outputs["retina"])
    size = shown["metadata"]["image/png"]
    assert f'width="{size["width"]}"' in img(shown)["size"] and alt(shown).startswith("retina")


def test_a_plain_ipykernel_registers_when_a_cell_imports_steward(tmp_path: Path) -> None:
    """Outside the curriculum's kernel (which imports steward before the shell exists), the
    notebook's first ``import steward`` is what registers."""
    cells = {"first": "import sys\nprint('steward' in sys.modules)\nimport steward", "show": _cells()["show"]}
    out = _run(cells, [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"], tmp_path)
    assert out["first"][0]["text"].strip() == "False"
    (shown,) = images(out["show"])
    assert alt(shown).startswith(TITLE)


# -- without a kernel ------------------------------------------------------------------------------


class Shell:
    """What :func:`alttext.register` needs of IPython's shell: its display formatter and events."""

    def __init__(self) -> None:
        from IPython.core.events import EventManager, available_events
        from IPython.core.formatters import DisplayFormatter

        self.display_formatter = DisplayFormatter()
        self.events = EventManager(self, available_events)


def test_register_is_idempotent_and_false_outside_ipython() -> None:
    shell = Shell()
    assert alttext.register(shell) and alttext.register(shell)
    assert alttext.registered(shell) == 1
    assert shell.events.callbacks["post_execute"] == [alttext.not_twice]
    assert alttext.register() is False  # the test runner is no IPython shell


def test_the_figure_is_rendered_once_for_png_and_html(monkeypatch) -> None:
    """The inline printer IPython calls after the bundle hands back nothing for the figure the
    bundle has just rendered, so each display draws the chart once."""
    import matplotlib_inline.backend_inline  # noqa: F401  (as in a kernel: its metadata decides the backdrop)
    from IPython.core.pylabtools import print_figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shell = Shell()
    alttext.register(shell)
    monkeypatch.setattr(alttext, "_shell", lambda: shell)
    calls: list[object] = []

    def counted(fig, **kwargs):
        calls.append(fig)
        return print_figure(fig, **kwargs)

    shell.display_formatter.formatters["image/png"].for_type(Figure, partial(counted, fmt="png", base64=True))
    fig = Figure()  # a learner's figure, without pyplot (this process stays pyplot-free)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.bar(["a", "b"], [1, 2])
    ax.set_title("b doubles a")
    for _ in range(2):
        data, _ = shell.display_formatter.format(fig)
        assert set(data) == {"image/png", "text/html", "text/plain"}
        assert IMG.search(data["text/html"])["data"] == data["image/png"]
    assert len(calls) == 2  # once per display
    assert "background" not in data["text/html"]
    fig.patch.set_alpha(0)  # transparent: dark ticks need a light backdrop in a dark theme, as the PNG gets
    assert 'style="max-width:100%;background:white"' in shell.display_formatter.format(fig)[0]["text/html"]
    static, static_ax = plotting.new_figure(3, 2)
    static_ax.bar(["x"], [1])
    data, _ = shell.display_formatter.format(static)
    assert len(calls) == 3 and data["image/png"] == plotting.figure_bundle(static)["image/png"]
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")


def test_alt_text_leads_with_the_suptitle_and_falls_back_to_the_texts(monkeypatch) -> None:
    fig, (left, right) = plotting.new_figure(6, 3, ncols=2)
    left.bar(["a"], [1])
    right.set_xlabel("time (s)")
    fig.suptitle("Both arms level")
    assert alttext.alt_text(fig).startswith("Both arms level. ")
    assert not alttext.alt_text(fig).startswith(alttext.NO_TITLE)  # a suptitle is a title
    crowded, ax = plotting.new_figure(4, 3)
    for i in range(300):
        ax.plot([0, 1], [i, i + 1], label=f"series number {i}")
    text = alttext.alt_text(crowded)
    assert text.startswith(alttext.NO_TITLE) and len(text) <= plotting.ALT_LIMIT
    monkeypatch.setattr(plotting, "describe", lambda fig: 1 / 0)
    assert alttext.alt_text(fig) == "Chart: untitled. Chart: untitled; x axis time (s)."
