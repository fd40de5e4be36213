"""The root of every refusal the billing rules make; doors turn it into a message.

Also the messages' type: the errors modules are pure (no Django import), so their English
constants are `Message`s, translated into the active language when shown or formatted,
through the translator accounts' AppConfig installs (Django's gettext)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class BillingError(Exception):
    """A request the billing rules refuse. The message is meant for the person who asked."""


def _untranslated(message: str) -> str:
    return message


_translator: Callable[[str], str] = _untranslated


def message_translator_set(translator: Callable[[str], str]) -> None:
    """Translate every Message with `translator` (English msgid in, active language out)."""
    global _translator
    _translator = translator


class Message(str):
    """An English message, still the plain English string to compare, search, store or
    send as it is, shown in the active language: str() and format() translate it.

    Why a str and not Django's lazy string: the constants travel through pure modules,
    COPY rows, Celery arguments and `in` checks, which a lazy proxy would break."""

    __slots__ = ()

    def __str__(self) -> str:
        return _translator(str.__str__(self))

    def __format__(self, format_spec: str) -> str:
        return format(str(self), format_spec)

    def format(self, *args: Any, **kwargs: Any) -> str:
        """The translated message with its fields filled (a plain str: it is final)."""
        return str(self).format(*args, **kwargs)


def _(message: str) -> Message:
    """Mark an English message for translation (makemessages extracts `_("...")`)."""
    return Message(message)
