"""The code holds logic, the rules folder holds data: no word list is typed into a module (issue 10)."""

from __future__ import annotations

import ast
from pathlib import Path

import regex

PACKAGE = Path(__file__).resolve().parent.parent / "cleaner"
#: A word as lists of words, names, headers and agencies hold them (letters, inner ' . - and spaces).
_WORD = regex.compile(r"\p{L}[\p{L}'’.\-]*(?: \p{L}[\p{L}'’.\-]*)*")
#: More words than this in one literal is a word list, which belongs in rules/vocab/.
MAX_WORDS = 10


def _word_lists(tree: ast.AST) -> list[tuple[int, int]]:
    """``(line, words)`` of every literal that is a list of words: a list, tuple or set of word
    strings, or a string of nothing but words handed to a call (``"a b c".split()``,
    ``_words("a b c")``); a sentence (punctuation, digits) is not a list."""
    found = []
    exported = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple | ast.Set) and id(node) not in exported:
            words = [
                e.value
                for e in node.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str) and _WORD.fullmatch(e.value)
            ]
            if len(words) > MAX_WORDS:
                found.append((node.lineno, len(words)))
        elif isinstance(node, ast.Call):
            texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Constant):
                texts.append(str(node.func.value.value))
            for text in texts:
                words = text.replace(",", " ").split()
                prose = any(mark in text for mark in ".;:!?()")
                if len(words) > MAX_WORDS and not prose and all(_WORD.fullmatch(w) for w in words):
                    found.append((node.lineno, len(words)))
    return found


def test_the_detector_finds_a_word_list() -> None:
    assert _word_lists(ast.parse("X = frozenset({" + ", ".join(f"'w{i}x'" for i in range(11)) + "})")) == []
    assert _word_lists(ast.parse("X = frozenset({" + ", ".join(repr(w) for w in "abcdefghijkl") + "})")) == [(1, 12)]
    assert _word_lists(ast.parse("X = 'one two three four five six seven eight nine ten eleven'.split()")) == [(1, 11)]
    assert _word_lists(ast.parse("__all__ = [" + ", ".join(repr(w) for w in "abcdefghijkl") + "]")) == []
    assert _word_lists(ast.parse("X = _words('a b c d e f g h i j k l')")) == [(1, 12)]
    assert _word_lists(ast.parse("f('Skip and count broken lines and damaged files instead of stopping now.')")) == []


def test_no_module_holds_a_word_list() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line} ({n} words)"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, n in _word_lists(ast.parse(path.read_text("utf-8")))
    ]
    assert offenders == [], "word lists belong in rules/vocab/: " + ", ".join(offenders)


def _public_definitions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    out: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            out.append(node)
            if isinstance(node, ast.ClassDef):
                out += [
                    n
                    for n in node.body
                    if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and not n.name.startswith("_")
                ]
    return out


def test_every_module_and_public_definition_has_a_docstring() -> None:
    # the issue asks for a true one-line docstring on every public function and module: whether it
    # is true is for review; that it is there and starts with a one-line summary is checked here
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        where = path.relative_to(PACKAGE.parent)
        if not ast.get_docstring(tree):
            missing.append(f"{where}: module")
        for node in _public_definitions(tree):
            doc = ast.get_docstring(node)
            if not doc or not doc.splitlines()[0].strip():
                missing.append(f"{where}:{node.lineno} {node.name}")
    assert not missing, "\n".join(missing)


def test_every_public_name_is_exported_and_importable() -> None:
    """``cleaner.__all__`` is the table of lazy exports, and each name resolves to a real object."""
    import cleaner

    assert set(cleaner.__all__) == set(cleaner._EXPORTS) | {"__version__"}
    for name in cleaner.__all__:
        assert getattr(cleaner, name) is not None
