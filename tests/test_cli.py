"""The command line as a researcher meets it: click's CliRunner and real subprocesses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner
from demo_project import ROOT, build_site, new_project, tree_digest

from ceo.cli import main
from ceo.clidoc import BEGIN, END, cli_reference

CEO = [sys.executable, "-m", "ceo"]


def _delivery(path: Path, n_per_gemeente: dict[str, int], seed: int = 7) -> Path:
    """A canonical Wmo delivery (CSV) with plausible answers."""
    rng = np.random.default_rng(seed)
    rows = []
    rid = 1
    for code, n in n_per_gemeente.items():
        for _ in range(n):
            answers = rng.choice([1, 2, 3, 4, 5, 8], size=10, p=[0.25, 0.45, 0.12, 0.08, 0.05, 0.05])
            answers[4] = rng.choice([1, 2, 8], p=[0.5, 0.45, 0.05])
            rows.append({"respondent_id": rid, "gemeentecode": code,
                         **{f"v{i + 1:02d}": int(a) for i, a in enumerate(answers)},
                         "rapportcijfer": int(rng.integers(4, 11)), "leeftijd": int(rng.integers(18, 99)),
                         "geslacht": int(rng.choice([1, 2])), "voorziening": int(rng.integers(1, 7))})
            rid += 1
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture
def project_dir(tmp_path) -> Path:
    return new_project(tmp_path / "project")


def test_help_is_dutch_everywhere():
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    assert "Gebruik: " in top.output and "Opdrachten:" in top.output and "Toon deze hulp en stop." in top.output
    for name in main.commands:
        out = runner.invoke(main, [name, "--help"])
        assert out.exit_code == 0, name
        assert "Gebruik:" in out.output and "Opties:" in out.output, name
        assert "Usage:" not in out.output and "Show this message" not in out.output, name


def test_usage_errors_are_dutch_with_exit_code_2(project_dir):
    runner = CliRunner()
    out = runner.invoke(main, ["process", "--project", str(project_dir), "x.csv"])
    assert out.exit_code == 2
    assert "Ontbrekende optie" in out.output and "Traceback" not in out.output
    out = runner.invoke(main, ["proces"])
    assert out.exit_code == 2 and "Onbekende opdracht" in out.output


def test_version():
    out = CliRunner().invoke(main, ["--version"])
    assert out.exit_code == 0 and out.output.startswith("ceo ")


def test_readme_cli_reference_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    assert readme[start:end].strip() == cli_reference().strip(), (
        "README.md is niet actueel: draai 'python -m ceo.clidoc'")


def test_process_success_summary_and_outputs(project_dir, tmp_path):
    data = _delivery(tmp_path / "wmo_2025.csv", {"GM0505": 60, "GM0642": 45})
    out = CliRunner().invoke(main, ["process", "--project", str(project_dir), "-s", "wmo", "-e", "2025",
                                    "--date", "2026-03-01", str(data)])
    assert out.exit_code == 0, out.output
    assert "wmo 2025: 105 respondenten uit 2 gemeenten" in out.output
    assert "GM0505 Dordrecht: 60" in out.output
    assert "hoofdcijfers:" in out.output and "onderdrukt" in out.output
    assert "[1/6] bestanden lezen (1 bestand) ..." in out.output  # progress (stderr, mixed in by CliRunner)
    for rel in ("uitvoer/2025/wmo.sav", "uitvoer/2025/wmo.csv", "uitvoer/2025/log/wmo.log",
                "site/2025/data/wmo.csv", "site/2025/gemeente/dordrecht.md", "site/2025/index.md"):
        assert (project_dir / rel).is_file(), rel
    log = (project_dir / "uitvoer/2025/log/wmo.log").read_text(encoding="utf-8")
    for part in ("1. Gelezen", "wmo_2025.csv: 105 respondenten", "3. Weging: ongewogen", "4. Onderdrukt"):
        assert part in log, part
    # unweighted: every figure labelled so
    table = pd.read_csv(project_dir / "site/2025/data/wmo.csv")
    assert set(table["gewogen"]) == {"nee"}
    assert "ongewogen" in (project_dir / "site/2025/gemeente/dordrecht.md").read_text(encoding="utf-8")


def test_process_as_subprocess_bad_input_exit_2_nothing_written(project_dir, tmp_path):
    data = _delivery(tmp_path / "wmo.csv", {"GM0505": 40})
    text = data.read_text(encoding="utf-8").splitlines()
    fields = text[5].split(",")
    fields[3] = "7"  # v02 of the respondent on line 6
    text[5] = ",".join(fields)
    data.write_text("\n".join(text) + "\n", encoding="utf-8")
    before = tree_digest(project_dir)
    proc = subprocess.run([*CEO, "process", "--project", str(project_dir), "-s", "wmo", "-e", "2025", str(data)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert ("wmo.csv, rij 6, kolom 'v02': waarde '7': ongeldige antwoordcode; verwacht een van de codes "
            "1, 2, 3, 4, 5, 8 of 9") in proc.stderr
    assert "1 probleem gevonden; er is niets geschreven." in proc.stderr
    assert tree_digest(project_dir) == before


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "ceo"
    assert script.exists(), "the console script 'ceo' is not installed"
    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("ceo ")


def test_internal_error_is_reported_plainly(project_dir, tmp_path, monkeypatch):
    from ceo import pipeline

    def boom(*args, **kwargs):
        raise RuntimeError("onverwacht")

    monkeypatch.setattr(pipeline, "estimate", boom)
    data = _delivery(tmp_path / "wmo.csv", {"GM0505": 40})
    out = CliRunner().invoke(main, ["process", "--project", str(project_dir), "-s", "wmo", "-e", "2025", str(data)])
    assert out.exit_code == 1
    assert "Interne fout in ceo" in out.output and "Traceback" not in out.output
    assert not (project_dir / "uitvoer").exists() and not (project_dir / "site" / "2025").exists()


def test_second_run_in_same_project_waits_for_none(project_dir, tmp_path):
    """Two runs at once in one project: the second is refused with a clear message."""
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from ceo.output.publish import project_lock
        with project_lock(Path({str(project_dir)!r})):
            print("vast", flush=True)
            sys.stdin.read()  # holds the lock until the test is done with it, however slow the machine
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "vast"
        data = _delivery(tmp_path / "wmo.csv", {"GM0505": 40})
        out = CliRunner().invoke(main, ["process", "--project", str(project_dir), "-s", "wmo", "-e", "2025",
                                        str(data)])
        assert out.exit_code == 2
        assert "loopt al een verwerking van ceo" in out.output
    finally:
        holder.stdin.close()
        holder.kill()
        holder.wait()


def test_reprocessing_requires_a_reason(project_dir, tmp_path):
    data = _delivery(tmp_path / "wmo.csv", {"GM0505": 40})
    args = ["process", "--project", str(project_dir), "-s", "wmo", "-e", "2025", str(data)]
    runner = CliRunner()
    assert runner.invoke(main, args).exit_code == 0
    before = tree_digest(project_dir / "site")
    again = runner.invoke(main, args)
    assert again.exit_code == 2
    assert "is al gepubliceerd" in again.output and "--revision" in again.output
    assert tree_digest(project_dir / "site") == before
    ok = runner.invoke(main, [*args, "--revisie", "correctie van het veldwerkbureau"])
    assert ok.exit_code == 0, ok.output


def test_inspect_proposes_a_mapping_that_processes(project_dir, tmp_path):
    """A fieldwork agency's .sav with its own names and labels: inspect → mapping → process."""
    rng = np.random.default_rng(3)
    n = 70
    questions = {
        "V1": "Ik wist waar ik moest zijn met mijn hulpvraag.", "V2": "Ik werd snel geholpen.",
        "V3": "De medewerker nam mij serieus.",
        "V4": "De medewerker en ik hebben in het gesprek samen naar oplossingen gezocht.",
        "V5": "Wist u dat u gebruik kon maken van een onafhankelijke cliëntondersteuner?",
        "V6": "Ik vind de kwaliteit van de ondersteuning die ik krijg goed.",
        "V7": "De ondersteuning die ik krijg past bij mijn hulpvraag.",
        "V8": "Door de ondersteuning die ik krijg kan ik beter de dingen doen die ik wil.",
        "V9": "Door de ondersteuning die ik krijg kan ik mij beter redden.",
        "V10": "Door de ondersteuning die ik krijg heb ik een betere kwaliteit van leven.",
    }
    frame = pd.DataFrame({"RESPNR": np.arange(1, n + 1, dtype=float),
                          "GEMEENTE": ["GM0505"] * 40 + ["GM0590"] * 30})
    likert = {1.0: "helemaal mee eens", 2.0: "mee eens", 3.0: "neutraal", 4.0: "niet mee eens",
              5.0: "helemaal niet mee eens", 8.0: "weet niet / n.v.t.", 9.0: "geen antwoord"}
    for v in questions:
        frame[v] = rng.choice([1.0, 2.0, 3.0, 4.0, 5.0], n) if v != "V5" else rng.choice([1.0, 2.0], n)
    sav = tmp_path / "veldwerk_wmo.sav"
    pyreadstat.write_sav(frame, sav, column_labels={"RESPNR": "Respondentnummer", "GEMEENTE": "Gemeente", **questions},
                         variable_value_labels={v: (likert if v != "V5" else {1.0: "ja", 2.0: "nee", 8.0: "weet niet"})
                                                for v in questions})
    runner = CliRunner()
    out = runner.invoke(main, ["inspect", str(sav), "--survey", "wmo", "--project", str(project_dir)])
    assert out.exit_code == 0, out.output
    assert "Ik werd snel geholpen." in out.output
    mapping = tmp_path / "mapping_wmo.yaml"
    assert mapping.is_file()
    text = mapping.read_text(encoding="utf-8")
    assert "V2: v02" in text and "V10: v10" in text
    # a second inspect does not overwrite the researcher's (possibly edited) mapping
    again = runner.invoke(main, ["inspect", str(sav), "--survey", "wmo", "--project", str(project_dir)])
    assert again.exit_code == 2 and "bestaat al" in again.output
    done = runner.invoke(main, ["process", "--project", str(project_dir), "-s", "wmo", "-e", "2025",
                                "--mapping", str(mapping), str(sav)])
    assert done.exit_code == 0, done.output
    assert "70 respondenten uit 2 gemeenten" in done.output


