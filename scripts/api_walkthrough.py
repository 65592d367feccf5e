"""A deputy's round trip through the HTTP API alone (urllib, nothing of the app imported):
log in with a code sent to the phone, draft and submit a suggestion; later read the reply and
rate it.

    # 1. log in with a phone code, draft and submit (prints the suggestion's id and the token)
    .venv/bin/python -m scripts.api_walkthrough --base-url http://127.0.0.1:8000 \\
        --phone 13900000001 --code-file var/sms.jsonl --category 3 --source 1
    # 2. once a unit has replied: read the reply and rate it (a new login, or --token from step 1)
    .venv/bin/python -m scripts.api_walkthrough --base-url http://127.0.0.1:8000 \\
        --phone 13900000001 --code-file var/sms.jsonl --rate 42

The code: with `--code-file` the script reads it from the file the development sender writes
(`SMS_SENDER=deputies.sms.FileSmsSender`, `SMS_FILE`; never in production), waiting up to
`--wait` seconds; without it, it asks for the code on the terminal, as a person reads it off
their phone. Exit code 0 when every step answered as expected, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any


class ApiError(Exception):
    def __init__(self, status: int, body: Any, what: str) -> None:
        super().__init__(f"{what}: HTTP {status} {body}")
        self.status = status
        self.body = body


class Api:
    """The API at `base_url` (…/api/v1/ is added), as one person once logged in."""

    def __init__(self, base_url: str, token: str = "") -> None:
        self.root = base_url.rstrip("/") + "/api/v1/"
        self.token = token

    def call(self, method: str, path: str, data: dict[str, Any] | None = None, what: str = "") -> Any:
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(self.root + path.lstrip("/"), data=body, method=method)
        request.add_header("Accept", "application/json")
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # the URL given
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                answer: Any = json.loads(raw or b"{}")
            except ValueError:
                answer = raw[:200]
            raise ApiError(exc.code, answer, what or f"{method} {path}") from exc
        return json.loads(raw) if raw else None


def ask_for_code(api: Api, phone: str) -> None:
    api.call("POST", "auth/sms/", {"phone": phone, "purpose": "login"}, "asking for a code")


def code_from_file(path: Path, phone: str, since: float, wait: float = 10.0) -> str:
    """The 6-digit code in the newest message to `phone` written to `path` after `since`
    (FileSmsSender's JSON lines), waiting up to `wait` seconds for it."""
    deadline = time.monotonic() + wait
    while True:
        if path.exists():
            for line in reversed(path.read_text(encoding="utf-8").splitlines()):
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if message.get("phone") != phone or _epoch(message.get("at", "")) < since:
                    continue
                found = re.search(r"(?<!\d)\d{6}(?!\d)", message.get("text", ""))
                if found:
                    return found.group(0)
        if time.monotonic() > deadline:
            raise SystemExit(f"no code for {phone} in {path} (is SMS_SENDER=deputies.sms.FileSmsSender?)")
        time.sleep(0.2)


def _epoch(iso: str) -> float:
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 0.0


def log_in(api: Api, phone: str, code: str) -> dict[str, Any]:
    """Exchange the code for a short-lived token; the Api acts with it from now on."""
    answer = api.call("POST", "auth/token/", {"phone": phone, "code": code}, "exchanging the code")
    api.token = answer["token"]
    return dict(answer)


def draft_and_submit(api: Api, *, title: str, body: str, category: int, source: int) -> dict[str, Any]:
    draft = api.call(
        "POST", "suggestions/", {"title": title, "body": body, "category": category, "source": source}, "drafting"
    )
    return dict(api.call("POST", f"suggestions/{draft['id']}/submit/", None, "submitting"))


def read_and_rate(
    api: Api, suggestion: int, *, attitude: str = "satisfied", result: str = "satisfied", comment: str = ""
) -> dict[str, Any]:
    """Read the replies to `suggestion`, rate the first unrated one, and confirm the rating."""
    replies = api.call("GET", f"suggestions/{suggestion}/replies/", None, "reading the replies")
    unrated = [r for r in replies if r.get("rating") is None]
    if not unrated:
        raise SystemExit(f"suggestion {suggestion} has no reply waiting for a rating")
    reply = unrated[0]
    rating = {"attitude": attitude, "result": result, "comment": comment}
    api.call("POST", f"replies/{reply['id']}/rating/", rating, "rating")
    settled = api.call("POST", f"replies/{reply['id']}/rating/settle/", None, "confirming the rating")
    return {"reply": reply, "rating": settled}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.api_walkthrough", description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--phone", required=True, help="the deputy's mobile number")
    parser.add_argument("--code-file", type=Path, help="SMS_FILE of the development sender (else typed in)")
    parser.add_argument("--wait", type=float, default=10.0, help="seconds to wait for the code in the file")
    parser.add_argument("--token", default="", help="a token from an earlier run instead of a new login")
    parser.add_argument("--category", type=int, help="category id for the new suggestion")
    parser.add_argument("--source", type=int, help="source id for the new suggestion")
    parser.add_argument("--title", default="关于增设学校周边交通信号灯的建议")
    parser.add_argument("--body", default="学校周边上下学时段车流人流集中，建议增设信号灯并安排交通协管。")
    parser.add_argument("--rate", type=int, metavar="SUGGESTION_ID", help="read the reply to it and rate it")
    parser.add_argument("--attitude", default="satisfied", choices=["satisfied", "basic", "unsatisfied"])
    parser.add_argument("--result", default="satisfied", choices=["satisfied", "basic", "unsatisfied"])
    parser.add_argument("--comment", default="")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    api = Api(args.base_url, args.token)
    try:
        if not api.token:
            since = time.time() - 1
            ask_for_code(api, args.phone)
            if args.code_file:
                code = code_from_file(args.code_file, args.phone, since, args.wait)
            else:
                code = input("验证码: ").strip()
            login = log_in(api, args.phone, code)
            print(f"logged in; token valid until {login['expires_at']}")
            print(f"token: {login['token']}")
        if args.rate:
            done = read_and_rate(api, args.rate, attitude=args.attitude, result=args.result, comment=args.comment)
            print(f"rated reply {done['reply']['id']} of {done['reply']['unit']}: {json.dumps(done['rating'])}")
        else:
            if args.category is None or args.source is None:
                print("--category and --source are needed to submit a suggestion", file=sys.stderr)
                return 1
            submitted = draft_and_submit(
                api, title=args.title, body=args.body, category=args.category, source=args.source
            )
            print(f"submitted suggestion {submitted['id']}: {submitted['state_text']}")
    except ApiError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
