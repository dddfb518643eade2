"""The ``ceo`` command: a thin click layer over the library functions.

Exit codes: 0 success, 1 internal error (a bug in ceo), 2 unusable input (a Dutch message per
problem, nothing written).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import traceback
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path

import click

from ceo import __version__
from ceo.click_nl import install as _install_dutch
from ceo.core.problems import CeoError, Problem

_install_dutch()

EXIT_INTERNAL = 1
EXIT_INPUT = 2

#: per file, column and kind of problem, how many lines are printed before a summary line
MAX_LINES_PER_KIND = 10

SURVEY_HELP = "Welk onderzoek: wmo, jeugd, professionals (of een eigen vragenlijst in surveys/)."
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# --------------------------------------------------------------------------- options shared by commands

def project_option(help: str = "Projectmap (met ceo.yaml).") -> Callable:
    return click.option("--project", "-p", "project_dir", type=click.Path(path_type=Path, file_okay=False),
                        default=Path("."), show_default=True, metavar="MAP", help=help)


def survey_option(help: str = SURVEY_HELP, required: bool = False) -> Callable:
    return click.option("--survey", "-s", "survey", required=required, metavar="ONDERZOEK", help=help)


def date_option(help: str) -> Callable:
    return click.option("--date", "processing_date", type=click.DateTime(["%Y-%m-%d"]), metavar="JJJJ-MM-DD",
                        help=help)


def format_problems(problems: list[Problem]) -> list[str]:
    """One line per problem; long runs of the same problem in one column end in a summary line."""
    lines: list[str] = []
    seen: dict[tuple, list[Problem]] = defaultdict(list)
    for p in problems:
        key = (p.file, p.column, p.message)
        seen[key].append(p)
        if len(seen[key]) <= MAX_LINES_PER_KIND:
            lines.append(str(p))
    for (file, column, message), group in seen.items():
        if len(group) > MAX_LINES_PER_KIND:
            rest = group[MAX_LINES_PER_KIND:]
            rows = ", ".join(str(p.row) for p in rest[:20] if p.row is not None)
            more = " …" if len(rest) > 20 else ""
            where = f"{file}, kolom '{column}'" if column else str(file)
            lines.append(f"{where}: nog {len(rest)} keer hetzelfde probleem ({message})"
                         + (f" in rij {rows}{more}" if rows else ""))
    return lines


def fail_input(exc: CeoError) -> None:
    lines = format_problems(exc.problems)
    for line in lines:
        click.echo(line, err=True)
    n = len(exc.problems)
    click.echo(f"{n} {'probleem' if n == 1 else 'problemen'} gevonden; er is niets geschreven.",
               err=True)
    sys.exit(EXIT_INPUT)


class CeoGroup(click.Group):
    """Turns input errors into Dutch messages with exit code 2, never a traceback."""

    def command(self, *args, **kwargs):
        """A subcommand with the settings of every ceo command (-h, Dutch metavar, width)."""
        kwargs.setdefault("context_settings", CONTEXT)
        kwargs.setdefault("options_metavar", "[OPTIES]")
        return super().command(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        from ceo.output import publish

        publish.commits, publish.unfinished = 0, False  # what this command published (for a truthful message)
        for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 never crashes a message
            with contextlib.suppress(AttributeError, ValueError, io.UnsupportedOperation):
                stream.reconfigure(errors="backslashreplace")
        try:
            with publish.signals_as_interrupts():
                return super().invoke(ctx)
        except CeoError as exc:
            fail_input(exc)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: rolled back, or held until the commit ended
            signum = getattr(exc, "signum", signal.SIGINT)
            click.echo(_interrupted_message(exc, publish), err=True)
            sys.exit(128 + int(signum))
        except publish.RollForwardError as exc:  # says itself what state site/ and uitvoer/ are in
            click.echo(str(exc), err=True)
            sys.exit(EXIT_INPUT)
        except BrokenPipeError:  # 'ceo diff | head': the reader has what it wanted
            _silence_stdout()
            sys.exit(0)
        except OSError as exc:
            if not publish.is_write_error(exc):
                _internal_error(exc)
            click.echo(_write_error_message(exc, publish), err=True)
            sys.exit(EXIT_INPUT)
        except Exception as exc:  # a bug in ceo: say so plainly
            _internal_error(exc)


def _interrupted_message(exc, publish) -> str:
    what = "Afgebroken (Ctrl-C)" if getattr(exc, "signum", signal.SIGINT) == signal.SIGINT else \
        "Afgebroken (SIGTERM)"
    if getattr(exc, "committed", False):
        return (f"{what} nadat de nieuwe uitvoer al was gepubliceerd: site/ en uitvoer/ zijn allebei "
                "volledig bijgewerkt.")
    if publish.commits:
        return (f"{what}: wat in deze opdracht al klaar was, is volledig gepubliceerd; de lopende stap is "
                "niet doorgevoerd. site/ en uitvoer/ horen bij elkaar.")
    return f"{what}; er is niets gewijzigd: site/ en uitvoer/ zijn zoals ze waren."


def _write_error_message(exc: OSError, publish) -> str:
    """'de schijf is vol; er is niets gewijzigd ...' (full disk, read-only, no permission)."""
    import errno
    import re

    # a file in a staging directory is named after the directory it was going to become
    where = re.sub(r"\.ceo-staging-([a-z]+)-[^/\\]+", r"\1", str(exc.filename or ""))
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        problem, detail = "de schijf is vol", f" (bij het schrijven van {where})" if where else ""
    elif exc.errno == errno.EROFS:
        problem, detail = "de projectmap staat op een alleen-lezen schijf", f" ({where})" if where else ""
    else:
        problem, detail = "geen toegang (toestemming geweigerd)", f" tot {where}" if where else " tot de projectmap"
    if publish.unfinished:
        return (f"{problem}{detail}; de nieuwe uitvoer was al vastgelegd maar is nog niet helemaal omgewisseld. "
                "De volgende ceo-opdracht maakt dat af (zodra er weer ruimte of schrijfrecht is).")
    if publish.commits:
        return (f"{problem}{detail}; wat in deze opdracht al klaar was, is volledig gepubliceerd, de lopende "
                "stap is niet doorgevoerd.")
    return f"{problem}; er is niets gewijzigd: site/ en uitvoer/ zijn zoals ze waren{detail}."


def _silence_stdout() -> None:
    """After a broken pipe: send the rest of stdout nowhere, so that Python's flush at exit is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def _internal_error(exc: BaseException) -> None:
    """A bug in ceo: say so plainly (exit 1)."""
    if os.environ.get("CEO_DEBUG"):
        traceback.print_exc()
    click.echo(f"Interne fout in ceo {__version__}: {type(exc).__name__}: {exc}\n"
               "Dit is een fout in het programma, niet in uw bestanden. Meld hem met "
               "deze melding (zet CEO_DEBUG=1 voor details).", err=True)
    sys.exit(EXIT_INTERNAL)


