"""Atomic publishing: a run of ``ceo process`` killed (SIGKILL) at any moment leaves ``site/`` and
``uitvoer/`` each either in their complete previous or in their complete new state, with no stray
temporary file inside them; the next run works normally.

The kill points are spread over the whole run (seeded, so a failure can be repeated), with extra
points in the last part of the run where the outputs are written and swapped. Set
``CEO_KILL_POINTS`` to try more points.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from demo_project import new_project, run_demo, tree_digest

KILL_POINTS = int(os.environ.get("CEO_KILL_POINTS", "30"))


def _command(root: Path) -> list[str]:
    demo = root / "invoer" / "demo"
    return [sys.executable, "-m", "ceo", "process", "--project", str(root), "-s", "wmo", "-e", "2025",
            "--date", "2026-02-01", "--revision", "herziene weging",
            "--mapping", str(demo / "mapping_wmo.yaml"),
            "--population", str(demo / "2025" / "populatie_wmo_2025.csv"),
            str(demo / "2025" / "wmo_2025.sav")]


def _stray(root: Path) -> list[str]:
    """Temporary files or directories of ours inside the published trees."""
    return [str(p) for sub in ("site", "uitvoer") for p in (root / sub).rglob(".ceo-*")]


WRITING = "uitvoer en pagina's schrijven"


def _start(root: Path) -> subprocess.Popen:
    return subprocess.Popen(_command(root), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            bufsize=1)


def _wait_for_writing(proc: subprocess.Popen) -> float:
    """Read the progress lines until the writing step starts; returns the moment it started."""
    for line in proc.stderr:
        if WRITING in line:
            return time.perf_counter()
    raise AssertionError("the run ended without reaching the writing step")


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """A project with the demo published (the old state), the state after the revision, and how
    long the run and its writing step take."""
    base = tmp_path_factory.mktemp("atomic")
    template = new_project(base / "template")
    run_demo(template, "--date", "2026-01-15")
    old = {sub: tree_digest(template / sub) for sub in ("site", "uitvoer")}
    done = base / "done"
    shutil.copytree(template, done)
    start = time.perf_counter()
    proc = _start(done)
    writing = _wait_for_writing(proc)
    proc.stderr.read()
    assert proc.wait() == 0
    end = time.perf_counter()
    new = {sub: tree_digest(done / sub) for sub in ("site", "uitvoer")}
    assert old["site"] != new["site"] and old["uitvoer"] != new["uitvoer"]
    return template, old, new, end - start, end - writing


def test_killed_run_leaves_old_or_new_state(states, tmp_path):
    template, old, new, duration, writing = states
    rng = random.Random(20251)
    # a third of the points anywhere in the run (timed from the start); the others within the
    # writing step, where the new trees are prepared and swapped in (timed from its start)
    n_any = KILL_POINTS // 3
    points = [("start", rng.uniform(0.02, 1.0) * duration) for _ in range(n_any)]
    points += [("schrijven", rng.uniform(0.0, 1.15) * writing) for _ in range(KILL_POINTS - n_any)]
    outcomes = {"oud": 0, "nieuw": 0}
    for i, (anchor, t) in enumerate(points):
        root = tmp_path / f"run{i}"
        shutil.copytree(template, root)
        proc = _start(root)
        if anchor == "schrijven":
            _wait_for_writing(proc)
        time.sleep(t)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        states_now = {sub: tree_digest(root / sub) for sub in ("site", "uitvoer")}
        where = f"kill {t:.2f} s after {anchor} (run {duration:.2f} s, writing {writing:.2f} s)"
        for sub in ("site", "uitvoer"):
            assert states_now[sub] in (old[sub], new[sub]), f"{where}: {sub}/ is neither the old nor the new state"
        assert not _stray(root), f"{where}: stray files {_stray(root)[:3]}"
        outcomes["nieuw" if states_now["site"] == new["site"] else "oud"] += 1
        if i % 5 == 0:
            # the next run after a kill cleans up and works
            again = subprocess.run(_command(root), capture_output=True, text=True)
            assert again.returncode == 0, again.stderr
            assert not list(root.glob(".ceo-staging-*")) and not list(root.glob(".ceo-old-*"))
            assert not _stray(root)
        shutil.rmtree(root)
    print(f"\n{len(points)} kill points (run {duration:.2f} s, writing step {writing:.2f} s): {outcomes}")
    assert outcomes["oud"] > 0 and outcomes["nieuw"] > 0, outcomes


def test_failing_run_writes_nothing(states, tmp_path, monkeypatch):
    """An error half-way (after the new microdata and pages were written into the staging
    directories, before the swap) leaves both trees untouched and removes the staging directories."""
    from ceo import pipeline
    from ceo.project import load_project

    template, old, _new, _, _ = states
    root = tmp_path / "project"
    shutil.copytree(template, root)

    def broken_log(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "run_log", broken_log)
    demo = root / "invoer" / "demo"
    options = pipeline.ProcessOptions("wmo", 2025, [demo / "2025" / "wmo_2025.sav"], mapping=demo / "mapping_wmo.yaml",
                                      population=demo / "2025" / "populatie_wmo_2025.csv", revision="herziening")
    with pytest.raises(OSError):
        pipeline.process(load_project(root), options)
    assert {sub: tree_digest(root / sub) for sub in ("site", "uitvoer")} == old
    assert not _stray(root) and not list(root.glob(".ceo-staging-*"))
