"""A workshop on a real JupyterHub: the deployed config, learners, links, isolation.

One JupyterHub runs ``deploy/jupyterhub/jupyterhub_config.py`` on 127.0.0.1 (the test's
overlay swaps SystemdSpawner for a local spawner with a home per learner, and OAuth for
the trial's shared password; see ``hub_server.py``). Three learners are created through
the REST API, their servers started, and each logs in and opens the nbgitpuller link that
``steward hub-link`` prints, which pulls the curriculum from a bare clone of this
repository (no network). Each runs lesson 00 through their server's kernel API. Then:

- every check in the lesson ran in every learner's kernel;
- each learner's progress is in their own home, and nowhere else;
- one learner gets 403 from another's server, by token and by login cookie, and their
  own server cannot read another's files;
- an exercise a learner edited survives a second click on the link after the curriculum
  was updated upstream, and the update arrives;
- the learners' exercises, collected, give the cohort view (``steward cohort``).

A fourth learner does it in a real browser (Debian's Chromium through Playwright, on the
same hub): clicks the link, logs in on the hub's page, lands in their own JupyterLab with
the lesson pulled, Runs All (every check shown, no cell errored), moves a slider of the
lesson's app and sees it redrawn; their progress is in their home.

Everything the hub started (proxy, culler, servers, kernels) is stopped by PID, and the
browser is closed. Outside CI, a missing JupyterHub, configurable-http-proxy, Playwright
or Chromium skips with the reason; with ``CI=true`` it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import browser_support as bs
import hub_server as hs
import pytest

from steward import cli, cohort
from steward.checks import NOT_ATTEMPTED, PASS
from steward.feedback import MIME_OUTCOME

LEARNERS = ["ana", "ben", "cy"]
LESSON = "steward/notebooks/00-start-here.ipynb"
EXERCISE = "steward/exercises/00-start-here.ipynb"
ANSWER = "downtime_minutes = (1 - SLO) * WINDOW_DAYS * 24 * 60  # ana's own answer"

pytestmark = pytest.mark.hub


def outcomes(result: dict) -> list[dict]:
    return [o["data"][MIME_OUTCOME] for outs in result["outputs"] for o in outs if MIME_OUTCOME in o.get("data", {})]


@pytest.fixture(scope="module")
def hub():
    reason = hs.missing()
    if reason:
        if bs.in_ci():
            pytest.fail(f"{reason} (CI=true: the hub test must run)")
        pytest.skip(reason)
    server = hs.Hub()
    server.start()
    try:
        yield server
    finally:
        pids = server.descendants() | server._pids
        server.stop()
        import psutil

        alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        assert not alive, f"processes the hub started are still running: {alive}"


def hub_link(hub: hs.Hub, repo: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(["hub-link", hub.base, f"file://{repo}", "--module", "00"]) == 0
    return capsys.readouterr().out.strip()


def test_a_workshop_on_a_real_hub(hub: hs.Hub, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    repo = hs.bare_repository(hub.dir / "curriculum.git")
    link = hub_link(hub, repo, capsys)
    assert "/hub/user-redirect/git-pull?" in link and "targetpath=steward" in link

    hub.add_learners(LEARNERS)
    with ThreadPoolExecutor(len(LEARNERS)) as pool:
        list(pool.map(hub.start_server, LEARNERS))
    sessions = {name: hub.login(name) for name in LEARNERS}

    # The link pulls the curriculum into each learner's own home.
    for name in LEARNERS:
        events = hub.pull(sessions[name], name, link)
        assert events and events[-1].get("phase") == "finished", events[-3:]
        assert (hub.homes / name / LESSON).is_file()

    # Every learner runs the lesson through their server's kernel API; every check runs.
    lesson = hs.code_cells(hub, "ana", LESSON)
    checks = sum(".check(" in cell and not cell.lstrip().startswith("#") for cell in lesson)
    assert checks >= 1
    with ThreadPoolExecutor(len(LEARNERS)) as pool:
        results = dict(zip(LEARNERS, pool.map(lambda n: hs.run_cells(hub, n, LESSON, lesson), LEARNERS), strict=True))
    for name, result in results.items():
        assert not result["errors"], f"{name}: {result['errors']}"
        assert len(outcomes(result)) >= checks, f"{name}: only {len(outcomes(result))} of {checks} checks ran"

    # The deployed limits reach every server (SystemdSpawner enforces them; the local
    # spawner here only passes them on), and the idle culler runs as the hub's service.
    probe = hs.run_cells(hub, "cy", LESSON, ["import os; print(os.environ['MEM_LIMIT'], os.environ['CPU_LIMIT'])"])
    printed = "".join(o.get("text", "") for o in probe["outputs"][0])
    assert printed.split() == [str(1024**3), "1.0"], printed
    import psutil

    commands = [" ".join(psutil.Process(pid).cmdline()) for pid in hub.descendants() if psutil.pid_exists(pid)]
    assert any("jupyterhub_idle_culler --timeout=3600" in c for c in commands), commands

    # Progress lands in each learner's own home, and only there.
    # (checks and hints are appended to progress.json.events.jsonl beside progress.json)
    from steward import progress

    for name in LEARNERS:
        record = progress.load(hub.homes / name / ".local/share/steward/progress.json")
        assert record["events"], f"{name}'s progress record is empty"
    found = {p.relative_to(hub.dir).parts[:2] for p in hub.dir.rglob("progress.json*") if not p.name.endswith(".lock")}
    homes = {("homes", name) for name in hub.tokens}  # (the browser's learner too, if that test ran first)
    assert {("homes", name) for name in LEARNERS} <= found <= homes, sorted(found)

    # One learner cannot reach another's server or files.
    assert hub.user("ben", "api/contents/steward", as_user="ana")[0] == 403
    assert hub.user("ben", f"api/contents/{EXERCISE}", as_user="ana")[0] == 403
    try:
        sessions["ana"].open(hub.base + f"user/ben/api/contents/{EXERCISE}", timeout=30)
        status = 200
    except hs.urllib.error.HTTPError as error:
        status = error.code
    assert status == 403
    assert hub.user("ana", f"api/contents/../ben/{EXERCISE}")[0] in {400, 403, 404}
    assert hub.request("GET", "hub/api/users/ben", token=hub.tokens["ana"])[0] in {403, 404}

    # Ana answers the first exercise task (saved through her server, as JupyterLab saves).
    status, body = hub.user("ana", f"api/contents/{EXERCISE}?content=1&type=notebook")
    notebook = json.loads(body)["content"]
    cell = next(c for c in notebook["cells"] if "tasks.downtime_allowed.check" in c["source"])
    cell["source"] = cell["source"].replace("downtime_minutes = ...", ANSWER)
    status, _ = hub.user("ana", f"api/contents/{EXERCISE}", "PUT",
                         {"type": "notebook", "format": "json", "content": notebook})
    assert status in {200, 201}
    result = hs.run_cells(hub, "ana", EXERCISE, hs.code_cells(hub, "ana", EXERCISE))
    statuses = {o["task"]: o["status"] for o in outcomes(result)}
    assert statuses.get("00.downtime-allowed") == PASS, statuses

    # The curriculum is updated upstream; ana opens the link again.
    work = hub.dir / "upstream"
    subprocess.run(["git", "clone", "-q", str(repo), str(work)], check=True)
    (work / "notebooks" / "NEWS.md").write_text("Module 00 gained a note.\n")
    readme = work / "README.md"
    readme.write_text(readme.read_text().replace("# Steward", "# Steward (updated)", 1))
    git = ["git", "-C", str(work), "-c", "user.name=Facilitator", "-c", "user.email=f@example.com"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "an update during the series"], check=True)
    subprocess.run([*git, "push", "-q", "origin", "HEAD:main"], check=True)

    events = hub.pull(sessions["ana"], "ana", link)
    assert events[-1].get("phase") == "finished", events[-3:]
    home = hub.homes / "ana" / "steward"
    assert ANSWER in (home / "exercises" / "00-start-here.ipynb").read_text(), "the pull lost ana's edit"
    assert (home / "notebooks" / "NEWS.md").is_file(), "the update did not arrive"
    assert (home / "README.md").read_text().startswith("# Steward (updated)")
    assert ANSWER not in (hub.homes / "ben" / "steward" / "exercises" / "00-start-here.ipynb").read_text()

    # The facilitator collects each learner's exercise for the cohort view (guide, step 4).
    room = hub.dir / "room-00"
    room.mkdir()
    for name in LEARNERS:
        shutil.copy(hub.homes / name / EXERCISE, room / f"{name}.ipynb")
    view = cohort.build([room], timeout=60, workers=2)
    assert sorted(view.learners) == LEARNERS and not view.failed
    first = next(row for row in view.tasks if row.id == "00.downtime-allowed")
    assert (first.counts[PASS], first.counts[NOT_ATTEMPTED]) == (1, len(LEARNERS) - 1)
    assert first.by_learner["ana"] == PASS

    elapsed = time.perf_counter() - started
    print(f"hub test: {len(LEARNERS)} learners, {elapsed:.1f} s after the hub was up")


# -- one learner in the real browser --------------------------------------------------
BROWSER_LEARNER = "dee"
#: Seconds: the pull and Lab's first load with a cold kernel; then Run All of lesson 00.
OPEN_TIMEOUT = 120.0
RUN_TIMEOUT = 120.0


def test_one_learner_in_the_real_browser(hub: hs.Hub, chromium, capsys: pytest.CaptureFixture[str]) -> None:
    """What a learner does in the room: click the facilitator's link, log in on the hub's
    page, land in their own JupyterLab with the lesson pulled, Run All, move a slider."""
    started = time.perf_counter()
    name = BROWSER_LEARNER
    link = hub_link(hub, hs.bare_repository(hub.dir / "curriculum-browser.git"), capsys)
    hub.add_learners([name])
    with ThreadPoolExecutor(1) as pool:
        server = pool.submit(hub.start_server, name)  # while the browser context opens
        page = context = None
        try:
            context = chromium.new_context(viewport={"width": 1400, "height": 1000})
            context.set_default_timeout(30_000)
            page = context.new_page()
            server.result()
            ready = time.perf_counter()
            # The link first; the hub asks who they are, then sends them on to the pull.
            page.goto(link)
            page.wait_for_url("**/hub/login**")
            page.fill("#username_input", name)
            page.fill("#password_input", hub.password)
            page.click("#login_submit")
            page.wait_for_url(f"**/user/{name}/lab/tree/{LESSON}", timeout=OPEN_TIMEOUT * 1000)
            landed = time.perf_counter()
            assert (hub.homes / name / LESSON).is_file(), "the link did not pull the lesson into the learner's home"
            page.get_by_text(bs.KERNEL_IDLE).first.wait_for(timeout=OPEN_TIMEOUT * 1000)
            bs.wait_until(lambda: (state := bs.cells(page)) and state["kernel"] == "idle" and state["cells"],
                          OPEN_TIMEOUT, "the lesson's cells and an idle kernel")
            opened = time.perf_counter()

            bs.run_all(page)
            state = bs.wait_for_run(page, RUN_TIMEOUT)
            ran = time.perf_counter()
            code = [c for c in state["cells"] if c["source"].strip()]
            errors = [f"cell {c['index'] + 1}: {text}" for c in code for o in c["outputs"] if (text := bs.error_text(o))]
            assert not errors, "cells show errors:\n" + "\n".join(errors)
            assert not [c["index"] + 1 for c in code if c["count"] is None], "some cells did not run"
            checks = sum(".check(" in c["source"] and not c["source"].lstrip().startswith("#") for c in code)
            shown = sum(MIME_OUTCOME in o.get("data", {}) for c in code for o in c["outputs"])
            assert checks >= 1 and shown >= checks, f"only {shown} of {checks} checks ran in the browser"

            apps = page.locator(".steward-app")
            bs.wait_until(lambda: apps.count() >= 1, 30, "an app (.steward-app) to render")
            app = apps.first
            app.scroll_into_view_if_needed()
            operation = next(operate(page, app, control) for _, selector, operate in bs.CONTROLS
                             if (control := app.locator(selector).first).count() and control.is_visible())
            assert operation.ok, f"the app did not answer its control: {operation}"
            assert not bs.visible_errors(page), "the page shows errors:\n" + "\n".join(bs.visible_errors(page))
        except Exception:
            if page is not None:
                bs.screenshot(page, "hub-browser-learner")
            raise
        finally:
            if context is not None:
                context.close()

    from steward import progress

    record = progress.load(hub.homes / name / ".local/share/steward/progress.json")
    assert record["events"], f"{name}'s progress did not land in their home"
    print(f"hub browser learner: server and Chromium up in {ready - started:.1f} s, logged in and pulled in "
          f"{landed - ready:.1f} s, Lab and kernel ready in {opened - landed:.1f} s, ran in {ran - opened:.1f} s, "
          f"{operation}; {time.perf_counter() - started:.1f} s in all (load {os.getloadavg()[0]:.1f})")