@click.group(cls=CeoGroup, context_settings=CONTEXT, options_metavar="[OPTIES]",
             subcommand_metavar="OPDRACHT [ARGUMENTEN]...")
@click.version_option(__version__, "--version", message="ceo %(version)s",
                      help="Toon de versie en stop.")
def main() -> None:
    """ceo: van veldwerkbestanden van een cliëntervaringsonderzoek (Wmo, Jeugd, professionals)
    naar betrouwbare cijfers en een factsheetsite per gemeente.

    Werk in een projectmap (met ceo.yaml en mkdocs.yml). Begin met 'ceo demo' om te zien hoe het
    werkt, of 'ceo inspect BESTAND' om een aangeleverd bestand te bekijken.
    """


@main.command()
@survey_option(required=True)
@click.option("--edition", "-e", "edition", required=True, type=click.IntRange(2000, 2100),
              metavar="JAAR", help="Editie (jaar van het onderzoek), bijv. 2025.")
@click.option("--mapping", "-m", "mapping", type=click.Path(path_type=Path, dir_okay=False),
              metavar="BESTAND",
              help="Mappingbestand (YAML) dat kolomnamen en codes van het veldwerkbureau vertaalt "
                   "naar de vragenlijst. Maak een voorstel met 'ceo inspect'.")
