"""Two web instances, one installation: one suggestion's whole life driven over HTTP across both.

Starts two gunicorn instances on two ports of the loopback and one Celery worker, all on one
PostgreSQL database (made afresh and migrated), one Redis database number and one shared file
storage (a temporary directory, or with `--storage s3` an S3 server run here, moto's), each
instance with a local folder of its own (VAR_DIR) so that nothing else on a local disk is shared.
Then, as browsers would (log in with the CSRF token of the page, a session cookie that goes to
both instances as it would behind a load balancer):

    deputy   A  drafts a suggestion with an attachment, submits it
    staff    B  registers it, assigns it to 区教育局
    handler  A  signs for it, records a contact, writes the reply with an attachment, sends it on
    head     B  approves the reply
    staff    A  issues it
    deputy   B  downloads the reply's attachment;  A  rates it (the suggestion closes)
    staff    A  uploads an Excel workbook (checked);  B  applies it (read back from the storage)
    staff    A  writes the report's chapters and asks for the PDF (the worker builds it)
    everyone    every file downloaded from both instances, byte for byte
    outsider    5 wrong passwords, 3 on A and 2 on B: locked on both (django-axes in the database)
    deputy   B  logs out: A no longer knows the session (sessions in the database)

and checks the database: the suggestion closed, its trail, the notifications, the mails the
worker sent. Each step is printed with its time.

    .venv/bin/python -m scripts.two_instances [--database-url URL] [--redis-url URL] [--storage s3]

The database (default postgres://postgres@127.0.0.1:5432/jianyi_two_instances) is dropped and
made again; the Redis database (default redis://127.0.0.1:6379/13) must be empty at the start,
and is emptied at the end. Exit code 1 if a step or a check failed. tests/test_two_instances.py
runs the same.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import logging
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from PIL import Image

from scripts.processes import ROOT, Process, app_environment, start

PASSWORD = "Two#Instances2026"
PEOPLE = ("deputy", "staff", "handler", "head", "outsider")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


PNG = _png()
UNIT = "区教育局"
TITLE = "关于在学校周边增设交通信号灯的建议"


# --- the installation --------------------------------------------------------------------------


def fresh_database(url: str) -> None:
    """Drop the database of `url` if an earlier run left it, and make it again, empty."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"the database name must be lower-case letters, digits and _: {name!r}")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {name}")


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {parts.path.lstrip('/')} WITH (FORCE)")


def local_today() -> dt.date:
    """Today where the app is (TIME_ZONE), whatever this machine's zone."""
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Installation:
    a: str
    b: str
    worker: Process
    web: list[Process]


