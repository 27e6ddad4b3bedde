"""Find the Python code blocks of README.md and the docs' pages, and their markers.

A page's Python blocks (``.. code-block:: python`` or ``pycon`` in reST,
```` ```python ```` or ```` ```pycon ```` fences in Markdown) run in order as
one script, the way a reader copies them (tests/test_doc_blocks.py). A block
that cannot run here says so with a marker right before it, with a reason:

reST (a comment, invisible on the page)::

    .. skip-test: needs a running scheduler at tcp://10.0.0.5:8786

    .. test-shorten: 80 fits of up to 100 epochs take minutes
       "KFold(10)" -> "KFold(2)"

Markdown (an HTML comment)::

    <!-- skip-test: needs a running scheduler -->
    <!-- test-shorten: 80 fits take minutes
    "KFold(10)" -> "KFold(2)"
    -->

``skip-test`` leaves the block out; ``test-shorten`` runs it with each quoted
text replaced, and each text must occur in the block; ``test-alone`` runs it
as a script of its own (a complete script, such as one that starts Dask
workers, which import the script again and so would rerun the page's other
blocks). A marker that is not
followed by a Python block, gives no reason or names a text that the block
does not hold is a :class:`MarkerError`.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
# Build outputs that a local build leaves in docs/ (see docs/.gitignore).
GENERATED = ("_build", "auto_examples", "_gallery_source", "generated")
PYTHON_LANGUAGES = {"python", "python3", "py", "pycon"}
MARKERS = ("skip-test", "test-shorten", "test-alone")

_RST_DIRECTIVE = re.compile(r"^(\s*)\.\. (?:code-block|code|sourcecode)::\s*(\S*)\s*$")
_RST_MARKER = re.compile(r"^(\s*)\.\. ([a-z-]+):(?!:)\s*(.*)$")
_MD_FENCE = re.compile(r"^```\s*(\S*)\s*$")
_MD_MARKER = re.compile(r"^<!--\s*([a-z-]+):\s*(.*?)\s*(-->)?\s*$")
# A comment like these is a marker, misspelt or not.
_LOOKS_LIKE_MARKER = re.compile(r"skip|test|shorten")
_REPLACEMENT = re.compile(r'^\s*"((?:[^"\\]|\\.)+)"\s*->\s*"((?:[^"\\]|\\.)*)"\s*$')


class MarkerError(ValueError):
    """A skip-test or test-shorten marker that is malformed or misplaced."""


@dataclass
class Marker:
    kind: str
    reason: str
    line: int
    replacements: list = field(default_factory=list)


@dataclass
class Block:
    """One code block: where it is, its language and its code, dedented."""

    path: Path
    line: int  # of the first code line, 1-based
    language: str
    code: str
    marker: Marker | None = None

    @property
    def is_python(self) -> bool:
        return self.language in PYTHON_LANGUAGES

    @property
    def skipped(self) -> bool:
        return self.marker is not None and self.marker.kind == "skip-test"

    @property
    def alone(self) -> bool:
        return self.marker is not None and self.marker.kind == "test-alone"

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    def code_to_run(self) -> str:
        """The code, with a test-shorten marker's replacements made."""
        code = self.code
        for old, new in self.marker.replacements if self.marker else ():
            code = code.replace(old, new)
        return code


def documented_pages() -> list[Path]:
    """README.md and every reST page of docs/, build outputs left out."""
    pages = [ROOT / "README.md"]
    for page in sorted(DOCS.rglob("*.rst")):
        if not any(part in GENERATED for part in page.relative_to(DOCS).parts):
            pages.append(page)
    return pages


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _parse_replacements(lines: list[str], where: str) -> list:
    replacements = []
    for text in lines:
        if not text.strip():
            continue
        match = _REPLACEMENT.match(text)
        if not match:
            raise MarkerError(f'{where}: expected "old" -> "new", got {text.strip()!r}')
        replacements.append((_unquote(match.group(1)), _unquote(match.group(2))))
    return replacements


def _make_marker(kind, reason, line, body, where) -> Marker:
    if kind not in MARKERS:
        raise MarkerError(f"{where}: unknown marker {kind!r}; use one of {MARKERS}")
    if len(reason.strip()) < 10:
        raise MarkerError(f"{where}: {kind} needs a reason, got {reason.strip()!r}")
    replacements = _parse_replacements(body, where)
    if kind == "test-shorten" and not replacements:
        raise MarkerError(f'{where}: test-shorten names no "old" -> "new" text')
    if kind != "test-shorten" and replacements:
        raise MarkerError(f"{where}: {kind} takes only a reason")
    return Marker(kind, reason.strip(), line, replacements)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _dedent(lines: list[str]) -> str:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    margin = min((_indent(text) for text in lines if text.strip()), default=0)
    return "\n".join(text[margin:] for text in lines) + "\n"


