"""The sample generator stays independent of the warehouse (sample/__init__.py says why)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import sample

SAMPLE_PACKAGE = Path(sample.__file__).parent


def test_no_module_of_the_generator_imports_the_warehouse():
    imports = {}
    for module in sorted(SAMPLE_PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            imports.setdefault(module.name, set()).update(names)
    assert imports, f"no modules found in {SAMPLE_PACKAGE}"
    offending = {
        module: sorted(n for n in names if n.split(".")[0] in ("orchestration", "expectations", "dagster", "tests"))
        for module, names in imports.items()
    }
    assert not any(offending.values()), offending


def test_importing_the_generator_loads_no_warehouse_module():
    code = (
        "import sys, sample; print(sorted(m for m in sys.modules if m.split('.')[0] in ('orchestration', 'dagster')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]", loaded