@click.option("--population", "--populatie", "population", type=click.Path(path_type=Path, dir_okay=False),
              metavar="BESTAND",
              help="Populatiebestand (CSV: gemeentecode, eventueel leeftijdsklasse/geslacht/voorziening, "
                   "aantal). Geeft de eindige-populatiecorrectie en, zonder --weight-column, de weging.")
@click.option("--weight-column", "--gewicht", "weight_column", metavar="KOLOM",
              help="Kolom in de invoer met een kant-en-klaar gewicht (wordt ongewijzigd gebruikt).")
@click.option("--weighting", "--weging", "weighting_method", type=click.Choice(["raking", "poststratificatie"]),
              default="raking", show_default=True,
              help="Weegmethode bij een populatiebestand met cellen: raking op de marges of "
                   "poststratificatie op de volledige kruising.")
@click.option("--benchmark", "benchmark", type=click.Path(path_type=Path, dir_okay=False), metavar="BESTAND",
              help="Vergelijkingscijfers (CSV: indicator, waarde, eventueel se of n, naam), bijv. landelijk.")
@project_option()
@click.option("--revision", "--revisie", "revision", metavar="REDEN",
              help="Verwerk een editie die al gepubliceerd is opnieuw, met deze reden; de vorige cijfers "
                   "blijven downloadbaar (tenzij het verschil personen herleidbaar maakt: dan worden ze "
                   "van de site gehaald) en de site toont de versiegeschiedenis.")
@click.option("--intrekken", "withdraw", metavar="REDEN",
              help="Verwerk een gepubliceerde editie opnieuw omdat gegevens moeten verdwijnen (ingetrokken "
                   "toestemming, verzoek om verwijdering): de cijfers van alle eerdere revisies worden van de "
                   "site gehaald (ze blijven alleen in uitvoer/) en de versiegeschiedenis zegt waarom.")
@date_option("Verwerkingsdatum die in de uitvoer komt (standaard vandaag, of SOURCE_DATE_EPOCH).")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path),
                metavar="INVOER...")
def process(survey: str, edition: int, mapping: Path | None, population: Path | None,
            weight_column: str | None, weighting_method: str, benchmark: Path | None, project_dir: Path,
            revision: str | None, withdraw: str | None, processing_date, inputs: tuple[Path, ...]) -> None:
    """Verwerk de veldwerkbestanden van één onderzoek en editie.

    INVOER zijn een of meer bestanden (.sav, .csv of .xlsx), bijvoorbeeld één per gemeente; ze
    worden samengevoegd. Alle problemen in de invoer worden in één keer gemeld, met bestand, rij,
    kolom en waarde; dan wordt er niets geschreven (afsluitcode 2).
    """
    from ceo.output.publish import project_lock
    from ceo.pipeline import ProcessOptions
    from ceo.pipeline import process as run
    from ceo.validate.project import find_project, load_project

    root = find_project(project_dir)
    with project_lock(root):  # one run at a time, from before anything is read
        project = load_project(root)
        options = ProcessOptions(survey, edition, list(inputs), mapping=mapping, population=population,
                                 weight_column=weight_column, weighting_method=weighting_method,
                                 benchmark=benchmark, processing_date=_processing_date(processing_date),
                                 revision=revision, withdraw=withdraw)
        result = run(project, options, progress=_Progress())
        _sync_site_url(project)
    _summary(result)
    _policy_notice(project.root)


class _Progress:
    """Prints every step of a run on stderr, with the time the previous step took."""

    def __init__(self) -> None:
        import time

        self._clock = time.perf_counter
        self._start = self._last = self._clock()
        self._step = 0

    def __call__(self, message: str) -> None:
        now = self._clock()
        if self._step:
            click.echo(f"      ({_seconds(now - self._last)})", err=True)
        self._step += 1
        self._last = now
        click.echo(f"[{self._step}/6] {message} ...", err=True)

    def done(self) -> str:
        return _seconds(self._clock() - self._start)


def _seconds(s: float) -> str:
    from ceo.core.texts import number

    return f"{number(s, 1)} s"


