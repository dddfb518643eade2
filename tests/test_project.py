from __future__ import annotations

from pathlib import Path

import pytest

from ceo.core.problems import InputError
from ceo.validate.project import load_project


def test_demo_project(project: Path):
    p = load_project(project)
    assert [r.id for r in p.regions] == ["drechtsteden", "zhz"]
    assert p.regions[0].centre == "GM0505"
    assert p.thresholds.min_n == 30
    assert p.ci_method == "logit"
    assert [r.id for r in p.regions_of("GM0512")] == ["zhz"]


def test_found_from_a_subdirectory(project: Path):
    sub = project / "veldwerk"
    sub.mkdir()
    assert load_project(sub).root == project.resolve()


def test_no_project(tmp_path: Path):
    with pytest.raises(InputError) as exc:
        load_project(tmp_path)
    assert "geen ceo-project gevonden" in str(exc.value)


def test_config_mistakes(tmp_path: Path):
    (tmp_path / "ceo.yaml").write_text(
        "regios:\n  - {id: r, naam: R, gemeenten: [GM0505, Brielle, Atlantis]}\n"
        "  - {id: r, gemeenten: [GM0505]}\n"
        "betrouwbaarheid: 95\nbi_methode: probit\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_project(tmp_path)
    msgs = [p.message for p in exc.value.problems]
    assert msgs[0].startswith("regios[1] (r): gemeente GM0501 (Brielle) bestaat sinds")
    assert msgs[1].startswith("regios[1] (r): onbekende gemeente")
    assert "regio-id 'r' komt meer dan eens voor" in msgs
    assert "betrouwbaarheid moet een getal tussen 0,5 en 1 zijn (bijv. 0.95)" in msgs
    assert "bi_methode moet logit, beta, wilson zijn" in msgs
