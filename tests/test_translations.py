"""The translations: every .po compiled into the .mo committed beside it, every entry
translated, the check itself catching a .po changed without compiling, and every model and
field of ours named in words the catalogs translate."""

from __future__ import annotations

import io
import shutil

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.utils.functional import Promise

from billing_site.translations import catalog_compile, catalog_is_compiled, catalogs

LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]


def test_french_and_german_catalogs_exist():
    assert {po.parent.parent.name for po in catalogs()} == set(LANGUAGES)


@pytest.mark.parametrize("po", catalogs(), ids=lambda po: po.parent.parent.name)
def test_each_catalog_is_compiled_into_the_mo_beside_it(po):
    # If this fails: `make translations` (or manage.py compile_translations), then commit
    # the .mo files.
    assert catalog_is_compiled(po), f"{po} has changed since its .mo was compiled"


@pytest.mark.parametrize("po", catalogs(), ids=lambda po: po.parent.parent.name)
def test_every_entry_is_translated_and_none_is_fuzzy(po):
    with po.open("rb") as file:
        catalog = read_po(file)
    untranslated = [
        message.id
        for message in catalog
        if message.id
        and (message.fuzzy or not all(message.string if message.pluralizable else [message.string]))
    ]
    assert untranslated == []


def test_a_po_changed_without_compiling_is_caught_and_compiling_fixes_it(tmp_path):
    (source,) = [po for po in catalogs() if po.parent.parent.name == "fr"]
    po = tmp_path / "fr" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    shutil.copy(source, po)
    shutil.copy(source.with_suffix(".mo"), po.with_suffix(".mo"))
    assert catalog_is_compiled(po)

    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Contrats"', 'msgstr "Les contrats"'), encoding="utf-8")
    assert not catalog_is_compiled(po)

    catalog_compile(po)
    assert catalog_is_compiled(po)


def test_a_missing_mo_is_caught(tmp_path):
    po = tmp_path / "de" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    shutil.copy(catalogs()[0], po)

    assert not catalog_is_compiled(po)


def test_the_command_compiles_every_catalog(settings, tmp_path):
    for source in catalogs():
        target = tmp_path / source.relative_to(source.parent.parent.parent)
        target.parent.mkdir(parents=True)
        shutil.copy(source, target)
    settings.LOCALE_PATHS = [tmp_path]

    call_command("compile_translations", stdout=io.StringIO())

    assert all(catalog_is_compiled(po) for po in catalogs())
    assert len(catalogs()) == len(LANGUAGES)


TRANSLATED_APPS = ["accounts", "contracts", "schedules", "invoicing"]


def test_every_model_and_field_of_our_apps_is_named_for_translation():
    # Without a verbose_name of its own, admin shows Django's English default (the field
    # name) on a French or German page: makemessages cannot see it.
    unnamed = []
    for label in TRANSLATED_APPS:
        for model in apps.get_app_config(label).get_models():
            meta = model._meta
            names = [meta.original_attrs.get(k) for k in ("verbose_name", "verbose_name_plural")]
            fields = [f for f in meta.local_fields + meta.local_many_to_many if not f.auto_created]
            names += [field._verbose_name for field in fields]
            if not all(isinstance(name, Promise) for name in names):
                unnamed.append(model.__name__)
    assert unnamed == []
