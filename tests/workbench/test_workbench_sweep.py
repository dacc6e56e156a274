"""Chinese first, English complete, swept over the whole product on the small demo city:
`pingan demo` loads it (and publishes a plan and a drill schedule), then a commander solves
a plan from the page, schedules drills, reports an incident and links a login to a person;
every Chinese page, the plan and people workbooks, the drills' .ics and the main CLI tables
are read for runs of ASCII letters. What may stay is short and listed: ids and codes of the
city (any token holding a digit is one: badges, unit codes, dates), the city's own names,
the login shown in the header, and the words in ALLOWED. The English pages of those with an
English mode, the people workbook and the CLI lists in English are read for Chinese left in
them the same way (the city's names and ranks aside)."""

from __future__ import annotations

import html
import io
import re
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select
from typer.testing import CliRunner

from api.app import create_app
from api.models import User
from cli.main import app as cli
from tests.api.conftest import add_users, api_settings
from tests.workbench.test_drills_pages import hx, log_in

#: letters that may stay on a Chinese page: program and format names, units, the product
ALLOWED = {"pingan", "CSV", "Excel", "xlsx", "JSON", "ETA", "km", "CP-SAT", "HiGHS", "GeoJSON"}
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-./:@+]*")
#: what the plan job page shows of its progress JSON (plan.js)
SHOWN_PROGRESS = ("status_text", "message", "error")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")
#: attributes a user reads (tooltips, placeholders, what a screen reader says)
SHOWN = re.compile(r'\s(?:title|placeholder|aria-label|alt)="([^"]*)"')


class City:
    """The ids (dropped when a token equals one) and names (cut out of the text) of the
    demo city as the database holds it."""

    def __init__(self, engine: Engine) -> None:
        import rosters.all_models  # noqa: F401  (every table in the metadata)

        self.ids: set[str] = set()
        names: set[str] = set()
        with engine.connect() as db:
            for table in SQLModel.metadata.sorted_tables:
                cols = [c for c in ("code", "badge", "username", "name", "rank") if c in table.c]
                if not cols:
                    continue
                for row in db.execute(sa.select(*(table.c[k] for k in cols))):
                    for key, v in zip(cols, row, strict=True):
                        if isinstance(v, str) and v:
                            (names if key in ("name", "rank") else self.ids).add(v)
        self.names = sorted(names, key=len, reverse=True)

    def english(self, text: str) -> list[str]:
        for name in self.names:
            text = text.replace(name, " ")
        out = []
        for token in TOKEN.findall(text):
            token = token.strip("-./:@+")
            if not token or any(ch.isdigit() for ch in token) or token in self.ids:
                continue
            if token not in ALLOWED and re.search(r"[A-Za-z]", token):
                out.append(token)
        return out

    def chinese(self, text: str) -> list[str]:
        for name in self.names:
            text = text.replace(name, " ")
        return CJK.findall(text)