def test_init_then_process_then_build(tmp_path):
    target = tmp_path / "gorinchem"
    runner = CliRunner()
    out = runner.invoke(main, ["init", str(target), "--naam", "CEO Gorinchem en omstreken",
                               "--uitgever", "Gemeente Gorinchem", "--gemeente", "Gorinchem",
                               "--gemeente", "GM1978", "--regionaam", "Alblasserwaard"])
    assert out.exit_code == 0, out.output
    for rel in ("ceo.yaml", "mkdocs.yml", "site/index.md", "site/methode.md", "site/toegankelijkheid.md",
                "site/colofon.md"):
        assert (target / rel).is_file(), rel
    assert "Alblasserwaard" in (target / "ceo.yaml").read_text(encoding="utf-8")
    build_site(target, tmp_path / "leeg")  # a new project builds before anything is published
    data = _delivery(tmp_path / "wmo.csv", {"GM0512": 50, "GM1978": 50})
    done = runner.invoke(main, ["process", "--project", str(target), "-s", "wmo", "-e", "2025", str(data)])
    assert done.exit_code == 0, done.output
    built = build_site(target)
    assert (built / "2025" / "gemeente" / "gorinchem" / "index.html").is_file()
    again = runner.invoke(main, ["init", str(target)])
    assert again.exit_code == 2  # never overwrites an existing project


