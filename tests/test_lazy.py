"""Heavy libraries load when something is drawn, not when a lesson is imported; and the
curriculum's plot style still reaches every chart either way."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from steward import lazy, plotting

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("matplotlib", "ipywidgets", "PIL", "nbformat")


def run(code: str, env: dict[str, str] | None = None) -> dict:
    """Run ``code`` in a fresh interpreter (imports are per process); it prints JSON."""
    import os

    environment = {k: v for k, v in os.environ.items() if k != "MATPLOTLIBRC"}
    environment.update(env or {})
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env=environment, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_setup_and_every_lesson_import_no_plotting_or_widget_library() -> None:
    """An exercise runs its tasks only; matplotlib and ipywidgets would cost it ~0.9 s."""
    loaded = run(
        "import json, sys\n"
        "import steward\n"
        "steward.setup(quiet=True)\n"
        "from steward.lessons import all_lessons\n"
        "all_lessons()\n"
        f"print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))\n"
    )
    assert loaded == []


def test_building_a_widget_imports_what_it_needs() -> None:
    loaded = run(
        "import json, sys\n"
        "from steward.lessons import quantify\n"
        "app = quantify.TailAtScale()\n"
        "print(json.dumps([name for name in ('matplotlib', 'ipywidgets') if name in sys.modules]))\n"
    )
    assert loaded == ["matplotlib", "ipywidgets"]


STYLE_PROBE = (
    "import json\n"
    "import matplotlib.pyplot as plt\n"
    "fig, ax = plt.subplots()\n"
    "line, = ax.plot([0, 1])\n"
    "print(json.dumps({'loc': plt.rcParams['axes.titlelocation'], 'dpi': plt.rcParams['figure.dpi'],\n"
    "                  'colour': line.get_color(), 'spine': ax.spines['top'].get_visible()}))\n"
)


@pytest.mark.parametrize("order", ["setup first", "matplotlib first"])
def test_a_learners_own_plt_chart_gets_the_curriculum_style(order: str) -> None:
    setup = "import steward\nsteward.setup(quiet=True)\n"
    first = "import matplotlib\n" if order == "matplotlib first" else ""
    style = run(first + setup + STYLE_PROBE, env={"MPLBACKEND": "agg"})
    assert style == {"loc": plotting.STYLE["axes.titlelocation"], "dpi": plotting.STYLE["figure.dpi"],
                     "colour": plotting.CYCLE[0], "spine": False}


def test_a_matplotlibrc_the_learner_set_is_left_alone(tmp_path: Path) -> None:
    own = tmp_path / "matplotlibrc"
    own.write_text("axes.titlelocation: right\n", encoding="utf-8")
    style = run("import steward\nsteward.setup(quiet=True)\n" + STYLE_PROBE,
                env={"MPLBACKEND": "agg", "MATPLOTLIBRC": str(own)})
    assert style["loc"] == "right"


def test_the_shipped_rc_file_is_the_style() -> None:
    assert plotting.RC_FILE.read_text(encoding="utf-8") == plotting.rc_file_text()
    import matplotlib

    parsed = matplotlib.rc_params_from_file(str(plotting.RC_FILE), use_default_template=False)
    expected = matplotlib.RcParams(plotting.rc())
    assert {key: parsed[key] for key in expected} == dict(expected)


def test_lazy_module_imports_on_first_use_and_is_read_only() -> None:
    proxy = lazy.module("json")
    assert "not imported yet" in repr(proxy)
    assert proxy.dumps([1]) == "[1]"
    assert "imported" in repr(proxy) and "not" not in repr(proxy)
    assert "dumps" in dir(proxy)
    with pytest.raises(AttributeError, match="lazy proxy"):
        proxy.dumps = None
    with pytest.raises(ModuleNotFoundError):
        lazy.module("no_such_module_here").anything  # noqa: B018 - the lookup is the test


QUIET_PROBE = (
    "import gc, json, sys\n"
    "from steward import lazy\n"
    "{before}\n"
    "frozen = gc.get_freeze_count()\n"
    "try:\n"
    "    module = lazy.import_quietly({name!r})\n"
    "    error = None\n"
    "except ImportError as e:\n"
    "    module, error = None, type(e).__name__\n"
    "print(json.dumps({{'enabled': gc.isenabled(), 'froze': gc.get_freeze_count() > frozen,\n"
    "                  'imported': module is not None and module is sys.modules.get({name!r}), 'error': error}}))\n"
)


@pytest.mark.parametrize("before, name, expected", [
    ("", "fractions", {"enabled": True, "froze": True, "imported": True, "error": None}),
    ("gc.disable()", "fractions", {"enabled": False, "froze": True, "imported": True, "error": None}),
    ("", "no_such_module_here", {"enabled": True, "froze": False, "imported": False, "error": "ModuleNotFoundError"}),
])
def test_import_quietly_pauses_the_collector_and_restores_it(before: str, name: str, expected: dict) -> None:
    assert run(QUIET_PROBE.format(before=before, name=name)) == expected


def test_import_quietly_returns_a_module_already_imported_without_freezing() -> None:
    code = ("import gc, json, sys\nfrom steward import lazy\nn = gc.get_freeze_count()\n"
            "m = lazy.import_quietly('json')\nprint(json.dumps([m is sys.modules['json'], gc.get_freeze_count() == n]))\n")
    assert run(code) == [True, True]


QUIET_MATPLOTLIB_PROBE = (
    "import gc, importlib.abc, json, sys\n"
    "seen = {{}}\n"
    "class Watch(importlib.abc.MetaPathFinder):\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name in ('matplotlib', 'ipywidgets') and name not in seen:\n"
    "            seen[name] = gc.isenabled()\n"
    "        return None\n"
    "sys.meta_path.insert(0, Watch())\n"
    "from steward.lessons import {module} as lesson\n"
    "next(iter(lesson.APPS.values()))()\n"
    "print(json.dumps(seen))\n"
)


@pytest.mark.parametrize("module", sorted(
    m.__name__.rsplit(".", 1)[1] for m in __import__("steward.lessons", fromlist=["all_lessons"]).all_lessons().values()
    if getattr(m, "APPS", None)))
def test_a_lessons_first_app_imports_matplotlib_and_ipywidgets_quietly(module: str) -> None:
    """Whatever a lesson's first app touches first, the heavy libraries come in through
    lazy.import_quietly: the collector is paused when each is first imported."""
    assert run(QUIET_MATPLOTLIB_PROBE.format(module=module)) == {"matplotlib": False, "ipywidgets": False}
