"""With bleed the page's origin moves; the rules that measure the page still read it right."""

import shutil

from pipeline.build import build
from pipeline.checks.run import run_checks
from tests.conftest import SMALL


def test_a_clean_text_with_bleed_and_crop_marks_passes_the_page_rules(tmp_path):
    manuscript = shutil.copytree(SMALL, tmp_path / "small")
    with (manuscript / "metadata.yaml").open("a", encoding="utf-8") as metadata:
        metadata.write("print:\n  bleed: true\n  crop-marks: true\n")
    build(manuscript, ["pdf"], tmp_path / "out")
    report = run_checks(manuscript, tmp_path / "out", ["pdf"])
    fired = {finding.rule for finding in report.findings}
    assert report.rules > 0
    assert not fired & {"pdf.text-block", "pdf.page-size"}, report.findings