def _processing_date(value) -> date:
    if value is not None:
        return value.date()
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        from datetime import UTC, datetime
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return date.today()


def _summary(result) -> None:
    from ceo.validate.registry import registry

    reg = registry()
    n, k = result.n_respondents, len(result.per_gemeente)
    click.echo(f"{result.survey} {result.edition}: {n} {'respondent' if n == 1 else 'respondenten'} uit "
               f"{k} {'gemeente' if k == 1 else 'gemeenten'}")
    for code, n in result.per_gemeente.items():
        click.echo(f"  {code} {reg.name(code)}: {n}")
    table = result.results
    if table is not None and len(table):
        head = table[table["categorie"].fillna("").astype(str) == ""]
        n_sup = int((head["onderdrukt"] == "ja").sum())
        n_ind = int((head["indicatief"] == "ja").sum())
        click.echo(f"{len(head)} hoofdcijfers: {len(head) - n_sup} gepubliceerd (waarvan {n_ind} indicatief), "
                   f"{n_sup} onderdrukt")
    if result.weighting is not None:
        click.echo(f"weging: {result.weighting.method}")
    log = next((p for p in result.written if p.suffix == ".log"), None)
    if result.notices:
        click.echo(f"{len(result.notices)} melding(en); zie het logbestand {log}.")
    for p in result.written:
        click.echo(f"geschreven: {p}")


@main.command()
@survey_option(required=True)
@click.option("--edition", "-e", "edition", required=True, type=click.IntRange(2000, 2100),
              metavar="JAAR", help="Editie (jaar van het onderzoek) waarvoor de steekproef is, bijv. 2026.")
@click.option("--population", "--populatie", "population", type=click.Path(path_type=Path, dir_okay=False),
              metavar="BESTAND",
              help="Populatiebestand (gemeentecode, aantal): het aantal cliënten per gemeente. Niet nodig met "
                   "--klantenbestand.")
@click.option("--marge", "margin", type=click.FloatRange(0, 50, min_open=True), default=5.0, show_default=True,
              metavar="PROCENTPUNT", help="Gewenste foutmarge in procentpunten (5 = plus of min 5).")
@click.option("--betrouwbaarheid", "confidence", type=click.FloatRange(0.5, 1, max_open=True), default=0.95,
              show_default=True, metavar="GETAL", help="Betrouwbaarheid van de marge, bijv. 0.95.")
@click.option("--p", "p", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.5,
              show_default=True, metavar="GETAL",
              help="Verwacht percentage als fractie (0.5 geeft de grootste, veilige steekproef).")
@click.option("--deff", "deff", type=click.FloatRange(0, min_open=True), default=1.0, show_default=True,
              metavar="GETAL", help="Verwacht weegeffect (design effect), bijv. 1.2.")
@click.option("--respons", "response", type=click.FloatRange(0, 1, min_open=True), default=0.35,
              show_default=True, metavar="FRACTIE", help="Verwachte respons als fractie, bijv. 0.35.")
@click.option("--respons-vorige-editie", "previous_response", is_flag=True,
              help="Gebruik per gemeente de gemeten respons van de vorige editie (uit de site); waar die "
                   "ontbreekt, geldt --respons.")
@click.option("--klantenbestand", "client_file", type=click.Path(path_type=Path, dir_okay=False),
              metavar="BESTAND",
              help="Klantenbestand (.csv, .sav of .xlsx; één rij per cliënt, met gemeentecode) om de steekproef "
                   "uit te trekken.")
@click.option("--strata", "strata", multiple=True, metavar="KOLOM",
              help="Kolom(men) van het klantenbestand waarover de steekproef per gemeente naar verhouding wordt "
                   "verdeeld, bijv. voorziening; meerdere keren te geven of met komma's.")
@click.option("--seed", "seed", type=click.IntRange(0, 2 ** 63 - 1), metavar="GETAL",
              help="Startgetal van de toevalsgenerator; hetzelfde getal geeft dezelfde steekproef (standaard: "
                   "willekeurig, en vastgelegd).")
