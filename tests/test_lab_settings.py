"""The JupyterLab settings shipped with the curriculum (issue #18): valid for the installed
JupyterLab, installed by ``run.py lab``, and the ones the browser tests run with."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OVERRIDES = ROOT / "steward" / "jupyter" / "overrides.json"


def load_run():
    spec = importlib.util.spec_from_file_location("steward_run_settings", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_overrides_turn_off_the_news_prompt() -> None:
    settings = json.loads(OVERRIDES.read_text())
    notification = settings["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false" and notification["checkForUpdates"] is False


def test_every_override_names_a_setting_of_the_installed_jupyterlab() -> None:
    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    if not schemas.is_dir():
        pytest.skip("JupyterLab's schemas are not installed in this environment")
    for plugin, values in json.loads(OVERRIDES.read_text()).items():
        package, name = plugin.split(":")
        schema = json.loads((schemas / package / f"{name}.json").read_text())
        for key, value in values.items():
            assert key in schema["properties"], f"{plugin} has no setting {key!r}"
            allowed = schema["properties"][key].get("enum")
            assert allowed is None or value in allowed, f"{plugin}.{key}={value!r} not in {allowed}"


def test_run_lab_installs_the_overrides_keeping_other_keys(tmp_path: Path, monkeypatch) -> None:
    run = load_run()
    monkeypatch.setattr(run, "VENV", tmp_path)
    target = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
                                  "@jupyterlab/apputils-extension:notification": {"doNotDisturbMode": True}}))
    assert run.install_lab_settings() == target
    installed = json.loads(target.read_text())
    assert installed["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert installed["@jupyterlab/apputils-extension:notification"] == {
        "doNotDisturbMode": True, "fetchNews": "false", "checkForUpdates": False}
    for plugin, values in json.loads(OVERRIDES.read_text()).items():
        assert values.items() <= installed[plugin].items()


def test_the_browser_tests_run_lab_with_the_shipped_settings() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from lab_server import LAB_SETTINGS

    # except what a test needs different: every cell rendered, so a test can read any output
    test_only = {"windowingMode"}
    for plugin, values in json.loads(OVERRIDES.read_text()).items():
        shipped = {k: v for k, v in values.items() if k not in test_only}
        assert shipped.items() <= LAB_SETTINGS[plugin.replace(":", "/")].items()
