"""The one Jinja2 environment of the warehouse's own pages (the release and the evidence site).

Autoescape is on for every template, and an undefined name is an error rather than an empty
string: a page that misses a value must fail its tests, not print a blank. The templates live
in ``orchestration/lib/templates/``.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).with_name("templates")


def environment(*, keep_trailing_newline: bool = False) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=keep_trailing_newline,
    )
