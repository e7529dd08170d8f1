"""The zh-Hant files, generated from zh-Hans with OpenCC `s2twp` (Taiwan characters and phrasing).

    python -m assistant.i18n.generate_hant           # (re)writes every zh-Hant file
    python -m assistant.i18n.generate_hant --check   # lists stale files, exits 1 if any

Generated: the reply templates, the short strings (i18n/zh-Hant.yaml) and the scripts library.
Only text is converted. In a template, text outside Jinja tags and the string literals inside
them; never a tag, a variable name or an HTML tag. Every generated file must keep its source's
ASCII character for character (variable names, keys, ids, HTML, commands such as /add), a YAML
file its keys and a template must still parse; otherwise generation stops and says where.
Words the conversion gets wrong for sales people are fixed in hant_overrides.yaml.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment

from assistant.i18n.hant import converter

SOURCE, TARGET = "zh-Hans", "zh-Hant"
REGENERATE = "python -m assistant.i18n.generate_hant"
PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parent
OVERRIDES = Path(__file__).with_name("hant_overrides.yaml")
YAML_HEADER = (
    f"# Generated from {SOURCE} by `{REGENERATE}`: do not edit; change the {SOURCE} file\n"
    "# (or assistant/i18n/hant_overrides.yaml) and run it again.\n"
)
_JINJA_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.S)
_STRING_LITERAL = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'", re.S)
_PRIVATE_USE = 0xE000  # placeholders for overridden words while OpenCC runs; it leaves them be


class GenerationError(Exception):
    """A generated file would change more than text."""


@dataclass(frozen=True)
class Tree:
    """One folder (or file) of zh-Hans sources and where its zh-Hant copy goes."""

    source: Path
    target: Path
    pattern: str
    kind: str  # "template", "yaml" or "scripts" (YAML whose titles name each script per locale)


def trees(root: Path = ROOT) -> list[Tree]:
    i18n = root / "assistant" / "i18n"
    templates = root / "assistant" / "render" / "templates"
    scripts = root / "scripts_library"
    return [
        Tree(templates / SOURCE, templates / TARGET, "**/*.j2", "template"),
        Tree(i18n, i18n, f"{SOURCE}.yaml", "yaml"),
        Tree(scripts / SOURCE, scripts / TARGET, "*.yaml", "scripts"),
    ]


@cache
def overrides(path: Path = OVERRIDES) -> tuple[tuple[str, str], ...]:
    """(simplified, traditional) pairs, longest first, so 点击率 wins over 点击."""
    data: dict[str, str] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(sorted(data.items(), key=lambda item: -len(item[0])))


def convert_text(text: str) -> str:
    """Simplified text in Taiwan phrasing, with the reviewed overrides."""
    pairs = [pair for pair in overrides() if pair[0] in text]
    for index, (simplified, _) in enumerate(pairs):
        text = text.replace(simplified, chr(_PRIVATE_USE + index))
    text = str(converter("s2twp").convert(text))
    for index, (_, traditional) in enumerate(pairs):
        text = text.replace(chr(_PRIVATE_USE + index), traditional)
    return text


def convert_template(source: str) -> str:
    """Text and string literals converted; Jinja tags otherwise untouched."""
    pieces = _JINJA_TAG.split(source)
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            pieces[index] = convert_text(piece)
        else:
            pieces[index] = _STRING_LITERAL.sub(lambda m: convert_text(m.group(0)), piece)
    return "".join(pieces)


def _ascii(text: str) -> str:
    return "".join(char for char in text if char.isascii())


def _keys(data: Any) -> Any:
    """The shape of YAML data: its keys and list lengths, without the text."""
    if isinstance(data, dict):
        return {key: _keys(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_keys(item) for item in data]
    return type(data).__name__


def generate(source: str, kind: str, where: Path) -> str:
    """The zh-Hant text for one zh-Hans file, checked to differ only in its Chinese text."""
    if kind == "template":
        converted = convert_template(source)
        Environment().parse(converted)
    else:  # YAML: keys must be ASCII, so converting the whole text changes only values
        converted = convert_text(source)
        if _keys(yaml.safe_load(converted)) != _keys(yaml.safe_load(source)):
            raise GenerationError(f"{where}: converting changed a YAML key; keys must be ASCII")
    if _ascii(converted) != _ascii(source):
        raise GenerationError(f"{where}: converting changed more than Chinese text")
    if kind == "scripts":
        converted = _with_own_titles(source, converted)
    return converted if kind == "template" else YAML_HEADER + converted


_TITLE = re.compile(rf"^(?P<indent>\s+){SOURCE}:(?P<rest>.*)$")


def _with_own_titles(source: str, converted: str) -> str:
    """A script's title stays as written for zh-Hans readers, and gains its zh-Hant line:
    every library file names its scripts in each written locale and its own."""
    lines: list[str] = []
    for original, changed in zip(source.split("\n"), converted.split("\n"), strict=True):
        title = _TITLE.match(changed)
        if title is None:
            lines.append(changed)
        else:
            lines += [original, f"{title['indent']}{TARGET}:{title['rest']}"]
    return "\n".join(lines)


def _pairs(tree: Tree) -> Iterator[tuple[Path, Path]]:
    for path in sorted(tree.source.glob(tree.pattern)):
        relative = path.relative_to(tree.source)
        name = str(relative).replace(SOURCE, TARGET) if tree.kind != "template" else str(relative)
        yield path, tree.target / name


def expected_files(root: Path = ROOT) -> dict[Path, str]:
    """Every zh-Hant file and the text it should have."""
    files: dict[Path, str] = {}
    for tree in trees(root):
        for source, target in _pairs(tree):
            files[target] = generate(source.read_text(encoding="utf-8"), tree.kind, source)
    return files


def _existing(root: Path) -> set[Path]:
    found: set[Path] = set()
    for tree in trees(root):
        if tree.source != tree.target:
            found.update(tree.target.glob(tree.pattern))
        else:
            found.update(tree.target.glob(tree.pattern.replace(SOURCE, TARGET)))
    return found


def stale_files(root: Path = ROOT) -> list[Path]:
    """zh-Hant files that are missing, differ from what generation gives, or have no source."""
    expected = expected_files(root)
    stale = [
        path
        for path, text in expected.items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    stale += [path for path in _existing(root) if path not in expected]
    return sorted(stale)


def write_files(root: Path = ROOT) -> list[Path]:
    """Writes what changed, deletes zh-Hant files whose source is gone; returns those paths."""
    expected = expected_files(root)
    changed: list[Path] = []
    for path, text in expected.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    for path in _existing(root) - set(expected):
        path.unlink()
        changed.append(path)
    return sorted(changed)


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = stale_files()
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}")
        if stale:
            print(f"run `{REGENERATE}` to regenerate them")
        return 1 if stale else 0
    for path in write_files():
        print(f"wrote {path.relative_to(ROOT)}" if path.exists() else f"deleted {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
