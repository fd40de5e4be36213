"""The translations' compiled catalogs (.mo), made from the .po files by Babel, so neither
CI nor an image needs GNU gettext's msgfmt. The .mo files are committed beside their .po."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from django.conf import settings

DOMAIN = "django"


def catalogs() -> list[Path]:
    """Every .po file of the project's locale folders."""
    return sorted(
        path
        for folder in settings.LOCALE_PATHS
        for path in Path(folder).glob(f"*/LC_MESSAGES/{DOMAIN}.po")
    )


def catalog_compile(po_path: Path) -> Path:
    """Write the .mo beside the .po; fuzzy and untranslated entries are left out, as
    msgfmt does."""
    mo_path = po_path.with_suffix(".mo")
    with mo_path.open("wb") as mo:
        write_mo(mo, _read_po(po_path))
    return mo_path


def catalog_is_compiled(po_path: Path) -> bool:
    """Whether the .mo beside the .po holds exactly the .po's translations."""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return False
    with mo_path.open("rb") as mo:
        compiled = read_mo(mo)
    return _translations(compiled) == _translations(_read_po(po_path), source=True)


def _read_po(po_path: Path) -> Catalog:
    with po_path.open("rb") as po:
        return read_po(po, locale=po_path.parent.parent.name)


def _translations(catalog: Catalog, source: bool = False) -> dict[object, object]:
    """(msgctxt, msgid) -> msgstr of what a compiled catalog serves (the header aside): the
    context is part of the key, as the same English word may need two translations."""
    kept: dict[object, object] = {}
    for message in catalog:
        if not message.id or (source and (message.fuzzy or not _translated(message.string))):
            continue
        kept[(message.context, _hashable(message.id))] = _hashable(message.string)
    return kept


def _hashable(value: object) -> object:
    """A plural's forms as a tuple (read_po gives tuples, read_mo lists)."""
    return tuple(value) if isinstance(value, tuple | list) else value


def _translated(string: object) -> bool:
    return all(string) if isinstance(string, tuple | list) else bool(string)
