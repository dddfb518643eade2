"""Atomic publishing: a run of ``ceo process`` killed at any moment (SIGKILL, SIGTERM or Ctrl-C) never
leaves ``site/``, ``uitvoer/`` and ``duiding/`` at different revisions once the next ``ceo`` command has
started (it completes or rolls back the interrupted commit first, see :mod:`ceo.output.publish`), and each tree
is complete on its own even before that; no stray temporary file stays inside them.

Two kinds of kill points:

* aimed: the test hook ``CEO_TEST_HOOK=<point>`` makes the run wait at one point of the commit (before
  the journal, after the journal, between the two swaps, while adding duiding scaffolds, after the
  journal was removed), and the test kills it exactly there, with each signal;
* random: seeded points spread over the whole run, with more in the writing step (``CEO_KILL_POINTS``
  sets how many).
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
from click.testing import CliRunner
from demo_project import new_project, tree_digest

from ceo.cli import main

KILL_POINTS = int(os.environ.get("CEO_KILL_POINTS", "9"))
TREES = ("site", "uitvoer", "duiding")
WRITING = "uitvoer en pagina's schrijven"


def _command(root: Path, demo: Path, edition: int, revision: bool) -> list[str]:
    return [sys.executable, "-m", "ceo", "process", "--project", str(root), "-s", "wmo", "-e", str(edition),
            "--date", "2026-02-01", *(["--revision", "herziene weging"] if revision else []),
            "--mapping", str(demo / "mapping_wmo.yaml"),
            "--population", str(demo / str(edition) / f"populatie_wmo_{edition}.csv"),
            str(demo / str(edition) / f"wmo_{edition}.sav")]


def _stray(root: Path) -> list[str]:
    """Temporary files or directories of ours inside the published trees."""
    return [str(p) for sub in TREES for p in (root / sub).rglob(".ceo-*")]


def _digest(root: Path) -> dict:
    return {sub: tree_digest(root / sub) for sub in TREES}


def _start(cmd: list[str], hook: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "CEO_TEST_HOOK"}
    if hook:
        env["CEO_TEST_HOOK"] = hook
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1, env=env)


def _wait_for(proc: subprocess.Popen, text: str) -> float:
    """Read stderr until a line contains ``text``; returns the moment."""
    for line in proc.stderr:
        if text in line:
            return time.perf_counter()
    raise AssertionError(f"the run ended without printing {text!r}")


def _recover(root: Path) -> None:
    """What every next ``ceo`` command does first (under the project lock)."""
    from ceo.output.publish import project_lock

    with project_lock(root):
        pass


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project with Wmo 2025 published (the old state); the states after a revision of 2025 and after a
    first publication of 2024 (a new edition: new duiding scaffolds too); how long the revision takes."""
    from ceo.demo import write_demo_files

    base = tmp_path_factory.mktemp("atomic")
    demo = base / "invoer"
    write_demo_files(demo)
    template = new_project(base / "template")
    out = CliRunner().invoke(main, _command(template, demo, 2025, False)[3:])
    assert out.exit_code == 0, out.output
    old = _digest(template)
    new = {}
    for name, edition, revision in (("revisie", 2025, True), ("editie", 2024, False)):
        done = base / name
        shutil.copytree(template, done)
        start = time.perf_counter()
        proc = _start(_command(done, demo, edition, revision))
        writing = _wait_for(proc, WRITING)
        proc.stderr.read()
        assert proc.wait() == 0
        end = time.perf_counter()
        new[name] = _digest(done)
        assert new[name]["site"] != old["site"] and new[name]["uitvoer"] != old["uitvoer"]
        if name == "revisie":
            timing = (end - start, end - writing)
    assert new["editie"]["duiding"] != old["duiding"]  # the new edition adds scaffolds
    return template, demo, old, new, timing


def _check(root: Path, old: dict, new: dict, where: str) -> str:
    """Each tree complete (old or new) right after the kill; after recovery all at the same state."""
    now = _digest(root)
    journal = (root / ".ceo-journaal.json").exists()
    for sub in ("site", "uitvoer"):  # swapped as a whole
        assert now[sub] in (old[sub], new[sub]), f"{where}: {sub}/ is neither the old nor the new state"
    # duiding/ gains files one by one (existing ones are never touched): in between only with a journal
    assert old["duiding"].items() <= now["duiding"].items() <= new["duiding"].items(), where
    assert now["duiding"] in (old["duiding"], new["duiding"]) or journal, where
    if len({("oud" if now[sub] == old[sub] else "nieuw") for sub in TREES if old[sub] != new[sub]}) > 1:
        assert journal, f"{where}: trees differ and no journal says so"
    _recover(root)
    now = _digest(root)
    assert now == old or now == new, f"{where}: after recovery the trees are at different revisions"
    assert not _stray(root), f"{where}: stray files {_stray(root)[:3]}"
    assert not list(root.glob(".ceo-*")), f"{where}: {list(root.glob('.ceo-*'))}"
    return "oud" if now == old else "nieuw"


