"""No knowledge mapping repeats a key. YAML keeps the last of two equal keys without a word, so a merge that joins two
edits of one entry (two `unless_report` conditions, say) would silently drop the first; this test names it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

KNOWLEDGE = Path(__file__).resolve().parents[2] / "shared" / "knowledge"


class _KeyCheckingLoader(yaml.SafeLoader):
    """A safe loader that records every mapping key written twice (merge keys `<<` aside)."""

    repeated: list[str]


def _construct_mapping(loader: _KeyCheckingLoader, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
    seen: set[str] = set()
    for key_node, _ in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key is not None and key != "<<" and key in seen:
            loader.repeated.append(f"line {key_node.start_mark.line + 1}: {key}")
        if key is not None:
            seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_KeyCheckingLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _repeated_keys(text: str) -> list[str]:
    loader = _KeyCheckingLoader(text)
    loader.repeated = []
    try:
        loader.get_single_data()
    finally:
        loader.dispose()
    return loader.repeated


@pytest.mark.parametrize("path", sorted(KNOWLEDGE.rglob("*.yaml")), ids=lambda p: str(p.relative_to(KNOWLEDGE)))
def test_no_knowledge_mapping_repeats_a_key(path: Path) -> None:
    assert _repeated_keys(path.read_text("utf-8")) == []


def test_a_repeated_key_is_found() -> None:
    text = "- id: x\n  unless_report: a\n  category: c\n  unless_report: b\n"
    assert _repeated_keys(text) == ["line 4: unless_report"]
    assert _repeated_keys("base: &b {a: 1}\nuse:\n  <<: *b\n  c: 2\n") == []
