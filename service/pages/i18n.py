"""Chinese first, English on request: a small message catalogue behind Jinja's i18n extension.

The pages are written in Chinese; the Chinese text is the message id. English comes from
``translations/en.json`` (message id → English), loaded once. Templates use Jinja's standard
``_()`` / ``{% trans %}`` markers (``jinja2.ext.i18n``, new-style gettext: ``%(name)s``
placeholders, auto-escaped), Python code uses :func:`gettext` (alias ``_``) and marks strings it
translates later with :func:`N_`. The markers are the ones ``pybabel extract`` reads, so moving
to flask-babel and ``.po``/``.mo`` files later changes no template.

Why not flask-babel now: two languages and a few hundred strings need no plural rules beyond
English's, no locale-aware number formats (figures are shown as the seed reports write them) and
no compiled binary catalogues in the repository. ``tests/pages/test_i18n.py`` checks that every
marked string has an English entry and that no entry is stale.

The language is chosen by ``?lang=zh|en`` (remembered in the ``lang`` cookie), else the cookie,
else Chinese.

Punctuation follows the language: a label that ends in a full-width colon (``已登录：``) is
translated with ``": "`` (a space before the value that follows), and :func:`bracketed` puts
an aside in full-width brackets in Chinese (``电工（6-31-01-03）``) and in a space and half-width
brackets in English (``Electrician (6-31-01-03)``); :func:`aside` does the same for plain
text. ``tests/pages/test_i18n_and_markup.py`` checks the catalogue keeps the colon rule.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from markupsafe import Markup, escape

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "_",
    "aside",
    "bracketed",
    "catalogue",
    "choose_language",
    "current_language",
    "gettext",
    "install_i18n",
    "ngettext",
]

LANGUAGES = {"zh": "zh-CN", "en": "en"}
DEFAULT_LANGUAGE = "zh"
LANGUAGE_COOKIE = "lang"
CATALOGUE_DIR = Path(__file__).parent / "translations"


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    """Message id → translation for ``language`` (empty for Chinese, the source language)."""
    if language == DEFAULT_LANGUAGE:
        return {}
    path = CATALOGUE_DIR / f"{language}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(key): str(value) for key, value in data.items()}


def choose_language() -> str:
    """``?lang=`` first, then the ``lang`` cookie, then Chinese."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in LANGUAGES:
        return remembered
    return DEFAULT_LANGUAGE


def current_language() -> str:
    language = g.get("language")
    if language is None:
        try:
            language = choose_language()
        except RuntimeError:  # outside a request
            return DEFAULT_LANGUAGE
        g.language = language
    return str(language)


def gettext(message: str, **variables: Any) -> str:
    """``message`` in the current language, with ``%(name)s`` placeholders filled."""
    translated = catalogue(current_language()).get(message, message)
    return translated % variables if variables else translated


_ = gettext


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    variables.setdefault("num", n)
    return _raw_ngettext(singular, plural, n) % variables


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; translate it where it is shown."""
    return message


def _raw_gettext(message: str) -> str:
    return catalogue(current_language()).get(message, message)


def _raw_ngettext(singular: str, plural: str, n: int) -> str:
    chosen = singular if n == 1 else plural
    return catalogue(current_language()).get(chosen, chosen)


def _brackets() -> tuple[str, str]:
    return ("（", "）") if current_language() == DEFAULT_LANGUAGE else (" (", ")")


def aside(text: str) -> str:
    """``text`` as an aside, as plain text: ``（text）`` in Chinese, `` (text)`` in English."""
    opening, closing = _brackets()
    return f"{opening}{text}{closing}"


def bracketed(text: object) -> Markup:
    """:func:`aside` for templates: ``text`` escaped unless it is markup already."""
    opening, closing = _brackets()
    return Markup(opening) + escape(text) + Markup(closing)


def install_i18n(app: Flask) -> None:
    """Jinja's i18n extension with this catalogue's gettext, on ``app``'s environment, and the
    :func:`bracketed` filter."""
    env = app.jinja_env
    env.filters["bracketed"] = bracketed
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    # New-style: Jinja fills %(name)s itself, escaping the values (so a literal % is %%).
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _raw_gettext, _raw_ngettext, newstyle=True
    )
