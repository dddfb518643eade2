"""The declared minimum versions work: a fresh virtualenv gets exactly the ``>=`` floors of pyproject.toml's
dependencies (a constraints file derived from them), the package is installed from its sdist (not editable,
not from this checkout), and there ``ceo init`` + ``ceo demo`` + ``mkdocs build --strict`` run and a subset of
the tests passes that exercises every floor (numpy, pandas, scipy: estimation, weighting, results; pyreadstat,
openpyxl: readers; pingouin: groups; click, PyYAML: CLI and codebooks; plotly, Jinja2, mkdocs,
mkdocs-material, Markdown: the demo site and the escaping of every text in the built pages).

This is the one test that uses the network: the package registry, to install the old versions. Without it
the test is skipped, except in CI (``CI`` set), where it fails. Everything it writes (virtualenv, pip cache,
sdist, demo project) lives in one temporary directory that is removed afterwards; it takes about two
minutes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent

#: test files run with the minimum versions (without their slow simulations and browser tests)
TESTS = ["test_estimation.py", "test_weighting.py", "test_results.py", "test_readers.py", "test_groups.py",
         "test_codebook.py", "test_cli.py", "test_security.py"]
#: pip's words when the registry cannot be reached (then the test is skipped outside CI)
OFFLINE = re.compile(r"Failed to establish a new connection|Temporary failure in name resolution|"
                     r"Network is unreachable|No route to host|ProxyError|Connection refused|"
                     r"Max retries exceeded|Read timed out")


def dependencies() -> list[str]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["dependencies"]


def floors(requirements: list[str]) -> dict[str, str]:
    """The ``>=`` floor of every requirement, by canonical name; a requirement without exactly one floor
    is an error (every dependency must state the oldest version it is tested with)."""
    out: dict[str, str] = {}
    for text in requirements:
        req = Requirement(text)
        lows = [spec.version for spec in req.specifier if spec.operator == ">="]
        if len(lows) != 1:
            raise ValueError(f"{text!r}: expected exactly one '>=' floor, found {len(lows)}")
        name = canonicalize_name(req.name)
        if name in out:
            raise ValueError(f"{text!r}: {name} is listed twice")
        out[name] = lows[0]
    return out


def constraints(requirements: list[str]) -> str:
    """A pip constraints file pinning every dependency to its floor."""
    return "".join(f"{name}=={version}\n" for name, version in sorted(floors(requirements).items()))


def test_parser_sees_every_dependency_and_its_floor():
    deps = dependencies()
    found = floors(deps)
    # one floor per dependency line, under the name the line starts with
    assert len(found) == len(deps)
    assert set(found) == {canonicalize_name(re.match(r"[A-Za-z0-9._-]+", d.strip()).group(0)) for d in deps}
    lines = constraints(deps).splitlines()
    assert len(lines) == len(deps) and all(re.fullmatch(r"[a-z0-9-]+==[0-9][0-9a-z.]*", line) for line in lines)
    # np.strings and StringDType exist from numpy 2 on; pandas 2.2.2 and scipy 1.13 are the first built for it
    assert Version(found["numpy"]) >= Version("2")
    assert Version(found["pandas"]) >= Version("2.2.2") and Version(found["scipy"]) >= Version("1.13")
    # the parser itself: upper bounds, extras and markers are read, a missing floor is refused
    assert floors(["mkdocs>=1.6,<2", "Foo_Bar[x]>=1.0 ; python_version >= '3'"]) == {"mkdocs": "1.6",
                                                                                    "foo-bar": "1.0"}
    for bad in (["numpy"], ["numpy==2.0"], ["numpy<3"], ["numpy>=2", "NumPy>=2.1"]):
        with pytest.raises(ValueError):
            floors(bad)


def _run(cmd: list, log: list[str], timings: dict[str, float], step: str, **kwargs) -> subprocess.CompletedProcess:
    start = time.monotonic()
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    timings[step] = time.monotonic() - start
    log.append(f"$ {' '.join(map(str, cmd))}  [{timings[step]:.0f} s, exit {proc.returncode}]\n"
               f"{proc.stdout[-6000:]}{proc.stderr[-6000:]}")
    return proc


def test_minimum_versions_install_and_work():
    deps = dependencies()
    pins = floors(deps)
    log: list[str] = []
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="ceo-minversions-") as tmp:
        tmp = Path(tmp)
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_CONSTRAINT", "PIP_REQUIREMENT")}
        env |= {"PIP_CACHE_DIR": str(tmp / "pip-cache"), "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                "PIP_NO_INPUT": "1", "PYTHONNOUSERSITE": "1", "NO_MKDOCS_2_WARNING": "1"}

        def run(step: str, cmd: list, **kwargs) -> subprocess.CompletedProcess:
            kwargs.setdefault("cwd", tmp)
            kwargs.setdefault("timeout", 900)
            return _run(cmd, log, timings, step, env=env, **kwargs)

        def explain() -> str:
            return "\n".join(log) + "\n" + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())

        (tmp / "constraints.txt").write_text(constraints(deps), encoding="utf-8")
        proc = run("sdist", [sys.executable, "-m", "build", "--sdist", "--outdir", tmp / "dist", ROOT])
        if proc.returncode != 0 and OFFLINE.search(proc.stdout + proc.stderr) and not os.environ.get("CI"):
            pytest.skip("het pakketregister is niet bereikbaar (nodig om de minimumversies te installeren)")
        assert proc.returncode == 0, explain()
        (sdist,) = (tmp / "dist").glob("*.tar.gz")
        venv = tmp / "venv"
        py, bin_ = venv / "bin" / "python", venv / "bin"
        assert run("venv", [sys.executable, "-m", "venv", venv]).returncode == 0, explain()
        # the package with every dependency at its floor; pytest and hypothesis for the tests (any version)
        proc = run("install", [py, "-m", "pip", "install", "--quiet", "-c", tmp / "constraints.txt", sdist,
                               "pytest", "hypothesis"])
        if proc.returncode != 0 and OFFLINE.search(proc.stdout + proc.stderr) and not os.environ.get("CI"):
            pytest.skip("het pakketregister is niet bereikbaar (nodig om de minimumversies te installeren)")
        assert proc.returncode == 0, explain()

        # exactly the floors were installed, and ceo is imported from the virtualenv, not from this checkout
        proc = run("versions", [py, "-c", "import sys, importlib.metadata as m, ceo; print(ceo.__file__); "
                                "[print(n, m.version(n)) for n in sys.argv[1:]]", *pins])
        assert proc.returncode == 0, explain()
        where, *versions = proc.stdout.splitlines()
        assert Path(where).is_relative_to(venv), where
        installed = dict(line.split() for line in versions)
        wrong = {n: (installed[n], v) for n, v in pins.items() if Version(installed[n]) != Version(v)}
        assert not wrong, f"installed instead of the floor: {wrong}"

        # a new project, the demo processed and its site built
        project = tmp / "project"
        assert run("init", [bin_ / "ceo", "init", project]).returncode == 0, explain()
        assert run("demo", [bin_ / "ceo", "demo", "--project", project, "--date", "2026-01-15"],
                   cwd=project).returncode == 0, explain()
        assert run("mkdocs", [bin_ / "mkdocs", "build", "--strict"], cwd=project).returncode == 0, explain()
        public = project / "public"
        assert (public / "index.html").is_file() and list(public.glob("20*/gemeente/*/index.html")), explain()
        assert list(public.rglob("plotly-basic.min.js")), explain()

        # the tests (from this checkout) against the installed package
        proc = run("pytest", [py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow and not browser",
                              *(ROOT / "tests" / t for t in TESTS)])
        assert proc.returncode == 0, explain()
        assert re.search(r"\b\d+ passed\b", proc.stdout) and " skipped" not in proc.stdout.splitlines()[-1], \
            explain()
    steps = ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
    print(f"minimum versions: {proc.stdout.splitlines()[-1]}; {steps}")