def test_site_command_rerenders_with_duiding(project_dir, tmp_path):
    data = _delivery(tmp_path / "wmo.csv", {"GM0505": 40})
    runner = CliRunner()
    assert runner.invoke(main, ["process", "--project", str(project_dir), "-s", "wmo", "-e", "2025",
                                str(data)]).exit_code == 0
    duiding = project_dir / "duiding" / "2025" / "dordrecht.md"
    assert duiding.is_file()
    duiding.write_text("De wachttijd voor huishoudelijke hulp is in 2025 flink opgelopen.\n", encoding="utf-8")
    out = runner.invoke(main, ["site", "--project", str(project_dir)])
    assert out.exit_code == 0, out.output
    page = (project_dir / "site/2025/gemeente/dordrecht.md").read_text(encoding="utf-8")
    assert "De wachttijd voor huishoudelijke hulp is in 2025 flink opgelopen." in page


def test_demo_command_as_a_user_runs_it(tmp_path):
    """The first README command's core, as a subprocess in a fresh copy of the repository layout."""
    root = new_project(tmp_path / "project")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    proc = subprocess.run([*CEO, "demo"], cwd=root, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Klaar." in proc.stdout
    for year in (2023, 2024, 2025):
        assert (root / "site" / str(year) / "gemeente" / "dordrecht.md").is_file()
    built = build_site(root)
    assert (built / "actueel" / "index.html").is_file()
    shutil.rmtree(built)


def test_delivered_weight_column_is_used_as_is(project_dir, tmp_path):
    data = _delivery(tmp_path / "wmo.csv", {"GM0505": 50, "GM0590": 40})
    frame = pd.read_csv(data)
    frame["gewicht"] = np.where(frame["gemeentecode"] == "GM0505", 2.5, 1.25)
    frame.to_csv(data, index=False)
    out = CliRunner().invoke(main, ["process", "--project", str(project_dir), "-s", "wmo", "-e", "2025",
                                    "--weight-column", "gewicht", str(data)])
    assert out.exit_code == 0, out.output
    micro = pd.read_csv(project_dir / "uitvoer/2025/wmo.csv")
    assert list(micro.columns).count("gewicht") == 1
    assert micro.groupby("gemeentecode")["gewicht"].first().to_dict() == {"GM0505": 2.5, "GM0590": 1.25}
    table = pd.read_csv(project_dir / "site/2025/data/wmo.csv")
    assert set(table["gewogen"]) == {"ja"}


def test_gemeenten_numbered_with_value_labels(project_dir, tmp_path):
    """Agencies often number the gemeenten of a project 1, 2, 3 with value labels: the label decides."""
    n = 60
    frame = pd.DataFrame({"respondent_id": np.arange(1, n + 1, dtype=float),
                          "gemeentecode": np.tile([1.0, 2.0, 3.0], n // 3)})
    for i in range(1, 11):
        frame[f"v{i:02d}"] = 2.0 if i == 5 else 1.0
    sav = tmp_path / "wmo.sav"
    pyreadstat.write_sav(frame, sav, variable_value_labels={
        "gemeentecode": {1.0: "Dordrecht", 2.0: "Zwijndrecht", 3.0: "'s-Gravenhage"}})
    out = CliRunner().invoke(main, ["process", "--project", str(project_dir), "-s", "wmo", "-e", "2025", str(sav)])
    assert out.exit_code == 0, out.output
    assert "GM0505 Dordrecht: 20" in out.output and "GM0642 Zwijndrecht: 20" in out.output
    assert "GM0518 's-Gravenhage: 20" in out.output


def test_shared_options_are_declared_once():
    """--project, --survey and --date mean the same in every command: one declaration each in ceo/cli.py."""
    source = (ROOT / "ceo" / "cli.py").read_text(encoding="utf-8")
    for flag in ('"--project"', '"--survey"', '"--date"'):
        assert source.count(flag) == 1, flag
    projects = {name: next(p for p in cmd.params if p.name == "project_dir")
                for name, cmd in main.commands.items() if any(p.name == "project_dir" for p in cmd.params)}
    assert sorted(projects) == ["bouw", "demo", "diff", "inspect", "process", "site", "steekproef"]
    shapes = {(tuple(p.opts), p.metavar, str(p.default), p.show_default, type(p.type)) for p in projects.values()}
    assert len(shapes) == 1
    for cmd in main.commands.values():  # every command has -h and the Dutch options placeholder
        assert cmd.options_metavar == "[OPTIES]" and cmd.context_settings["help_option_names"] == ["-h", "--help"]