@click.option("--opnieuw", "overwrite", is_flag=True,
              help="Vervang een eerder getrokken steekproef van dit onderzoek en deze editie.")
@project_option()
def steekproef(survey: str, edition: int, population: Path | None, margin: float, confidence: float, p: float,
               deff: float, response: float, previous_response: bool, client_file: Path | None,
               strata: tuple[str, ...], seed: int | None, overwrite: bool, project_dir: Path) -> None:
    """Plan de steekproef per gemeente en trek hem desgewenst uit een klantenbestand.

    Schrijft het plan (netto en bruto steekproef, integraal of niet, verwachte marge) naar
    uitvoer/steekproef/JAAR/ONDERZOEK_plan.csv. Met --klantenbestand ook de getrokken cliënten
    (ONDERZOEK_steekproef.csv, met persoonsgegevens: nooit op de site), het populatiebestand voor de
    weging met de kolom aangeschreven (ONDERZOEK_populatie.csv) en het startgetal
    (ONDERZOEK_steekproef.json).
    """
    from ceo.fieldwork import SampleOptions, plan_sample
    from ceo.output.publish import project_lock
    from ceo.validate.project import find_project, load_project

    names = tuple(x.strip() for s in strata for x in s.split(",") if x.strip())
    root = find_project(project_dir)
    with project_lock(root):
        project = load_project(root)
        options = SampleOptions(survey, edition, population=population, client_file=client_file, strata=names,
                                margin=margin, confidence=confidence, p=p, deff=deff, response=response,
                                previous_response=previous_response, seed=seed, overwrite=overwrite)
        result = plan_sample(project, options)
    _sample_summary(result, margin)


def _sample_summary(result, margin: float) -> None:
    from ceo.core.texts import number, pct

    plan = result.plan
    click.echo(f"Steekproefplan (gewenste marge {number(margin, 1)} procentpunt):")
    header = f"  {'gemeente':<28}{'N':>9}{'netto':>8}{'bruto':>8}  {'integraal':<10}{'respons':>9}{'marge':>8}"
    click.echo(header)
    for r in plan.itertuples(index=False):
        click.echo(f"  {r.gemeente[:27]:<28}{number(r.N):>9}{number(r.netto):>8}{number(r.bruto):>8}  "
                   f"{r.integraal:<10}{pct(100 * r.verwachte_respons, 0):>9}{number(r.marge_verwacht, 1):>8}")
    click.echo(f"  {'totaal':<28}{number(int(plan['N'].sum())):>9}{number(int(plan['netto'].sum())):>8}"
               f"{number(int(plan['bruto'].sum())):>8}")
    click.echo("  netto: benodigde respondenten; bruto: aan te schrijven cliënten; marge: verwachte marge in "
               "procentpunten bij de verwachte respons")
    for n in result.notices:
        click.echo(f"let op: {n}")
    if result.seed is not None:
        click.echo(f"{number(result.drawn)} cliënten getrokken met startgetal (seed) {result.seed}; met "
                   f"--seed {result.seed} trekt u precies dezelfde steekproef.")
    for path in result.written:
        click.echo(f"geschreven: {path}")


@main.command()
@click.argument("file", type=click.Path(path_type=Path), metavar="BESTAND")
@survey_option("Stel een mapping voor naar deze vragenlijst. " + SURVEY_HELP)
@click.option("--output", "-o", "output", type=click.Path(path_type=Path, dir_okay=False),
              metavar="BESTAND",
              help="Schrijf de voorgestelde mapping (YAML) naar dit bestand "
                   "(standaard: mapping_ONDERZOEK.yaml naast het invoerbestand).")
