"""Fault runs on PostgreSQL with a real Redis, gunicorn, Celery worker and beat.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jianyi_wt5 .venv/bin/python bench/faults.py
    ... --rounds 10 --stale 30 --only outage|worker-kill

It makes a scratch database `<name>_faults` (the database of DATABASE_URL is not touched),
migrates it, builds 2 × ROUNDS suggestions in handling through the services, and starts a
redis-server of its own and gunicorn (2 workers) on free ports, pointed at them. Nothing is
timed inside the pages: each figure is a client's wall-clock time for one HTTP request.

outage: for ROUNDS suggestions with Redis up (no worker yet: the wake-ups wait in Redis), then
ROUNDS with Redis stopped, the five steps that notify someone, through HTTP as each person
takes them: the unit records a contact and submits a reply, the head approves it, staff issue
it, the deputy rates it. It prints each kind's status codes and response times. Then it starts
Redis again, a worker and beat, and waits for the outbox to empty: how long after the restart,
and how many e-mails each person received against the notices they were sent (each exactly
once); then one more drain, after which nothing more may arrive.

worker-kill: starts a worker, asks for the annual report through the page, kills the worker
(SIGKILL) as soon as the job shows progress, starts a new worker, and polls the job's progress
page (which runs the sweeper) until the job is done or failed: how long after the kill. The job
counts as lost after --stale seconds without progress (REPORT_JOB_STALE_SECONDS, 300 by
default in production; the time to recover is that plus one build).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from email import message_from_string
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "Fault#2026run"
YEAR_CHAPTERS = {"practices": "（一）加强领导，压实办理责任。", "plans": "（一）进一步提高办理质量。"}


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10, help="suggestions handled per phase (Redis up, then down)")
    parser.add_argument("--stale", type=int, default=30, help="REPORT_JOB_STALE_SECONDS for the worker-kill run")
    parser.add_argument("--only", choices=["outage", "worker-kill"], help="run one of the two")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], what: str, seconds: float = 180, every: float = 0.2) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise SystemExit(f"{what}: not after {seconds} s")
        time.sleep(every)
    return time.monotonic() - started


class Processes:
    """The processes this run started, stopped by their own ids at the end."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.redis: list[str] = []  # how to start redis-server

    def start(self, name: str, args: list[str], **env: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("a")
        process = subprocess.Popen(args, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT)
        self.running[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.running.pop(name, None)
        if process is not None and process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


def answering(url: str) -> bool:
    import requests

    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def redis_ping(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def build(rounds: int) -> dict[str, object]:
    """Users, one unit and 2 × rounds suggestions in handling, through the services."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from deputies.models import Deputy, Role, Term, User
    from handling import services as hs
    from handling.models import ResultCategory, Unit, UnitMember
    from proposals import services as ps
    from proposals.models import Category, Meeting

    password = make_password(PASSWORD)
    today = timezone.localdate()

    def user(username: str, role: str) -> User:
        return User.objects.create(
            username=username, full_name=username, role=role, password=password, email=f"{username}@example.cn"
        )

    term = Term.objects.create(number=17, name="第十七届", start_year=today.year - 1)
    meeting = Meeting.objects.create(
        term=term, number=1, name="十七届人大一次会议", year=today.year, opens_on=today, closes_on=today
    )
    category = Category.objects.create(name="教科文卫体")
    result = ResultCategory.objects.create(name="已经解决或基本解决", result_class="A")
    unit = Unit.objects.create(name="区教育局")
    staff, handler, head = user("staff", Role.STAFF), user("handler", Role.UNIT_HANDLER), user("head", Role.UNIT_HEAD)
    UnitMember.objects.create(user=handler, unit=unit)
    UnitMember.objects.create(user=head, unit=unit)
    assignments = []
    for i in range(2 * rounds):
        deputy_user = user(f"deputy{i:03d}", Role.DEPUTY)
        deputy = Deputy.objects.create(name=f"代表{i}", user=deputy_user, phone=f"138{i:08d}")
        proposal = ps.create_draft(
            lead_deputy=deputy, meeting=meeting, title=f"关于第{i}件事的建议", body="正文", by=deputy_user
        )
        ps.submit_proposal(proposal=proposal, by=deputy_user)
        ps.register_proposal(proposal=proposal, by=staff, category=category)
        (assignment,) = hs.assign_proposal(proposal=proposal, by=staff, lead_unit=unit)
        hs.sign_assignment(assignment=assignment, by=handler)
        assignments.append((assignment.pk, deputy_user.username))
    from reports.models import AnnualReport

    AnnualReport.objects.create(year=today.year, updated_by=staff, **YEAR_CHAPTERS)
    return {"assignments": assignments, "result": result.pk, "year": today.year}


class Browser:
    """One person's session over HTTP, with the CSRF token as a form sends it."""

    def __init__(self, base: str, username: str) -> None:
        import requests

        self.base, self.session = base, requests.Session()
        self.session.get(f"{base}/accounts/login/")
        answer = self.post("/accounts/login/", {"username": username, "password": PASSWORD})[0]
        if answer != 302:
            raise SystemExit(f"login of {username} answered {answer}")

    def post(self, path: str, data: dict[str, object] | None = None) -> tuple[int, float]:
        form = {**(data or {}), "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", "")}
        started = time.perf_counter()
        response = self.session.post(f"{self.base}{path}", data=form, allow_redirects=False, timeout=60)
        return response.status_code, time.perf_counter() - started

    def get(self, path: str) -> tuple[int, float, object]:
        started = time.perf_counter()
        response = self.session.get(f"{self.base}{path}", allow_redirects=False, timeout=60)
        body = response.json() if "json" in response.headers.get("Content-Type", "") else None
        return response.status_code, time.perf_counter() - started, body


Timings = dict[str, list[tuple[int, float]]]


def take_the_steps(base: str, data: dict[str, object], which: range, timings: Timings) -> None:
    from django.utils import timezone

    from handling.models import Reply

    handler, head, staff = Browser(base, "handler"), Browser(base, "head"), Browser(base, "staff")
    assignments = data["assignments"]
    assert isinstance(assignments, list)
    for index in which:
        assignment, deputy_name = assignments[index]
        contact = {"kind": "phone", "stage": "during", "contact_date": timezone.localdate().isoformat()}
        contact |= {"people": "代表本人", "summary": "电话沟通办理思路"}
        timings["contact"].append(handler.post(f"/handling/assignments/{assignment}/contact/", contact))
        letter = {"signer": "张局长", "result_category": data["result"], "body": "已完成扩建。", "action": "submit"}
        timings["reply submitted"].append(handler.post(f"/handling/assignments/{assignment}/reply/", letter))
        reply = Reply.objects.get(assignment_id=assignment)
        timings["reply approved"].append(head.post(f"/handling/replies/{reply.pk}/approve/"))
        timings["reply issued"].append(staff.post(f"/handling/replies/{reply.pk}/issue/"))
        rating = {"attitude": "satisfied", "result": "satisfied", "confirmed": "1"}
        timings["rating"].append(Browser(base, deputy_name).post(f"/handling/replies/{reply.pk}/rate/", rating))


def summarise(title: str, timings: Timings) -> None:
    print(f"\n{title}")
    print("| step | requests | status codes | median ms | max ms |")
    print("| --- | ---: | --- | ---: | ---: |")
    for step, rows in timings.items():
        codes = Counter(code for code, _t in rows)
        times = [t * 1000 for _c, t in rows]
        shown = ", ".join(f"{code}×{n}" for code, n in sorted(codes.items()))
        print(f"| {step} | {len(rows)} | {shown} | {statistics.median(times):.0f} | {max(times):.0f} |")


def mails_per_address(folder: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in sorted(folder.iterdir()):
        for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                counts[message_from_string(chunk)["To"]] += 1
    return counts


def celery(procs: Processes, name: str, *args: str) -> None:
    procs.start(name, [sys.executable, "-m", "celery", "-A", "config", *args, "--loglevel", "INFO"])


def outage(procs: Processes, base: str, redis_url: str, data: dict[str, object], rounds: int, mail: Path) -> None:
    from django.utils import timezone

    from proposals.models import Notification, OutboxMessage

    started_at = timezone.now()
    up: Timings = {k: [] for k in STEPS}
    take_the_steps(base, data, range(rounds), up)
    summarise(f"Redis up, no worker yet ({rounds} suggestions):", up)

    procs.stop("redis")
    down: Timings = {k: [] for k in STEPS}
    take_the_steps(base, data, range(rounds, 2 * rounds), down)
    summarise(f"Redis stopped ({rounds} suggestions):", down)

    notices = Notification.objects.filter(created_at__gte=started_at).exclude(recipient__email="")
    expected = Counter(notices.values_list("recipient__email", flat=True))
    waiting = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
    print(f"\noutbox: {waiting.count()} messages waiting for {len(expected)} people ({sum(expected.values())} notices)")

    procs.start("redis", procs.redis)
    restarted = time.monotonic()
    wait_for(lambda: redis_ping(redis_url), "Redis back")
    celery(procs, "worker", "worker", "--pool", "solo", "--without-gossip", "--without-mingle")
    celery(procs, "beat", "beat")
    wait_for(lambda: not waiting.exists(), "the outbox emptied", seconds=300, every=0.5)
    emptied = time.monotonic() - restarted
    received = mails_per_address(mail)
    print(f"outbox empty {emptied:.1f} s after Redis restarted (worker and beat started with it)")
    for line in procs.log("beat").splitlines():
        if "Sending due task" in line:
            print(f"beat's first drain: {line.split(']', 1)[0].lstrip('[')}")
            break
    twice = {a: n for a, n in received.items() if n > expected.get(a, 0)}
    missing = {a: n for a, n in expected.items() if received.get(a, 0) < n}
    print(f"e-mails received: {sum(received.values())} for {sum(expected.values())} notices; ", end="")
    print(f"more than once: {twice or 'none'}; missing: {missing or 'none'}")

    from celery import Celery

    client = Celery("faults", broker=redis_url, set_as_current=False)
    drains = procs.log("worker").count("drain_outbox[") // 2
    client.send_task("proposals.tasks.drain_outbox")
    wait_for(lambda: procs.log("worker").count("drain_outbox[") // 2 > drains, "one more drain")
    client.close()
    again = mails_per_address(mail)
    print(f"after one more drain: {sum(again.values()) - sum(received.values())} more e-mails")
    procs.stop("beat")
    procs.stop("worker")


def worker_kill(procs: Processes, base: str, data: dict[str, object]) -> None:
    from reports.models import ReportJob

    celery(procs, "worker-a", "worker", "--pool", "solo", "--without-gossip", "--without-mingle")
    wait_for(lambda: " ready." in procs.log("worker-a"), "worker A ready")
    staff = Browser(base, "staff")
    answer = staff.post("/reports/annual/generate/", {"year": data["year"]})[0]
    job = ReportJob.objects.latest("pk")
    wait_for(lambda: ReportJob.objects.filter(pk=job.pk, status="running").exists(), "the job running", every=0.02)
    procs.stop("worker-a", signal.SIGKILL)
    job.refresh_from_db()
    print(
        f"\nreport job {job.pk}: generate answered {answer}; worker killed (SIGKILL) at {job.progress}% ({job.stage})"
    )
    celery(procs, "worker-b", "worker", "--pool", "solo", "--without-gossip", "--without-mingle")
    polls = []

    def finished() -> bool:
        code, seconds, body = staff.get(f"/reports/annual/jobs/{job.pk}/")
        polls.append((code, seconds))
        return isinstance(body, dict) and body["status"] in ("done", "failed")

    took = wait_for(finished, "the job finished", seconds=900, every=1)
    job.refresh_from_db()
    pdf = Path(job.pdf.path).exists() if job.pdf else False
    print(
        f"job {job.status} {took:.1f} s after the kill (attempt {job.attempt}, PDF stored: {pdf}, error: {job.error!r})"
    )
    print(f"{len(polls)} polls of its progress page: {Counter(c for c, _s in polls)}")
    procs.stop("worker-b")


STEPS = ("contact", "reply submitted", "reply approved", "reply issued", "rating")


def main() -> None:
    args = parse()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (its server is used; the database itself is not touched).")
    import psycopg

    base_url, name = url.rsplit("/", 1)
    database = f"{name}_faults"
    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    folder = Path(tempfile.mkdtemp(prefix="jianyi-faults-"))
    mail = folder / "mail"
    mail.mkdir()
    redis_port, web_port = free_port(), free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = {
        **os.environ,
        "DATABASE_URL": f"{base_url}/{database}",
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",  # the app's settings, mail into files
        "TEST_MAIL_DIR": str(mail),
        "VAR_DIR": str(folder),
        "DJANGO_DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "REPORT_JOB_STALE_SECONDS": str(args.stale),
    }
    os.environ.update({k: v for k, v in env.items() if k != "REDIS_URL"})
    import django

    django.setup()
    from django.conf import settings

    # This process builds the data through the services, which mail their notices: not into the
    # files where the worker's mail is counted.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core.management import call_command

    print(f"database {database}, files in {folder}")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    data = build(args.rounds)
    print(f"built {2 * args.rounds} suggestions in handling in {time.perf_counter() - started:.1f} s")

    procs = Processes(folder, env)
    procs.redis = ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--dir", str(folder)]
    procs.redis += ["--save", "", "--appendonly", "no"]
    try:
        procs.start("redis", procs.redis)
        wait_for(lambda: redis_ping(redis_url), "redis-server answering")
        base = f"http://127.0.0.1:{web_port}"
        gunicorn = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{web_port}"]
        procs.start("gunicorn", [*gunicorn, "--workers", "2", "--timeout", "120"])
        wait_for(lambda: answering(f"{base}/healthz"), "gunicorn answering")
        if args.only in (None, "outage"):
            outage(procs, base, redis_url, data, args.rounds, mail)
        if args.only in (None, "worker-kill"):
            worker_kill(procs, base, data)
    finally:
        procs.stop_all()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