# (hook point, signal, expected state after recovery)
AIMED = [
    ("voorbereid", signal.SIGKILL, "oud"),
    ("voorbereid", signal.SIGTERM, "oud"),
    ("voorbereid", signal.SIGINT, "oud"),
    ("journaal", signal.SIGKILL, "nieuw"),
    ("wissel", signal.SIGKILL, "nieuw"),
    ("wissel", signal.SIGTERM, "nieuw"),
    ("wissel", signal.SIGINT, "nieuw"),
    ("toevoeging", signal.SIGKILL, "nieuw"),
    ("klaar", signal.SIGKILL, "nieuw"),
]


@pytest.mark.parametrize(("hook", "sig", "expected"), AIMED, ids=[f"{h}-{s.name}" for h, s, _ in AIMED])
def test_kill_aimed_at_the_commit(project, tmp_path, hook, sig, expected):
    """A first publication of a new edition (site/, uitvoer/ and duiding/ all change) stopped at one point
    of the commit. SIGKILL leaves a journal the next command completes; SIGTERM and Ctrl-C roll back
    before the commit and let a started commit finish, and say truthfully which of the two happened."""
    template, demo, old, new, _ = project
    root = tmp_path / "project"
    shutil.copytree(template, root)
    proc = _start(_command(root, demo, 2024, False), hook=hook)
    _wait_for(proc, f"ceo-test-hook {hook}")
    if hook == "wissel" and sig == signal.SIGKILL:  # the moment of issue 16: one tree swapped, one not
        now = _digest(root)
        assert now["site"] == new["editie"]["site"] and now["uitvoer"] == old["uitvoer"]
    proc.send_signal(sig)
    rest = proc.stderr.read()
    code = proc.wait(timeout=60)
    proc.stderr.close()
    if sig == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:
        assert code == 128 + sig, rest
        assert "Traceback" not in rest and "Interne fout" not in rest, rest
        if expected == "oud":
            assert "er is niets gewijzigd" in rest, rest
        else:
            assert "nadat de nieuwe uitvoer al was gepubliceerd" in rest, rest
        assert not (root / ".ceo-journaal.json").exists()
    state = _check(root, old, new["editie"], f"{sig.name} at {hook}")
    assert state == expected
    if hook == "wissel" and sig == signal.SIGKILL:  # the next run after a kill works normally
        again = subprocess.run(_command(root, demo, 2025, True), capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
        assert not _stray(root) and not list(root.glob(".ceo-*"))


def test_killed_run_leaves_old_or_new_state(project, tmp_path):
    """SIGKILL at random moments of a revision (seeded; a third anywhere, the rest in the writing step)."""
    template, demo, old, new, (duration, writing) = project
    rng = random.Random(20251)
    n_any = KILL_POINTS // 3
    points = [("start", rng.uniform(0.02, 1.0) * duration) for _ in range(n_any)]
    points += [("schrijven", rng.uniform(0.0, 1.1) * writing) for _ in range(KILL_POINTS - n_any)]
    outcomes = {"oud": 0, "nieuw": 0}
    for i, (anchor, t) in enumerate(points):
        root = tmp_path / f"run{i}"
        shutil.copytree(template, root)
        proc = _start(_command(root, demo, 2025, True))
        if anchor == "schrijven":
            _wait_for(proc, WRITING)
        time.sleep(t)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        where = f"kill {t:.2f} s after {anchor} (run {duration:.2f} s, writing {writing:.2f} s)"
        outcomes[_check(root, old, new["revisie"], where)] += 1
        shutil.rmtree(root)
    print(f"\n{len(points)} kill points (run {duration:.2f} s, writing step {writing:.2f} s): {outcomes}")
    assert outcomes["oud"] > 0, outcomes


def test_failing_run_writes_nothing(project, tmp_path, monkeypatch):
    """An error half-way (after the new microdata and pages were written into the staging
    directories, before the commit) leaves all trees untouched and removes the staging directories."""
    from ceo import pipeline
    from ceo.validate.project import load_project

    template, demo, old, _new, _ = project
    root = tmp_path / "project"
    shutil.copytree(template, root)

    def broken_log(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "run_log", broken_log)
    options = pipeline.ProcessOptions("wmo", 2025, [demo / "2025" / "wmo_2025.sav"], mapping=demo / "mapping_wmo.yaml",
                                      population=demo / "2025" / "populatie_wmo_2025.csv", revision="herziening")
    with pytest.raises(OSError):
        pipeline.process(load_project(root), options)
    assert _digest(root) == old
    assert not _stray(root) and not list(root.glob(".ceo-*"))