@project_option("Projectmap (voor eigen vragenlijsten in surveys/).")
def inspect(file: Path, survey: str | None, output: Path | None, project_dir: Path) -> None:
    """Bekijk een aangeleverd bestand: variabelen, labels, waardelabels en ontbrekende-waardecodes.

    Met --survey stelt ceo ook een mapping voor door de variabelelabels te vergelijken met de
    vraagteksten van de vragenlijst. Controleer het voorstel en geef het bij 'ceo process' op
    met --mapping.
    """
    from ceo.io.readers import read_table
    from ceo.validate.codebook import get_codebook
    from ceo.validate.inspect import describe, mapping_to_yaml, propose_mapping, render_description

    raw = read_table(file)
    click.echo(render_description(raw, describe(raw)))
    if survey:
        codebook = get_codebook(survey, project_dir)
        proposed = propose_mapping(raw, codebook)
        target = output or file.with_name(f"mapping_{survey}.yaml")
        if target.exists() and output is None:
            raise CeoError(Problem(f"{target} bestaat al; kies een ander bestand met --output",
                                   str(target)))
        text = mapping_to_yaml(proposed)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
        click.echo(f"\nVoorgestelde mapping geschreven naar {target}. Controleer hem voordat u "
                   "hem gebruikt.")


@main.command()
@project_option()
@click.option("--seed", default=20251, show_default=True, metavar="GETAL", help="Startgetal van de toevalsgenerator.")
@date_option("Verwerkingsdatum (standaard vandaag, of SOURCE_DATE_EPOCH).")
def demo(project_dir: Path, seed: int, processing_date) -> None:
    """Maak realistische (verzonnen) veldwerkbestanden voor de zes Drechtsteden-gemeenten
    (edities 2023, 2024 en 2025) in invoer/demo/ en verwerk ze allemaal. Plan en trek daarna de
    Wmo-steekproef voor 2026 uit een verzonnen klantenbestand (naar uitvoer/steekproef/2026/).

    Een eerdere demo-uitvoer van dezelfde edities in site/ en uitvoer/ wordt eerst opgeruimd.
    """
    from ceo.demo import write_demo_files
    from ceo.output.publish import project_lock
    from ceo.pipeline import ProcessOptions, remove_editions
    from ceo.pipeline import process as run
    from ceo.validate.project import find_project, load_project

    root = find_project(project_dir)
    with project_lock(root):
        project = load_project(root)
        files = write_demo_files(project.root / "invoer" / "demo", seed=seed)
        remove_editions(project, files.editions)
        for edition in files.editions:
            for survey, delivery in files.deliveries(edition).items():
                click.echo(f"Verwerken: {survey} {edition} ...")
                options = ProcessOptions(survey, edition, list(delivery.inputs), mapping=delivery.mapping,
                                         population=delivery.population, weight_column=delivery.weight_column,
                                         processing_date=_processing_date(processing_date))
                result = run(project, options)
                click.echo(f"  {result.n_respondents} respondenten uit {len(result.per_gemeente)} "
                           "gemeenten")
        from ceo.demo import SAMPLE_EDITION
        from ceo.fieldwork import SampleOptions, plan_sample

        click.echo(f"Steekproef trekken: wmo {SAMPLE_EDITION} (respons van de vorige editie) ...")
        sample = plan_sample(project, SampleOptions("wmo", SAMPLE_EDITION, client_file=files.client_file,
                                                    strata=("voorziening",), margin=4.0, previous_response=True,
                                                    seed=seed, overwrite=True))
        _sample_summary(sample, 4.0)
        _sync_site_url(project)
    click.echo("Klaar. De cijfers en pagina's staan in site/, de bestanden per respondent in uitvoer/. "
               "Bouw de site met: ceo bouw")


@main.command("site")
@project_option()
def site_command(project_dir: Path) -> None:
    """Maak de pagina's van alle edities opnieuw uit de opgeslagen cijfers, bijvoorbeeld nadat u een
    duiding in duiding/JAAR/GEMEENTE.md hebt geschreven. De cijfers zelf veranderen niet.
    """
    from ceo.output.publish import project_lock
    from ceo.pipeline import rerender
    from ceo.validate.project import find_project, load_project

    root = find_project(project_dir)
    with project_lock(root):
        project = load_project(root)
        n = rerender(project)
        _sync_site_url(project)
    click.echo(f"{n} pagina's en bestanden bijgewerkt in {project.site_dir}.")
    _policy_notice(project.root)


def _sync_site_url(project) -> None:
    """site_url from ceo.yaml into mkdocs.yml (see :func:`ceo.scaffold.sync_site_url`); a notice on stderr."""
    from ceo.scaffold import sync_site_url

    notice = sync_site_url(project.root, project.site_url)
    if notice:
        click.echo(notice, err=True)


