"""Edition and cross-edition rules do not fire on what is not a fault. Each rule firing on
a built edition broken on purpose is tested from its fixture folder under
tests/checks/rules/ (test_rules.py)."""

from pipeline.build import build
from tests.checks.helpers import fired, manuscript


def test_numbered_lists_do_not_count_as_extra_words(tmp_path):
    items = "".join(f"{n}.  Item number {n} of the list.\n" for n in range(1, 40))
    folder = manuscript(tmp_path / "m", f"# A list\n\n{items}\nAnd a closing line.\n")
    build(folder, ["pdf", "html"], tmp_path / "out")
    assert "cross.word-count" not in fired(folder, "cross", build_dir=tmp_path / "out")
