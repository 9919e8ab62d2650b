"""House rules that keep the shape of the code: handlers never reach into a channel."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_handlers_and_storage_import_no_channel_or_platform_library():
    forbidden = ("bot.channels", "telegram", "slack_bolt", "slack_sdk")
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.startswith(forbidden))
        for folder in ("handlers", "storage")
        for path in (ROOT / folder).rglob("*.py")
    }
    assert {path: mods for path, mods in offenders.items() if mods} == {}


def test_every_module_opens_with_a_docstring():
    missing = [
        str(path.relative_to(ROOT))
        for folder in ("bot", "handlers", "storage", "benchmarks")
        for path in (ROOT / folder).rglob("*.py")
        if not ast.get_docstring(ast.parse(path.read_text()))
    ]
    assert missing == []


def test_lint_is_clean():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "bot", "handlers", "storage", "tests", "benchmarks"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout


def test_the_core_imports_no_handler():
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.split(".")[0] == "handlers")
        for path in (ROOT / "bot").rglob("*.py")
    }
    assert {path: mods for path, mods in offenders.items() if mods} == {}


def test_the_architecture_check_sees_an_import_of_handlers(tmp_path):
    module = tmp_path / "sneaky.py"
    module.write_text("from handlers import calls\nimport handlers.menu\n")
    assert {m for m in imported_modules(module) if m.split(".")[0] == "handlers"} == {"handlers", "handlers.menu"}