def page_text(page: str, other: str = "en") -> str:
    """What a reader sees of a page: its text and tooltips, not its scripts, styles or
    the link to the other language."""
    page = re.sub(rf'(?s)<a [^>]*lang="{other}"[^>]*>.*?</a>', " ", page)
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    shown = " ".join(SHOWN.findall(page))
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + shown)


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    cells = [book.sheetnames]
    for sheet in book.worksheets:
        cells += [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    return " ".join(map(str, cells))


def ics_text(data: bytes) -> str:
    import icalendar

    cal = icalendar.Calendar.from_ical(data)
    out = [str(cal.get("x-wr-calname", ""))]
    for ev in cal.walk("VEVENT"):
        for key in ("summary", "description", "location", "categories"):
            v = ev.get(key)
            out.append(" ".join(map(str, v.cats)) if key == "categories" and v else str(v or ""))
    return " ".join(out)


def wait_job(c: TestClient, url: str, seconds: float = 180) -> dict:
    deadline = time.monotonic() + seconds
    progress = c.get(f"{url}/progress").json()
    while not progress["finished"] and time.monotonic() < deadline:
        time.sleep(0.3)
        progress = c.get(f"{url}/progress").json()
    return progress


def cli_url(engine: Engine) -> str:
    """The URL a CLI run reaches the test's database with (on PostgreSQL its schema, which
    the engine sets on each connection, goes into the URL)."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with engine.connect() as db:
            schema = db.execute(sa.text("select current_schema()")).scalar_one()
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def run_cli(url: str, *args: str, lang: str = "zh") -> str:
    """A command's output on a wide terminal (paths and URLs are not cut into fragments)."""
    runner = CliRunner(env={"COLUMNS": "1000"})
    out = runner.invoke(cli, ["--database-url", url, "--lang", lang, *args])
    assert out.exit_code == 0, out.output
    return out.output


def _findings(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}: {sorted(set(words))}" for where, words in found.items() if words)


@pytest.mark.slow
def test_no_english_on_chinese_pages_workbooks_ics_and_cli(
    fresh_engine: Engine, bench_password_hash: str, tmp_path: Path
) -> None:
    url = cli_url(fresh_engine)
    add_users(fresh_engine, bench_password_hash)
    cli_out = {
        "demo": run_cli(
            url, "demo", "--size", "small", "--plan-seconds", "3", "--out", str(tmp_path)
        ).replace(url, " ")  # the database's address, shown as it is
    }
    found: dict[str, list[str]] = {}
    city = City(fresh_engine)
    county = "ZY06"

    def look(where: str, text: str) -> None:
        found[where] = city.english(text)

    with TestClient(create_app(api_settings(), fresh_engine)) as c:
        token = log_in(c, "commander")
        c.get("/pages/plan/new?lang=zh")  # the language is kept in a cookie from here on
        # a plan solved from the page
        look("plan/new", page_text(c.get("/pages/plan/new").text))
        out = c.post(
            "/pages/plan/new",
            data={"county": county, "start": "2026-12-09", "days": "1", "seconds": "3"},
            headers={"X-CSRF-Token": token},
            follow_redirects=False,
        )
        assert out.status_code == 303, out.text
        job = out.headers["location"].split("?")[0]
        look("plan job", page_text(c.get(job).text))
        progress = wait_job(c, job)
        assert progress["status"] == "succeeded", progress
        # what the job page shows of its progress (its keys and status code are for the script)
        look("plan job progress", " ".join(progress[k] or "" for k in SHOWN_PROGRESS))
        work = progress["plan_url"].split("?")[0]
        plan_id = int(re.findall(r"\d+", work)[0])
        for path in ("", "/grid", "/publish"):
            look(
                f"plan{path}",
                page_text(
                    c.get(
                        f"{work.removesuffix('/work')}/work"
                        if not path
                        else f"/pages/plan/{plan_id}{path}"
                    ).text
                ),
            )
        # the edit picker of the first assignment, opened as the grid's script opens it
        grid = c.get(f"/pages/plan/{plan_id}/grid").text
        edit = re.search(r'data-edit="([^"]+)"', grid)
        row = re.search(r'data-row="(\d+)"', grid)
        assert edit and row, "the draft's grid offers no assignment to edit"
        picker = c.get(f"{html.unescape(edit.group(1))}&row={row.group(1)}")
        assert picker.status_code == 200, picker.text
        look("plan edit picker", page_text(picker.text))
        look("plan list", page_text(c.get("/pages/plan/list").text))
        look("plan workbook", xlsx_text(c.get(f"/pages/plan/{plan_id}/export.xlsx").content))
        look("published plan", page_text(c.get("/pages/plan?lang=zh").text))
        look("published plan workbook", xlsx_text(c.get("/pages/plan/1/xlsx?lang=zh").content))
        look("wall", page_text(c.get("/pages/wall?lang=zh").text))
        # drills scheduled from the page
        look("drills/new", page_text(c.get("/pages/drills/new").text))
        from tests.workbench.test_drills_pages import schedule

        schedule_id = schedule(c, token, county)
        review = c.get(f"/pages/drills/schedules/{schedule_id}").text
        look("drill review", page_text(review))
        look("drills calendar", page_text(c.get("/pages/drills?lang=zh").text))
        look(
            "drills calendar county",
            page_text(c.get(f"/pages/drills?lang=zh&county={county}").text),
        )
        ics = c.get("/drills/sessions.ics?lang=zh", headers=_bearer())
        assert ics.status_code == 200, ics.text
        look(".ics", ics_text(ics.content))
        # an incident reported on the wall
        form = {
            "code": "JQ-1",
            "kind": "violent",
            "severity": "3",
            "lon": "99.62",
            "lat": "38.83",
            "headcount": "4",
            "armed": "2",
            "skills": "first_aid:1",
        }
        panel = c.post("/pages/incidents", data=form, headers=hx(token))
        assert panel.status_code == 200, panel.text
        look("incident panel", page_text(panel.text))
        look("incident bench", page_text(c.get("/pages/incidents/panel").text))
        for part in ("coverage", "backfill"):
            r = c.get(f"/pages/incidents/JQ-1/{part}")
            if r.status_code == 200:
                look(f"incident {part}", page_text(r.text))
        # roster, leave, import, my duties, audit
        roster = c.get("/pages/roster").text
        look("roster", page_text(roster))
        person = re.search(r'href="(/pages/roster/\d+)"', roster)
        assert person
        look("person", page_text(c.get(person.group(1)).text))
        look("roster/new", page_text(c.get("/pages/roster/new").text))
        look("leave", page_text(c.get("/pages/leave").text))
        look("import", page_text(c.get("/pages/import").text))
        look(
            "people workbook",
            xlsx_text(c.get("/export/people?format=xlsx&lang=zh", headers=_bearer()).content),
        )
        with Session(fresh_engine) as s:
            user = s.exec(select(User).where(User.username == "commander")).one()
            user.person_badge = "62T00001"
            s.add(user)
            s.commit()
        look("me", page_text(c.get("/pages/me").text))
        admin = log_in(c, "admin")
        assert admin
        look("audit", page_text(c.get("/pages/audit?lang=zh").text))
        # the same pages and the people workbook in English: no Chinese but the city's data
        city = City(fresh_engine)  # the schedule and the plan solved above have names too
        for path in (
            "/pages/audit",
            "/pages/drills",
            f"/pages/drills?county={county}",
            f"/pages/drills/schedules/{schedule_id}",
            "/pages/import",
            "/pages/roster",
            "/pages/plan/list",
        ):
            sep = "&" if "?" in path else "?"
            text = page_text(c.get(f"{path}{sep}lang=en").text, other="zh")
            found[f"en {path}"] = city.chinese(text)
        people_en = c.get("/export/people?format=xlsx&lang=en", headers=_bearer()).content
        found["en people workbook"] = city.chinese(xlsx_text(people_en))
    # the main CLI tables
    cli_out["standards"] = run_cli(url, "standards")
    cli_out["plan patrol"] = run_cli(
        url, "plan", "patrol", "--county", county, "--seconds", "2", "--out", str(tmp_path / "p")
    )
    cli_out["incident list"] = run_cli(url, "incident", "list", "--all")
    cli_out["drills list"] = run_cli(url, "drills", "list", "--days", "60")
    for name, text in cli_out.items():
        look(f"cli {name}", text)
    for args in (["incident", "list", "--all"], ["drills", "list", "--days", "60"]):
        found[f"en cli {' '.join(args[:2])}"] = city.chinese(run_cli(url, *args, lang="en"))
    assert not _findings(found), _findings(found)


def _bearer() -> dict[str, str]:
    from api.models import Role
    from tests.api.conftest import bearer

    return bearer(Role.COMMANDER)
