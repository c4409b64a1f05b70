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
