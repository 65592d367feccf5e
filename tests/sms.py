"""A text-message sender for tests: keeps what it was asked to send (also when the live server's
thread sends it), and reads the last code sent to a number."""

from __future__ import annotations

import re
import threading


class CapturingSender:
    sent: list[tuple[str, str]] = []
    _lock = threading.Lock()

    def send(self, phone: str, text: str) -> None:
        with self._lock:
            CapturingSender.sent.append((phone, text))

    @classmethod
    def clear(cls) -> None:
        with cls._lock:
            cls.sent.clear()

    @classmethod
    def last_code(cls, phone: str) -> str | None:
        with cls._lock:
            for number, text in reversed(cls.sent):
                if number == phone:
                    found = re.search(r"\d{6}", text)
                    return found.group(0) if found else None
        return None

    @classmethod
    def to(cls, phone: str) -> list[str]:
        with cls._lock:
            return [text for number, text in cls.sent if number == phone]
