"""WeasyPrint is imported without starting a single process, and works once imported."""

import subprocess
import sys

COUNT_PROCESSES = """
import subprocess, sys
started = []
original = subprocess.Popen.__init__
def counting(self, *args, **kwargs):
    started.append(args[0] if args else kwargs.get("args"))
    original(self, *args, **kwargs)
subprocess.Popen.__init__ = counting
{importer}
import weasyprint
pdf = weasyprint.HTML(string="<p>Hello</p>").write_pdf()
print(len(started), pdf[:5].decode())
"""


def processes_started(importer: str) -> tuple[int, str]:
    script = COUNT_PROCESSES.format(importer=importer)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    count, header = result.stdout.split()
    return int(count), header


def test_the_pipeline_imports_weasyprint_without_starting_processes():
    count, header = processes_started(
        "from pipeline.libraries import import_weasyprint; import_weasyprint()"
    )
    assert (count, header) == (0, "%PDF-")


def test_a_plain_import_would_start_them():
    """What the pipeline's import avoids, so that the test above means something."""
    count, header = processes_started("")
    assert count > 0 and header == "%PDF-"
