"""Text messages: the one sender interface lives in `deputies.sms` (the one-time login codes
need it, and deputies is the earliest app); this name keeps working for settings and code that
say `proposals.sms`."""

from deputies.sms import MAX_LENGTH, LoggingSmsSender, SmsSender, get_sender, log, message_text, phone_of

__all__ = ["MAX_LENGTH", "LoggingSmsSender", "SmsSender", "get_sender", "log", "message_text", "phone_of"]
