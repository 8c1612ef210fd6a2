"""The README is true on a clean clone: every link stays inside the repository and exists,
and a fresh machine needs exactly two commands."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_link_and_path_points_inside_the_repository():
    links = re.findall(r"\]\(([^)#]+)\)", README)
    assert links
    for link in links:
        assert not link.startswith(("http:", "https:", "/")), link
        target = (ROOT / link).resolve()
        assert target.is_relative_to(ROOT) and target.exists(), link
    assert "../" not in README  # a clone has nothing beside it (../shared is not in it)


def test_a_fresh_machine_needs_exactly_make_run_and_make_test():
    section = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