@contextlib.contextmanager
def s3_store() -> Iterator[dict[str, str]]:
    """An S3 server on the loopback (moto's) with an empty private bucket: the settings for it."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    server.start()
    host, port = server.get_host_and_port()
    settings = {
        "FILE_STORAGE": "s3",
        "S3_BUCKET": "jianyi-two-instances",
        "S3_ENDPOINT_URL": f"http://{host}:{port}",
        "S3_REGION": "cn-north-1",
        "S3_ACCESS_KEY_ID": "two-instances",
        "S3_SECRET_ACCESS_KEY": secrets.token_hex(16),
    }
    boto3.client(
        "s3",
        endpoint_url=settings["S3_ENDPOINT_URL"],
        region_name=settings["S3_REGION"],
        aws_access_key_id=settings["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=settings["S3_SECRET_ACCESS_KEY"],
    ).create_bucket(Bucket=settings["S3_BUCKET"], CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
    try:
        yield settings
    finally:
        server.stop()


@contextlib.contextmanager
def installation(
    database_url: str, redis_url: str, workdir: Path, storage: str, prepare: Callable[[dict[str, str]], None]
) -> Iterator[Installation]:
    """Two gunicorn instances and one worker on one database, one Redis and one file storage.
    `prepare` (migrate, seed) runs while they boot: none of them touches the database before
    its first request or task."""
    with contextlib.ExitStack() as stack:
        files = stack.enter_context(s3_store()) if storage == "s3" else {"FILE_STORAGE": "filesystem"}
        shared = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            # What every instance must share besides the database, Redis and the files: the key
            # that signs sessions and CSRF tokens.
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_DEBUG": "0",
            "MEDIA_ROOT": str(workdir / "shared-media"),
            "SMS_SENDER": "",
            "LOG_LEVEL": "INFO",
            **files,
        }
        logs = workdir / "logs"
        processes: list[Process] = []
        stack.callback(stop_all, processes)
        web, bases = [], []
        for name in ("a", "b"):
            port = free_port()
            env = app_environment(**shared, VAR_DIR=str(workdir / f"instance-{name}"))
            gunicorn = [
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                # The app is loaded once and the workers forked from it, as a deployment would.
                "--preload",
                "--access-logfile",
                "-",
                "--timeout",
                "60",
            ]
            web.append(start(f"web-{name}", gunicorn, env=env, logs=logs))
            bases.append(f"http://127.0.0.1:{port}")
        processes.extend(web)
        worker_env = app_environment(**shared, VAR_DIR=str(workdir / "worker"))
        worker_args = ["-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "INFO"]
        worker_args += ["--hostname", "two-instances@%h", "--without-heartbeat", "--without-gossip", "--without-mingle"]
        worker = start("worker", worker_args, env=worker_env, logs=logs)
        processes.append(worker)
        prepare(app_environment(**shared, VAR_DIR=str(workdir / "helper")))
        for process in web:
            process.wait_for("Booting worker with pid", times=2, timeout=60)
        worker.wait_for(" ready.", timeout=60)
        for base in bases:
            wait_until_serving(base)
        yield Installation(a=bases[0], b=bases[1], worker=worker, web=web)


def stop_all(processes: list[Process]) -> None:
    """All at once, each by its own process id. Nothing is in flight any more: gunicorn's quick
    shutdown (SIGINT) instead of its graceful one, which waits for idle workers to wake up."""
    for process in processes:
        process.signal(signal.SIGINT if process.name.startswith("web") else signal.SIGTERM)
    for process in processes:
        process.wait()


def wait_until_serving(base: str, timeout: float = 30) -> None:
    import requests

    give_up = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"{base}/accounts/login/", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > give_up:
            raise TimeoutError(f"{base} does not answer")
        time.sleep(0.2)


# --- a person in a browser ----------------------------------------------------------------------


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Failed(AssertionError):
    pass


class Browser:
    """One person's browser: one cookie jar for both instances (cookies do not care about the
    port, so the session reaches both, as behind a load balancer), a form's CSRF token read from
    the page that shows it."""

    def __init__(self, username: str) -> None:
        import requests

        self.username = username
        self.http = requests.Session()
        self.http.trust_env = False  # never a proxy: the instances are on the loopback

    def get(self, base: str, path: str, expect: int = 200) -> Any:
        response = self.http.get(base + path, allow_redirects=False, timeout=60)
        if response.status_code != expect:
            raise Failed(f"{self.username}: GET {base}{path} answered {response.status_code}, not {expect}")
        return response

    def post(
        self,
        base: str,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        page: str | None = None,
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
        expect: int = 302,
    ) -> Any:
        """Open `page` (the form's own page unless given) on the same instance, then post the
        form with its CSRF token."""
        html = self.get(base, page or path).text
        found = CSRF.search(html)
        if found is None:
            raise Failed(f"{self.username}: no form on {base}{page or path}")
        response = self.http.post(
            base + path,
            data={"csrfmiddlewaretoken": found.group(1), **(data or {})},
            files=files,
            allow_redirects=False,
            timeout=120,
        )
        if response.status_code != expect:
            raise Failed(
                f"{self.username}: POST {base}{path} answered {response.status_code}, not {expect}: "
                f"{error_text(response.text)}"
            )
        return response

    def log_in(self, base: str, password: str = PASSWORD, expect: int = 302) -> Any:
        return self.post(base, "/accounts/login/", {"username": self.username, "password": password}, expect=expect)


def error_text(html: str) -> str:
    """The page's error messages, for a failure's message."""
    found = re.findall(r'class="(?:errorlist|messages|notice[^"]*)"[^>]*>(.*?)</(?:ul|div)>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>|\s+", " ", item).strip() for item in found)[:600] or html[:300]


def one(pattern: str, text: str, what: str) -> int:
    found = re.search(pattern, text)
    if found is None:
        raise Failed(f"no {what} found")
    return int(found.group(1))


# --- the life of one suggestion -------------------------------------------------------------------


@dataclass
class Outcome:
    steps: list[tuple[str, float]] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        yield
        self.steps.append((name, time.monotonic() - started))
        print(f"  {time.monotonic() - started:5.2f} s  {name}", flush=True)


def workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["单位名称", "简称", "单位类型"])
    sheet.append(["区交通运输局", "交通局", "政府部门"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def drive(site: Installation, outcome: Outcome) -> None:
    a, b = site.a, site.b
    today = local_today().isoformat()
    people = {name: Browser(name) for name in PEOPLE}
    deputy, staff, handler, head = (people[n] for n in ("deputy", "staff", "handler", "head"))
    ids = outcome.ids

    with outcome.step("deputy on A: logs in, drafts with an attachment, submits"):
        deputy.log_in(a)
        page = deputy.get(a, "/proposals/mine/new/").text
        token = re.search(r'name="draft_token" value="([^"]+)"', page)
        text: dict[str, Any] = {
            "title": TITLE,
            "body": "学校门口上下学时段车流量大，建议增设信号灯。",
            "channel": "between",
        }
        text["category"] = one(r'<option value="(\d+)"[^>]*>教科文卫体', page, "category")
        text["source"] = one(r'<option value="(\d+)"[^>]*>专题调研', page, "source")
        saved = deputy.post(
            a,
            "/proposals/mine/new/",
            {**text, "draft_token": token.group(1) if token else "", "action": "save"},
            files=[("attachments", ("调研报告.pdf", PDF, "application/pdf"))],
        )
        ids["proposal"] = one(r"/proposals/mine/(\d+)/edit/", saved.headers["Location"], "draft")
        edit = f"/proposals/mine/{ids['proposal']}/edit/"
        outcome.files["proposal_attachment"] = PDF
        ids["proposal_attachment"] = one(r"/proposals/attachments/(\d+)/", deputy.get(a, edit).text, "attachment")
        deputy.post(a, edit, {**text, "action": "submit"})

    pk = ids["proposal"]
    with outcome.step("staff on B: log in, register, assign"):
        staff.log_in(b)
        review = staff.get(b, f"/proposals/{pk}/review/").text
        category = one(r'<option value="(\d+)"[^>]*>教科文卫体', review, "category")
        staff.post(
            b, f"/proposals/{pk}/register/", {"number": "", "category": category}, page=f"/proposals/{pk}/review/"
        )
        form = staff.get(b, f"/handling/assign/{pk}/").text
        unit = one(rf'<option value="(\d+)"[^>]*>{UNIT}', form, "unit")
        plan = {"mode": "lead", "lead_unit": unit, "assigned_on": today}
        staff.post(b, f"/handling/assign/{pk}/", plan, expect=200)
        staff.post(b, f"/handling/assign/{pk}/", {**plan, "confirm": "1"})

    with outcome.step("handler on A: logs in, signs, records a contact, writes the reply with an attachment"):
        handler.log_in(a)
        detail = f"/proposals/{pk}/"
        ids["assignment"] = one(r"/handling/assignments/(\d+)/sign/", handler.get(a, detail).text, "assignment")
        assignment = ids["assignment"]
        handler.post(a, f"/handling/assignments/{assignment}/sign/", page=detail)
        contact = {
            "kind": "phone",
            "stage": "during",
            "contact_date": today,
            "people": "王代表；区教育局基教科科长",
            "summary": "电话沟通，商定在两所学校门口先行试点。",
        }
        handler.post(a, f"/handling/assignments/{assignment}/contact/", contact)
        reply_form = handler.get(a, f"/handling/assignments/{assignment}/reply/").text
        result = one(r'<option value="(\d+)"[^>]*>已经解决或基本解决', reply_form, "result category")
        letter = {
            "reference_number": "示教函〔2026〕12号",
            "signer": "张局长",
            "contact_person": "李科长",
            "contact_phone": "0571-88880000",
            "result_category": result,
            "body": "经研究，现答复如下：两所学校门口的信号灯已安装。",
            "done_items": "安装信号灯两处",
            "is_public": "on",
            "action": "submit",
        }
        outcome.files["reply_attachment"] = PNG
        sent = handler.post(
            a,
            f"/handling/assignments/{assignment}/reply/",
            letter,
            files=[("attachments", ("现场照片.png", PNG, "image/png"))],
        )
        ids["reply"] = one(r"/handling/replies/(\d+)/", sent.headers["Location"], "reply")

    reply = f"/handling/replies/{ids['reply']}/"
    with outcome.step("head on B: logs in, approves"):
        head.log_in(b)
        head.post(b, f"{reply}approve/", page=reply)

    with outcome.step("staff on A: issue the reply (same session as on B)"):
        staff.post(a, f"{reply}issue/", page=reply)

    with outcome.step("deputy on B: downloads the reply's attachment; on A: rates it"):
        mine = deputy.get(b, f"/proposals/mine/{pk}/").text
        ids["reply_attachment"] = one(r"/handling/reply-attachments/(\d+)/", mine, "reply attachment")
        got = deputy.get(b, f"/handling/reply-attachments/{ids['reply_attachment']}/").content
        if got != PNG:
            raise Failed("the reply's attachment downloaded on B is not what the handler uploaded on A")
        rating = {"attitude": "satisfied", "result": "satisfied", "comment": "", "confirmed": "1"}
        deputy.post(a, f"{reply}rate/", rating)
        deputy.post(a, f"{reply}rate/", {"settle": "1"})  # 确认，不再修改: it takes effect now

    with outcome.step("staff: upload a workbook on A (checked), apply it on B"):
        data = workbook()
        outcome.files["import_workbook"] = data
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        checked = staff.post(a, "/reports/import/", {"kind": "units"}, files=[("file", ("单位.xlsx", data, xlsx))])
        ids["import"] = one(r"/reports/import/(\d+)/", checked.headers["Location"], "import batch")
        staff.post(b, f"/reports/import/{ids['import']}/apply/", page=f"/reports/import/{ids['import']}/")

    with outcome.step("staff on A: the annual report's PDF, built by the worker"):
        year = local_today().year
        chapters = {"year": year, "action": "save", "title": "", "practices": "（一）加强领导。", "plans": "继续努力。"}
        staff.post(a, "/reports/annual/", chapters, page=f"/reports/annual/?year={year}")
        queued = staff.post(a, "/reports/annual/generate/", {"year": year}, page=f"/reports/annual/?year={year}")
        ids["report"] = one(r"#job-(\d+)", queued.headers["Location"], "report job")
        give_up = time.monotonic() + 60
        while (status := staff.get(b, f"/reports/annual/jobs/{ids['report']}/").json())["status"] != "done":
            if status["status"] == "failed" or time.monotonic() > give_up:
                raise Failed(f"the report job did not finish: {status}\n{site.worker.text()[-3000:]}")
            time.sleep(0.3)

    with outcome.step("every file from both instances"):
        downloads = {
            "proposal_attachment": (deputy, f"/proposals/attachments/{ids['proposal_attachment']}/"),
            "reply_attachment": (deputy, f"/handling/reply-attachments/{ids['reply_attachment']}/"),
            "report_pdf": (staff, f"/reports/annual/jobs/{ids['report']}/pdf/"),
        }
        for name, (person, path) in downloads.items():
            bodies = [person.get(base, path).content for base in (a, b)]
            if bodies[0] != bodies[1] or name in outcome.files and bodies[0] != outcome.files[name]:
                raise Failed(f"{name}: the instances serve different bytes, or not what was uploaded")
            if name == "report_pdf" and not bodies[0].startswith(b"%PDF"):
                raise Failed("the report is not a PDF")

    with outcome.step("outsider: 3 wrong passwords on A, 2 on B: locked on both"):
        outsider = people["outsider"]
        for base in (a, a, a, b):
            outsider.log_in(base, "wrong password", expect=200)
        outsider.log_in(b, "wrong password", expect=429)  # the fifth: locked
        outsider.log_in(a, expect=429)  # the right password, on the other instance: still locked
        outsider.log_in(b, expect=429)

    with outcome.step("deputy logs out on B: the session is gone on A too"):
        deputy.post(b, "/accounts/logout/", page=f"/proposals/mine/{pk}/")
        if "/accounts/login/" not in deputy.get(a, "/proposals/mine/", expect=302).headers["Location"]:
            raise Failed("after logging out on B, A still knows the session")


# --- what the database says -----------------------------------------------------------------------


def seed() -> dict[str, Any]:
    """Migrate the fresh database, then add the people and reference data of the run (one
    process for both: the machine has two cores, and everything else is booting meanwhile)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from deputies.models import Delegation, Deputy, Role, Term, User
    from handling.models import ResultCategory, Unit, UnitMember
    from proposals.models import Category, Meeting, Source

    today = local_today()
    term = Term.objects.create(number=17, name="第十七届", start_year=today.year - 2)
    Meeting.objects.create(
        term=term,
        number=5,
        name="十七届人大五次会议",
        year=today.year,
        opens_on=today - dt.timedelta(days=60),
        closes_on=today - dt.timedelta(days=57),
    )
    Category.objects.create(name="教科文卫体")
    Source.objects.create(name="专题调研")
    ResultCategory.objects.create(name="已经解决或基本解决", result_class="A")
    unit = Unit.objects.create(name=UNIT)
    Unit.objects.create(name="区财政局")

    def user(username: str, role: str, **extra: Any) -> User:
        return User.objects.create_user(username=username, password=PASSWORD, full_name=username, role=role, **extra)

    delegation = Delegation.objects.create(name="第一代表团")
    Deputy.objects.create(
        name="王建国",
        delegation=delegation,
        phone="13900000001",
        user=user("deputy", Role.DEPUTY, email="d@example.cn"),
    )
    Deputy.objects.create(name="孙局外", delegation=delegation, phone="13900000002", user=user("outsider", Role.DEPUTY))
    user("staff", Role.STAFF, email="staff@example.cn")
    UnitMember.objects.create(user=user("handler", Role.UNIT_HANDLER, email="h@example.cn"), unit=unit)
    UnitMember.objects.create(user=user("head", Role.UNIT_HEAD, email="head@example.cn"), unit=unit)
    return {"users": User.objects.count()}


def inspect(ids: dict[str, int]) -> dict[str, Any]:
    """The database after the run, as plain data."""
    from axes.models import AccessAttempt
    from django.contrib.sessions.models import Session
    from django.core.files.storage import default_storage

    from handling.models import Rating, Reply, ReplyAttachment
    from proposals.models import Notification, Proposal, ProposalAttachment
    from reports.models import ImportBatch, ReportJob

    proposal = Proposal.objects.get(pk=ids["proposal"])
    files = [
        ProposalAttachment.objects.get(pk=ids["proposal_attachment"]).file.name,
        ReplyAttachment.objects.get(pk=ids["reply_attachment"]).file.name,
        ImportBatch.objects.get(pk=ids["import"]).file.name,
        ReportJob.objects.get(pk=ids["report"]).pdf.name,
    ]
    return {
        "state": proposal.state,
        "events": list(proposal.events.order_by("pk").values_list("action", flat=True)),
        "reply": Reply.objects.get(pk=ids["reply"]).state,
        "rating": Rating.objects.filter(reply_id=ids["reply"]).values_list("attitude", "result").first(),
        "notifications": sorted(
            f"{n.recipient.username}:{n.kind}"
            for n in Notification.objects.filter(proposal=proposal).select_related("recipient")
        ),
        "mailed": Notification.objects.filter(proposal=proposal, emailed_at__isnull=False).count(),
        "import": ImportBatch.objects.get(pk=ids["import"]).status,
        "report": ReportJob.objects.get(pk=ids["report"]).status,
        "files": {name: default_storage.exists(name) for name in files},
        "lockouts": list(AccessAttempt.objects.values_list("username", "failures_since_start")),
        "sessions": Session.objects.count(),
    }


class Helper:
    """A process of the app of the run's own (config.settings, the run's database and files):
    it migrates and seeds, then waits to inspect the database at the end. One process for both:
    the app takes seconds to load, on two cores where everything else is booting too."""

    def __init__(self, env: dict[str, str]) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "scripts.two_instances", "helper"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def answer(self) -> dict[str, Any]:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            if line.startswith("{"):
                result: dict[str, Any] = json.loads(line)
                return result
        raise Failed(f"the helper stopped (exit {self.popen.wait()})")

    def inspect(self, ids: dict[str, int]) -> dict[str, Any]:
        assert self.popen.stdin is not None
        self.popen.stdin.write(json.dumps(ids) + "\n")
        self.popen.stdin.flush()
        return self.answer()

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait()


def helper() -> None:
    """The helper's side: seed, answer with a line of JSON, read the ids, inspect, answer."""
    import django

    django.setup()
    print(json.dumps(seed()), flush=True)
    ids = json.loads(sys.stdin.readline())
    print(json.dumps(inspect(ids)), flush=True)


def problems_in(found: dict[str, Any], worker_log: str) -> list[str]:
    expected_events = {"create", "attachment_added", "submit", "register", "assign", "sign", "contact"}
    problems = []
    if found["state"] != "closed":
        problems.append(f"the suggestion is {found['state']}, not closed")
    if missing := expected_events - set(found["events"]):
        problems.append(f"the trail lacks {sorted(missing)}: {found['events']}")
    if found["reply"] != "issued" or found["rating"] != ["satisfied", "satisfied"]:
        problems.append(f"reply {found['reply']}, rating {found['rating']}")
    if not {"deputy:reply_issued", "staff:reply_review", "handler:rated"} <= set(found["notifications"]):
        problems.append(f"notifications: {found['notifications']}")
    if found["mailed"] == 0 or "proposals.tasks.drain_outbox" not in worker_log:
        problems.append("the worker mailed no notification")
    if (found["import"], found["report"]) != ("applied", "done"):
        problems.append(f"import {found['import']}, report {found['report']}")
    if not all(found["files"].values()):
        problems.append(f"files missing from the storage: {found['files']}")
    if found["lockouts"] != [["outsider", 5]]:
        problems.append(f"lockouts: {found['lockouts']}")
    return problems


@dataclass
class Result:
    seconds: float
    setup_seconds: float
    steps: list[tuple[str, float]]
    found: dict[str, Any]
    problems: list[str]


def run(database_url: str, redis_url: str, workdir: Path, storage: str = "filesystem") -> Result:
    import redis

    started = time.monotonic()
    store = redis.Redis.from_url(redis_url)
    if store.dbsize():
        raise Failed(f"{redis_url} is not empty: give this run a Redis database number of its own")
    fresh_database(database_url)
    outcome, helpers = Outcome(), []

    def prepare(env: dict[str, str]) -> None:
        helpers.append(Helper(env))
        helpers[0].answer()
        print(f"  {time.monotonic() - started:5.2f} s  a fresh database, migrated, the people", flush=True)

    try:
        with installation(database_url, redis_url, workdir, storage, prepare) as site:
            setup = time.monotonic() - started
            print(f"  {setup:5.2f} s  two instances and a worker are up: A {site.a}, B {site.b}", flush=True)
            drive(site, outcome)
            with outcome.step("the database checked"):
                found = helpers[0].inspect(outcome.ids)
                problems = problems_in(found, site.worker.text())
            stopping = time.monotonic()
        print(f"  {time.monotonic() - stopping:5.2f} s  the instances and the worker stopped", flush=True)
    finally:
        for process in helpers:
            process.stop()
        store.flushdb()  # it was empty at the start: everything in it is this run's
        store.close()
    return Result(time.monotonic() - started, setup, outcome.steps, found, problems)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.two_instances", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="run", choices=["run", "helper"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/jianyi_two_instances")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--storage", choices=["filesystem", "s3"], default="filesystem")
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs afterwards")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.command == "helper":
        helper()  # in a process of the app, started by run() with the run's settings
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="jianyi-two-instances-"))
    print(f"two instances, one installation ({args.storage} storage; logs in {workdir / 'logs'})", flush=True)
    try:
        result = run(args.database_url, args.redis_url, workdir, args.storage)
    except Failed as exc:
        print(f"FAILED: {exc}\nlogs: {workdir / 'logs'}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            drop_database(args.database_url)
    for problem in result.problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    life = sum(seconds for _name, seconds in result.steps)
    print(f"total {result.seconds:.1f} s (setup {result.setup_seconds:.1f} s, the life {life:.1f} s)")
    print(json.dumps(result.found, ensure_ascii=False, indent=1))
    if result.problems:
        print(f"logs: {workdir / 'logs'}", file=sys.stderr)
        return 1
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
