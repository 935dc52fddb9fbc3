"""Numbers, amounts, percentages, dates and yes/no as a reader in Norwegian bokmål or English writes them.

The one home of locale formatting; everything goes through Babel (CLDR data), nothing is typed
in by hand. Two languages, named by their ISO 639-1 code:

- ``nb``: bokmål, Babel's ``nb_NO`` (``1 234,5`` with a no-break space as group separator,
  ``26,4 %``, ``31. desember 2007``, ``31.12.2007``, ``ja``/``nei``);
- ``en``: English, Babel's ``en_GB`` (``1,234.5``, ``26.4%``, ``31 December 2007``,
  ``31/12/2007``, ``yes``/``no``): day-month order, as the Norwegian dates it translates.

Two kinds of output:

- *display* forms (:func:`number`, :func:`amount`, :func:`percent`, :func:`long_date`,
  :func:`short_date`, :func:`yes_no`) for pages people read: grouped digits and the locale's
  own minus sign (U+2212 in ``nb``, which Babel's patterns leave as ``-``; it is set here);
- the *list cell* form :func:`list_amount` for CSV files a spreadsheet opens: decimal comma in
  ``nb``, no group separator and an ASCII ``-``, so that the spreadsheet reads a number.

Rounding is half away from zero (``0.125`` → ``0,13``, as on a bill; Babel alone would round
half to even), a float is taken at its shortest decimal form (``2.675`` is ``2,68``), and a
value that rounds to zero is written without a sign. ``None`` is written as ``missing``
(default the empty string), so a caller decides how an unknown value reads.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent, get_minus_sign_symbol, get_plus_sign_symbol

LANGUAGES = ("nb", "en")
_BABEL_LOCALES = {"nb": "nb_NO", "en": "en_GB"}
_YES_NO = {"nb": ("ja", "nei"), "en": ("yes", "no")}
# A spreadsheet reads a cell as a number only with the ASCII hyphen-minus: LibreOffice and Excel
# in the Norwegian locale take "−1234,50" (U+2212) for text, which then neither sums nor sorts.
LIST_MINUS = "-"

Number = int | float | Decimal


def _locale(language: str) -> Locale:
    if language not in _BABEL_LOCALES:
        raise ValueError(f"unsupported language {language!r}; one of {', '.join(LANGUAGES)}")
    return Locale.parse(_BABEL_LOCALES[language])


def _decimal(value: Number, decimals: int | None) -> Decimal:
    """The value as a Decimal, rounded half away from zero to ``decimals`` places, never ``-0``."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"not a number: {value!r}")
    exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not exact.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    if decimals is not None:
        exact = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(exact) if exact.is_zero() else exact


def _pattern(decimals: int | None, grouped: bool = True) -> str:
    integer = "#,##0" if grouped else "0"
    if decimals is None:
        return integer + ".###"
    return integer + ("." + "0" * decimals if decimals else "")


def _with_locale_minus(text: str, locale: Locale) -> str:
    # Babel renders a pattern's implicit negative prefix as ASCII "-"; CLDR's minus for the
    # locale (U+2212 in nb) is what a typeset page should show.
    return get_minus_sign_symbol(locale) + text[1:] if text.startswith("-") else text


def _with_plus(text: str, exact: Decimal, locale: Locale, signed: bool) -> str:
    # A change is written with its sign either way (+12, −3); zero (after rounding) has none.
    return get_plus_sign_symbol(locale) + text if signed and exact > 0 else text


def number(
    value: Number | None, language: str = "nb", decimals: int | None = None, *, missing: str = "", signed: bool = False
) -> str:
    """A number for reading: ``1 234,5`` (nb), ``1,234.5`` (en), ``−3`` with the locale's minus;
    ``signed`` writes a positive value with the locale's plus sign (a change: ``+12``).

    ``decimals=None`` keeps up to three decimals (trailing zeros dropped); an int gives exactly
    that many decimals.
    """
    if value is None:
        return missing
    locale = _locale(language)
    exact = _decimal(value, 3 if decimals is None else decimals)
    text = _with_locale_minus(format_decimal(exact, _pattern(decimals), locale=locale), locale)
    return _with_plus(text, exact, locale, signed)


def amount(value: Number | None, language: str = "nb", *, missing: str = "") -> str:
    """An amount in kroner for reading, with two decimals: ``1 234,50``, ``−12,00``, ``0,00``."""
    return number(value, language, 2, missing=missing)


def percent(
    value: Number | None, language: str = "nb", decimals: int = 1, *, missing: str = "", signed: bool = False
) -> str:
    """A percentage given on the warehouse's 0–100 scale (``26.4`` → ``26,4 %`` in nb, ``26.4%`` in en);
    ``signed`` as in :func:`number` (``+108,2 %``)."""
    if value is None:
        return missing
    locale = _locale(language)
    exact = _decimal(_decimal(value, None) / 100, decimals + 2)
    pattern = locale.percent_formats[None].pattern.replace("#,##0", _pattern(decimals))
    text = _with_locale_minus(format_percent(exact, pattern, locale=locale), locale)
    return _with_plus(text, exact, locale, signed)


def long_date(value: dt.date | None, language: str = "nb", *, missing: str = "") -> str:
    """``31. desember 2007`` (nb), ``31 December 2007`` (en)."""
    return missing if value is None else format_date(value, "long", locale=_locale(language))


def short_date(value: dt.date | None, language: str = "nb", *, missing: str = "") -> str:
    """``31.12.2007`` (nb, the form a Norwegian spreadsheet reads as a date), ``31/12/2007`` (en).

    Always four-digit years (CLDR's short patterns say ``y``, the year's minimal digits), so that
    year 5 is ``02.01.0005``, not a two-digit year a spreadsheet would guess a century for.
    """
    if value is None:
        return missing
    if isinstance(value, dt.datetime):
        value = value.date()
    locale = _locale(language)
    pattern = re.sub("y+", "yyyy", locale.date_formats["short"].pattern)
    return format_date(value, pattern, locale=locale)


def yes_no(value: bool | None, language: str = "nb", *, missing: str = "") -> str:
    """``ja``/``nei`` (nb), ``yes``/``no`` (en)."""
    if value is None:
        return missing
    _locale(language)
    yes, no = _YES_NO[language]
    return yes if value else no


def list_amount(value: Number | None, language: str = "nb", decimals: int = 2) -> str:
    """An amount as a CSV cell a spreadsheet in that locale reads as a number: ``-1234,50`` (nb),
    ``-1234.50`` (en); decimal separator of the locale, no group separator, ASCII minus; ``None``
    is an empty cell."""
    if value is None:
        return ""
    locale = _locale(language)
    text = format_decimal(_decimal(value, decimals), _pattern(decimals, grouped=False), locale=locale)
    return LIST_MINUS + text[1:] if text.startswith(("-", get_minus_sign_symbol(locale))) else text
