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
    allowed = {"bot.channels.registry"}  # the channels' names, for `gangmaker admin`
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m.startswith(forbidden) and m not in allowed
        )
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


# -- one folder per feature ------------------------------------------------------------------------

HANDLERS = ROOT / "handlers"
# What every feature may use besides bot/ and storage/: the domain's words, the answer options and
# how to queue a push. It imports no feature.
SHARED = "common"


def features(root: Path = HANDLERS) -> set[str]:
    return {path.name for path in root.iterdir() if (path / "__init__.py").exists() and path.name != SHARED}


def public_names(feature: str, root: Path = HANDLERS) -> set[str]:
    """What a feature offers the others: the names its `__init__` lists in `__all__`."""
    tree = ast.parse((root / feature / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def reaches_into_another_feature(path: Path, root: Path = HANDLERS) -> list[str]:
    """The imports and uses by which a module of one feature reaches into another's internals.

    A feature may use another only as `from handlers import <feature>`, read at call time as
    `<feature>.<name>` with a name from its `__all__` (so features that use each other load in
    any order); `handlers.common` imports no feature."""
    relative = path.relative_to(root).parts
    own = relative[0] if len(relative) > 1 else None
    known = features(root)
    tree = ast.parse(path.read_text())
    found, aliases = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "handlers":
            for alias in node.names:
                if alias.name in known and alias.name != own:
                    if own == SHARED:
                        found.append(f"imports the feature {alias.name}")
                    aliases[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom | ast.Import):
            modules = [node.module] if isinstance(node, ast.ImportFrom) else [alias.name for alias in node.names]
            for module in filter(None, modules):
                parts = module.split(".")
                if parts[0] == "handlers" and len(parts) > 1 and parts[1] in known and parts[1] != own:
                    found.append(f"imports {module}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            feature = aliases[node.value.id]
            if node.attr not in public_names(feature, root) or node.attr == "PART":
                found.append(f"uses {feature}.{node.attr}, which {feature} does not offer")
    return found


def test_a_feature_uses_another_only_through_what_it_offers():
    offenders = {
        str(path.relative_to(ROOT)): reaches_into_another_feature(path)
        for path in HANDLERS.rglob("*.py")
        if path.parent != HANDLERS  # handlers/app.py joins the parts
    }
    assert {path: found for path, found in offenders.items() if found} == {}


def test_the_architecture_check_sees_a_feature_reaching_into_another(tmp_path):
    for feature, offered in (("calls", '["card"]'), ("ideas", "[]")):
        (tmp_path / feature).mkdir()
        (tmp_path / feature / "__init__.py").write_text(f'"""A feature."""\n__all__ = {offered}\n')
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "__init__.py").write_text('"""Shared."""\n')
    fine = tmp_path / "ideas" / "fine.py"
    fine.write_text("from handlers import calls\n\ndef f():\n    return calls.card\n")
    sneaky = tmp_path / "ideas" / "sneaky.py"
    sneaky.write_text(
        "from handlers.calls.service import x\nfrom handlers import calls\n\ndef f():\n    calls.hidden\n"
    )
    shared = tmp_path / "common" / "words.py"
    shared.write_text("from handlers import calls\n")
    assert reaches_into_another_feature(fine, tmp_path) == []
    assert reaches_into_another_feature(sneaky, tmp_path) == [
        "imports handlers.calls.service",
        "uses calls.hidden, which calls does not offer",
    ]
    assert reaches_into_another_feature(shared, tmp_path) == ["imports the feature calls"]


def test_no_module_of_the_core_names_an_application_room_or_role():
    from handlers.common.domain import Role, SharedRoom

    words = {*Role, *SharedRoom}
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            node.value
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and node.value in words
        )
        for path in (ROOT / "bot").rglob("*.py")
    }
    assert {path: found for path, found in offenders.items() if found} == {}
