"""outreach sits on floor 4 (beside programs, below reports): it imports nothing from the
floors above it. (The project has no layering test yet; this one covers this app.)"""

import ast
from pathlib import Path

import outreach

ABOVE = {"reports", "imports", "home", "demo"}


def test_outreach_imports_nothing_from_a_higher_floor():
    root = Path(outreach.__file__).parent
    found = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            found += [
                f"{path.relative_to(root)}: {n}"
                for n in names
                if n.split(".")[0] in ABOVE
            ]

    assert found == []