def _attach(marker, block: Block) -> None:
    """Give ``block`` the pending ``(marker, where)``, if any: a Python block only."""
    if marker is None:
        return
    if not block.is_python:
        raise MarkerError(
            f"{marker[1]}: {marker[0].kind} precedes a "
            f"{block.language or 'plain'} block, not a Python one"
        )
    block.marker = marker[0]


def _refuse_pending(marker) -> None:
    """A marker must be followed by its code block, before any other text."""
    if marker is not None:
        raise MarkerError(f"{marker[1]}: marker not followed by a code block")


def _rst_blocks(path: Path, lines: list[str]) -> list[Block]:
    blocks, marker, number = [], None, 0
    while number < len(lines):
        text = lines[number]
        where = f"{path.relative_to(ROOT)}:{number + 1}"
        directive = _RST_DIRECTIVE.match(text)
        comment = _RST_MARKER.match(text)
        if directive:
            indent = len(directive.group(1))
            end = number + 1
            while end < len(lines) and (
                not lines[end].strip() or _indent(lines[end]) > indent
            ):
                end += 1
            body = [
                line
                for line in lines[number + 1 : end]
                if not re.match(r"^\s+:[\w-]+:", line)
            ]
            first = next(i for i, line in enumerate(body + ["x"]) if line.strip())
            block = Block(
                path,
                number + 1 + first + 1,
                directive.group(2),
                _dedent(body[first:]),
            )
            _attach(marker, block)
            marker = None
            blocks.append(block)
            number = end
            continue
        if comment and _LOOKS_LIKE_MARKER.search(comment.group(2)):
            _refuse_pending(marker)
            indent = len(comment.group(1))
            end = number + 1
            while (
                end < len(lines)
                and lines[end].strip()
                and (_indent(lines[end]) > indent)
            ):
                end += 1
            marker = (
                _make_marker(
                    comment.group(2),
                    comment.group(3),
                    number + 1,
                    lines[number + 1 : end],
                    where,
                ),
                where,
            )
            number = end
            continue
        if text.strip():
            _refuse_pending(marker)
        number += 1
    _refuse_pending(marker)
    return blocks


def _markdown_blocks(path: Path, lines: list[str]) -> list[Block]:
    blocks, marker, number = [], None, 0
    while number < len(lines):
        text = lines[number]
        where = f"{path.relative_to(ROOT)}:{number + 1}"
        fence = _MD_FENCE.match(text)
        comment = _MD_MARKER.match(text)
        if fence:
            end = number + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            block = Block(
                path, number + 2, fence.group(1), _dedent(lines[number + 1 : end])
            )
            _attach(marker, block)
            marker = None
            blocks.append(block)
            number = end + 1
            continue
        if comment and _LOOKS_LIKE_MARKER.search(comment.group(1)):
            _refuse_pending(marker)
            end = number + 1
            if comment.group(3) is None:  # the comment goes on to a "-->" line
                while end < len(lines) and lines[end].strip() != "-->":
                    end += 1
                body, end = lines[number + 1 : end], end + 1
            else:
                body = []
            marker = (
                _make_marker(
                    comment.group(1), comment.group(2), number + 1, body, where
                ),
                where,
            )
            number = end
            continue
        if text.strip():
            _refuse_pending(marker)
        number += 1
    _refuse_pending(marker)
    return blocks


def code_blocks(path: Path) -> list[Block]:
    """Every code block of a page, in order, with the marker before it.

    Raises :class:`MarkerError` for a malformed or misplaced marker, and for
    a test-shorten text that its block does not hold.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    parse = _markdown_blocks if path.suffix == ".md" else _rst_blocks
    blocks = parse(path, lines)
    for block in blocks:
        for old, _ in block.marker.replacements if block.marker else ():
            if old not in block.code:
                raise MarkerError(
                    f"{block.where}: test-shorten replaces {old!r}, "
                    "which the block does not hold"
                )
    return blocks


def python_blocks(path: Path) -> list[Block]:
    return [block for block in code_blocks(path) if block.is_python]


def count_python_openings(path: Path) -> int:
    """Python block openings counted line by line, independently of the parser."""
    text = path.read_text(encoding="utf-8")
    languages = "|".join(sorted(PYTHON_LANGUAGES))
    if path.suffix == ".md":
        pattern = rf"^```\s*(?:{languages})\s*$"
    else:
        pattern = rf"^\s*\.\. (?:code-block|code|sourcecode)::\s*(?:{languages})\s*$"
    return len(re.findall(pattern, text, re.M))
