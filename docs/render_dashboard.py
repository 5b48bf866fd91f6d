"""Render the reference plan's Dashboard for the README: solve, write, print to PDF, PNG.

    python docs/render_dashboard.py                 # solve the reference (30-100 s)
    python docs/render_dashboard.py --plan plan.xlsx  # or render a plan already written

Needs LibreOffice (`soffice`) and poppler (`pdftoppm`, `pdfinfo`), e.g. on Debian
`apt-get install -y libreoffice-calc poppler-utils`. Prints the PDF's page count per
sheet (each page's header starts with its sheet name) and writes docs/img/dashboard.png
from the Dashboard's page (the workbook opens on it; WORKBOOK.md's sheets print first).
The tests do not need any of this.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
PNG = HERE / "img" / "dashboard.png"


def solve_reference(folder: Path, time_limit: float) -> Path:
    sys.path.insert(0, str(HERE.parent))
    from optimizer import Scenario

    result = Scenario.reference().solve(time_limit=time_limit)
    print(f"solved: {result.status}, gap {result.gap}, {result.solve_seconds:.1f} s")
    return result.to_excel(folder / "plan.xlsx")


def to_pdf(workbook: Path, folder: Path) -> Path:
    # A private profile: a running LibreOffice of the user's would swallow the request.
    profile = (folder / "lo-profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return folder / (workbook.stem + ".pdf")


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))  # type: ignore[union-attr]


def page_sheets(pdf: Path, pages: int) -> list[str]:
    """Each page's sheet: the first word of a page's text is its header's sheet name (print_layout)."""
    sheets: list[str] = []
    for page in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        sheets.append(text.split(maxsplit=1)[0] if text.strip() else "(blank)")
    return sheets


def to_png(pdf: Path, target: Path, dpi: int, page_number: int) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    stem = target.with_suffix("")
    page = ["-f", str(page_number), "-l", str(page_number), "-r", str(dpi), "-png", "-singlefile"]
    subprocess.run(["pdftoppm", *page, str(pdf), str(stem)], check=True)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, help="a plan workbook to render instead of solving")
    parser.add_argument(
        "--time-limit", type=float, default=120.0
    )  # the run ends at its gap; 40 s fell short on a busy machine
    parser.add_argument("--png", type=Path, default=PNG)
    parser.add_argument("--dpi", type=int, default=110)
    parser.add_argument("--keep", type=Path, help="copy the PDF here")
    args = parser.parse_args()
    for tool in ("soffice", "pdftoppm", "pdfinfo", "pdftotext"):
        if shutil.which(tool) is None:
            parser.error(f"{tool} not found: apt-get install -y libreoffice-calc poppler-utils")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        workbook = args.plan or solve_reference(folder, args.time_limit)
        pdf = to_pdf(workbook, folder)
        pages = page_count(pdf)
        print(f"{workbook.name}: {pages} pages printed to PDF")
        sheets = page_sheets(pdf, pages)
        for sheet, count in Counter(sheets).items():
            print(f"  {sheet:20s} {count}")
        print(f"wrote {to_png(pdf, args.png, args.dpi, sheets.index('Dashboard') + 1)}")
        if args.keep:
            shutil.copyfile(pdf, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
