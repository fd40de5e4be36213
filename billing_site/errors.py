"""The root of every refusal the billing rules make; doors turn it into a message.

Also the messages' type: the errors modules are pure (no Django import), so their English
constants are `Message`s, translated into the active language when shown or formatted,
through the translator accounts' AppConfig installs (Django's gettext). The days and
cycles they name are `DayLabel`s and `SpanLabel`s: English to store, written in the active
language when a Message is formatted with them (the day writer accounts installs)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
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
        """The translated message with its fields filled (a plain str: it is final); day
        and cycle labels among them written in the active language too."""
        return str(self).format(
            *map(_shown, args), **{name: _shown(value) for name, value in kwargs.items()}
        )


def _(message: str) -> Message:
    """Mark an English message for translation (makemessages extracts `_("...")`)."""
    return Message(message)


def _english_day(day: date) -> str:
    # %b is the C locale's: nothing here calls setlocale.
    return f"{day.day} {day:%b %Y}"


_day_writer: Callable[[date], str] = _english_day


def day_writer_set(writer: Callable[[date], str]) -> None:
    """Write the days of every formatted Message with `writer` (date in, active language out)."""
    global _day_writer
    _day_writer = writer


class Label(str):
    """English text naming days, the plain string to store, compare or build f-strings
    with ("1 Apr 2026"); a Message formatted with it writes it in the active language."""

    def shown(self) -> str:
        return str.__str__(self)


class DayLabel(Label):
    """A day as messages write it: "1 Apr 2026" (no leading zero)."""

    day: date

    def __new__(cls, day: date) -> DayLabel:
        label = super().__new__(cls, _english_day(day))
        label.day = day
        return label

    def __reduce__(self) -> tuple[Any, ...]:
        return (DayLabel, (self.day,))

    def shown(self) -> str:
        return _day_writer(self.day)


class SpanLabel(Label):
    """A cycle or a period as messages write it: "1 Mar 2026 – 31 Mar 2026"."""

    start: date
    end: date

    def __new__(cls, start: date, end: date) -> SpanLabel:
        label = super().__new__(cls, f"{_english_day(start)} – {_english_day(end)}")
        label.start, label.end = start, end
        return label

    def __reduce__(self) -> tuple[Any, ...]:
        return (SpanLabel, (self.start, self.end))

    def shown(self) -> str:
        return f"{_day_writer(self.start)} – {_day_writer(self.end)}"


def _shown(value: Any) -> Any:
    return value.shown() if isinstance(value, Label) else value
