"""run.py, the two Quick-start commands: the parts that run without installing anything."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_run():
    spec = importlib.util.spec_from_file_location("steward_run", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_without_a_command_it_prints_the_usage(capsys) -> None:
    assert load_run().main([]) == 2
    assert "python3 run.py lab" in capsys.readouterr().out


def test_the_package_is_compiled_even_where_bytecode_writing_is_off(tmp_path: Path, monkeypatch) -> None:
    """CI images set PYTHONDONTWRITEBYTECODE; compileall writes the .pyc files anyway, so no
    kernel compiles the lesson modules again."""
    run = load_run()
    package = tmp_path / "steward"
    package.mkdir()
    (package / "lesson.py").write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setattr(run, "HERE", tmp_path)
    monkeypatch.setattr(run, "bin_path", lambda name: Path(sys.executable))
    run.compile_bytecode()
    assert list((package / "__pycache__").glob("lesson.*.pyc"))


def test_lab_installs_the_curriculums_kernel(tmp_path: Path, monkeypatch) -> None:
    """The python3 kernel run.py installs starts steward.kernel.Kernel (issue 19: no 'Save changes?')."""
    import json

    from steward import kernel

    run = load_run()
    monkeypatch.setattr(run, "bin_path", lambda name: Path(sys.executable))
    run.install_kernel(tmp_path)
    spec = json.loads((tmp_path / "share" / "jupyter" / "kernels" / "python3" / "kernel.json").read_text())
    assert spec["argv"][-1] == kernel.KERNEL_CLASS_ARGUMENT and spec["argv"][0] == sys.executable
    assert spec["display_name"] == "Python 3 (ipykernel)"


def test_the_learners_set_has_no_test_tools_and_the_test_set_adds_them() -> None:
    """A learner's (and a hub user's) environment gets JupyterLab and the curriculum, not
    pytest, playwright or ruff; `run.py test` installs the file that adds them."""
    def names(path: Path) -> set[str]:
        found = set()
        for line in path.read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-"):
                found.add(line.split(">")[0].split("<")[0].split("=")[0].strip().lower())
        return found

    learner = names(ROOT / "requirements.txt")
    test = names(ROOT / "requirements-test.txt")
    hub = names(ROOT / "deploy/jupyterhub/requirements-hub.txt")
    assert {"jupyterlab", "ipywidgets", "pandas"} <= learner
    assert not learner & {"pytest", "pytest-xdist", "nbval", "hypothesis", "playwright", "ruff", "jupyterhub"}
    assert {"pytest", "playwright", "ruff"} <= test
    assert {"jupyterhub", "nbgitpuller", "jupyterhub-idle-culler"} <= hub
    text = (ROOT / "requirements-test.txt").read_text()
    assert "-r requirements.txt" in text and "-r deploy/jupyterhub/requirements-hub.txt" in text
    run = load_run()
    assert run.INSTALL == {"lab": "requirements.txt", "test": "requirements-test.txt"}
    assert run.fingerprint("lab") != run.fingerprint("test")


def test_without_npm_the_proxy_is_left_to_the_hub_test_to_report(tmp_path: Path, monkeypatch) -> None:
    """No npm: run.py installs nothing and goes on (the hub test then says why it cannot run)."""
    run = load_run()
    monkeypatch.setattr(run, "NODE", tmp_path / "node")
    monkeypatch.setattr(run.shutil, "which", lambda name: None)
    calls = []
    monkeypatch.setattr(run.subprocess, "run", lambda *a, **k: calls.append(a))
    run.ensure_proxy()
    assert calls == [] and not (tmp_path / "node").exists()


def test_the_proxy_fits_the_node_version() -> None:
    run = load_run()
    assert run.proxy_package("v20.20.2\n") == "configurable-http-proxy@5"
    assert run.proxy_package("v22.12.0") == "configurable-http-proxy@5"
    assert run.proxy_package("v18.19.0") == "configurable-http-proxy@4"
    assert run.proxy_package("") == "configurable-http-proxy@4"
