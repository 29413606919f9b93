"""The README and docs/ hold together: every relative link and anchor resolves, and the README stays short
with its two commands first.

Links are checked in README.md and every .md under docs/: the file (or folder) a relative link names must
exist, relative to the page, and a `#fragment` must be the GitHub slug of a heading in the target page
(lowercase, spaces to '-', punctuation other than '-' and '_' removed, repeats numbered -1, -2 ...).
External links (http, https, mailto) are not checked. Code blocks and inline code are not links."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
README_MAX_LINES = 250

_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_INLINE_CODE = re.compile(r"(`+).*?\1")
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
_EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")  # http:, https:, mailto:, ...


def doc_pages() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md"))]


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """The lines outside fenced code blocks, with their 1-based numbers."""
    lines, fence = [], None
    for number, line in enumerate(text.split("\n"), 1):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None:
            if line.strip().startswith(fence):
                fence = None
        else:
            lines.append((number, line))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in _prose_lines(page.read_text(encoding="utf-8")):
        heading = _HEADING.match(line)
        if heading:
            base = slug(heading.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(page: Path) -> list[tuple[int, str]]:
    found = []
    for number, line in _prose_lines(page.read_text(encoding="utf-8")):
        prose = _INLINE_CODE.sub("", line)
        found += [(number, match.group(1)) for match in _LINK.finditer(prose)]
        reference = _REFERENCE.match(prose)
        if reference:
            found.append((number, reference.group(1)))
    return found


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    problems = []
    for number, target in links(page):
        if not target or _EXTERNAL.match(target):
            continue
        path, _, fragment = target.partition("#")
        where = f"{page.relative_to(root)}:{number}: {target}"
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            problems.append(f"{where}: no such file {path}")
            continue
        if fragment:
            if resolved.is_dir() or resolved.suffix.lower() != ".md":
                problems.append(f"{where}: an anchor into something that is not a Markdown page")
            elif fragment not in anchors(resolved):
                problems.append(f"{where}: no heading #{fragment} in {resolved.relative_to(root)}")
    return problems


@pytest.mark.parametrize("page", doc_pages(), ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    assert broken_links(page) == []


def test_the_checker_catches_a_broken_file_a_broken_anchor_and_ignores_code(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "other.md").write_text("# Other page\n\n## Portal Test/Run\n\n## Running with `func start`\n"
                                   "## Twice\n## Twice\n", encoding="utf-8")
    page = docs / "page.md"
    page.write_text(
        "# Page\n\n"
        "[fine](other.md#portal-testrun) [fine](other.md#running-with-func-start) [fine](other.md#twice-1)\n"
        "[fine](#page) [fine](https://example.com/nowhere.md#x) [fine](../docs/)\n"
        "[gone](missing.md) [bad anchor](other.md#portal-test-run) [self](#nope)\n"
        "`[in code](nowhere.md)`\n\n```\n[in a block](nowhere.md)\n```\n",
        encoding="utf-8")
    problems = broken_links(page, root=tmp_path)
    assert [problem.split(": ", 1)[1].split(":")[0] for problem in problems] == [
        "missing.md", "other.md#portal-test-run", "#nope"], problems


def test_slugs_follow_github() -> None:
    assert slug("Portal Test/Run") == "portal-testrun"
    assert slug("Running with `func start`") == "running-with-func-start"
    assert slug("Case memory, feedback and re-opening") == "case-memory-feedback-and-re-opening"
    assert slug("Second session (2026-12-02): scores") == "second-session-2026-12-02-scores"
    assert slug("4. Investigating when the text is not conclusive") == "4-investigating-when-the-text-is-not-conclusive"
    assert slug("snake_case stays") == "snake_case-stays"


def _ci_commands() -> list[str]:
    """What .ci/run runs: its command lines, without comments, `set` and the `cd` to the repository root."""
    commands = []
    for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#") or line.startswith(("set ", "cd ")):
            continue
        commands.append(line)
    return commands


def _first_code_blocks(text: str, count: int) -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", text, re.S)[:count]]


def test_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move detail into docs/"


def test_readme_opens_with_the_run_command_and_exactly_the_ci_test_command() -> None:
    text = README.read_text(encoding="utf-8")
    first_screen = "\n".join(text.splitlines()[:40])
    run, test = _first_code_blocks(first_screen, 2)

    assert [test] == _ci_commands(), "the README's test command must be exactly what .ci/run runs"
    assert f"`.ci/run` runs exactly `{test}`." in first_screen

    # The run command is a script of the repository that sets up (creates .venv, installs) and then runs.
    program, script = shlex.split(run)
    assert program == "bash"
    run_script = (ROOT / script).read_text(encoding="utf-8")
    assert "bash scripts/setup.sh" in run_script and "python -m devhost" in run_script
    # ...and so does the test command: set up first, then pytest.
    test_script = (ROOT / shlex.split(test)[1]).read_text(encoding="utf-8")
    assert test_script.index("bash scripts/setup.sh") < test_script.index("-m pytest")


def test_the_readme_points_at_every_docs_page() -> None:
    linked = {(README.parent / target.partition("#")[0]).resolve() for _, target in links(README)}
    pages = {page.resolve() for page in (ROOT / "docs").glob("*.md")}
    assert pages - linked == set(), "pages of docs/ missing from the README's table"
