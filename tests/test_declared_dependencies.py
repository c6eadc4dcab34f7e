"""Every third-party package storyline imports at run time is one the project declares.

A module found only because a dependency's extra (or a dev tool) happened to install it works
in the development venv and fails in a user's clean one (issue 17: ``lxml_html_clean``). This
walks the imports of ``src/storyline`` with ``ast`` and maps each top-level module to the
distribution that installs it (``importlib.metadata.packages_distributions``).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "storyline"


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, requirement
    return _normalized(match.group(1))


def _declared() -> set[str]:
    """Distributions a user's install can have: the dependencies and the run-time extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {_requirement_name(r) for r in project["dependencies"]}
    for extra, requirements in project.get("optional-dependencies", {}).items():
        if extra != "dev":  # dev tools are never there at run time
            names |= {_requirement_name(r) for r in requirements}
    return names


def _imported_modules() -> dict[str, str]:
    """Top-level module -> the first file that imports it (absolute imports only)."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_third_party_import_is_a_declared_distribution() -> None:
    declared = _declared()
    installed = packages_distributions()
    third_party = {
        module: where
        for module, where in _imported_modules().items()
        if module not in sys.stdlib_module_names and module not in ("storyline", "_typeshed")
    }
    assert "trafilatura" in third_party  # the walk sees real imports

    undeclared = {}
    for module, where in sorted(third_party.items()):
        distributions = {_normalized(d) for d in installed.get(module, [])}
        if not distributions & declared:
            undeclared[module] = (where, sorted(distributions) or "not installed")
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_lxml_html_clean_is_declared_by_the_project_itself() -> None:
    # trafilatura imports lxml.html.clean, which lxml >= 5.2 ships as a separate distribution
    # behind an extra that older pips do not resolve: the project names it directly.
    assert "lxml-html-clean" in _declared()