def _policy_notice(root: Path) -> None:
    """A project from before the Content-Security-Policy: say how to switch it on (on stderr)."""
    from ceo.site.render import policy_notice

    notice = policy_notice(root)
    if notice:
        click.echo(notice, err=True)


@main.command()
@project_option()
@click.option("--site-dir", "site_dir", type=click.Path(path_type=Path, file_okay=False), metavar="MAP",
              help="Map waarin de gebouwde site komt (standaard: site_dir uit mkdocs.yml, meestal public/).")
def bouw(project_dir: Path, site_dir: Path | None) -> None:
    """Bouw de website (mkdocs build --strict) uit site/, zonder dat een verwerking die tegelijk loopt
    site/ halverwege vervangt: de bouw ziet precies één revisie.

    Een 'ceo process' of 'ceo site' die tijdens de bouw klaar is, wacht met omwisselen tot de bouw klaar
    is; een bouw die begint terwijl er omgewisseld wordt, wacht tot dat klaar is.
    """
    import subprocess

    from ceo.output.publish import _test_hook, site_read_lock
    from ceo.validate.project import find_project

    root = find_project(project_dir)
    argv = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml")]
    if site_dir is not None:
        argv += ["--site-dir", str(site_dir.resolve())]
    with site_read_lock(root) as fd:
        _test_hook("bouw")
        # the child inherits the locked descriptor: the lock holds until mkdocs ends, even if ceo is stopped
        code = subprocess.call(argv, cwd=root, pass_fds=(fd,), env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    if code:
        click.echo(f"mkdocs build is mislukt (afsluitcode {code}); zie de meldingen hierboven. site/ is niet "
                   "gewijzigd.", err=True)
        sys.exit(EXIT_INPUT)
    click.echo("Klaar: de site is gebouwd.")


@main.command()
@click.argument("edition", type=click.IntRange(2000, 2100), metavar="EDITIE")
@survey_option("Alleen dit onderzoek. " + SURVEY_HELP)
@project_option()
def diff(edition: int, survey: str | None, project_dir: Path) -> None:
    """Toon welke gepubliceerde cijfers van een editie zijn veranderd tussen de laatste twee revisies."""
    from ceo.output.publish import JOURNAL_NAME, check_links, project_lock
    from ceo.pipeline import revision_diff
    from ceo.validate.project import find_project, load_project

    root = find_project(project_dir)
    if os.path.lexists(root / JOURNAL_NAME):  # an interrupted run: completed (or refused) before reading
        with project_lock(root):
            pass
    check_links(root)
    project = load_project(root)
    for line in revision_diff(project, edition, survey):
        click.echo(line)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), metavar="MAP")
@click.option("--naam", "name", metavar="TEKST",
              help="Naam van de publicatie, bijv. 'Cliëntervaringsonderzoek Gorinchem'.")
@click.option("--uitgever", "publisher", metavar="TEKST", default="", help="Organisatie die de cijfers publiceert.")
@click.option("--gemeente", "gemeenten", multiple=True, metavar="GEMEENTE",
              help="Gemeente (CBS-code of naam) van het project; meerdere keren te geven. Met meer dan één "
                   "gemeente maakt ceo er een regio van.")
@click.option("--regionaam", "region_name", metavar="TEKST", help="Naam van die regio (standaard: 'Regio').")
def init(directory: Path, name: str | None, publisher: str, gemeenten: tuple[str, ...],
         region_name: str | None) -> None:
    """Maak een nieuw publicatieproject in MAP: ceo.yaml (regio's en drempels), mkdocs.yml en site/
    met de handgeschreven pagina's om aan te passen.
    """
    from ceo.scaffold import init_project

    written = init_project(directory, name=name, publisher=publisher, gemeenten=list(gemeenten),
                           region_name=region_name)
    for p in written:
        click.echo(f"aangemaakt: {p}")
    click.echo(f"Klaar. Ga naar {directory} en verwerk uw bestanden met 'ceo process'.")
