"""Opening a page as a person would: headless Chromium, with every network request blocked.

CI installs Debian's chromium (`.ci/run`); on a machine without it the tests that need it are
skipped, except under CI (``CI=true``), where a missing browser fails them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

# No name resolves and no proxy answers: a page that tried to load anything would show it.
NO_NETWORK = ["--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: .ci/run installs it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def render(page: Path, *extra: str) -> str:
    """The page's DOM after Chromium rendered it offline (``--dump-dom``)."""
    done = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", *NO_NETWORK, *extra, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "data", "poster") and value:
                self.found.append(value)


def outside_references(html: str) -> list[str]:
    """Every reference that would make a request: anything but an in-page anchor (``#...``)."""
    parser = _References()
    parser.feed(html)
    found = [v for v in parser.found if not v.startswith("#")]
    found += re.findall(r"url\(\s*['\"]?([^'\")]+)", html)
    found += re.findall(r"@import[^;]+", html)
    if "script" in parser.tags or "link" in parser.tags or "iframe" in parser.tags:
        found.append("a <script>, <link> or <iframe> element")
    return found
