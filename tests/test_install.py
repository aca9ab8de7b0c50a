"""A non-editable `pip install .` ships the templates, CSS and fonts and renders a QBR."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

from conftest import CONFIG, DATA, INPUTS, ROOT
from pypdf import PdfReader


def test_every_package_folder_is_shipped() -> None:
    """pyproject.toml names its packages one by one: a new folder of modules must be among them."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    folders = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "govdocs").rglob("__init__.py")}
    assert folders - listed == set()


def test_installed_package_renders_a_qbr(tmp_path: Path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # The test environment's packages supply the dependencies (a plain path entry, so its
    # editable govdocs is not activated); govdocs itself is installed from source, not editable.
    child_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(child_site, "_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # From a copy of the source as a clean checkout has it: a build/ folder left by an earlier
    # install would otherwise ship files the package list no longer names (an old cli.py did).
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns("build", ".venv*", "*.egg-info", ".git", "output"))
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-cache-dir", str(source)],
        check=True,
        capture_output=True,
    )
    where = subprocess.run(
        [str(python), "-c", "import govdocs.render.environment as e; print(e.builtin_templates_dir())"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.strip()
    templates = Path(where)
    assert templates.is_relative_to(venv), "govdocs was not imported from the installed copy"
    assert (templates / "qbr.html").is_file() and (templates / "base.css").is_file()
    assert len(list((templates / "assets" / "fonts").glob("*.ttf"))) == 5

    out = tmp_path / "out"
    subprocess.run(
        [
            str(venv / "bin" / "govdocs"),
            "qbr",
            "--config",
            str(CONFIG),
            "--data",
            str(DATA),
            "--inputs",
            str(INPUTS),
            "--quarter",
            "2026-Q3",
            "--partner",
            "ATL",
            "--as-of",
            "2026-10-15",
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    pdf = out / "2026-Q3" / "qbr-ATL-partner.pdf"
    assert "Atlas Contact Solutions" in PdfReader(pdf).pages[0].extract_text()

    starter = tmp_path / "starter"
    init = [str(venv / "bin" / "govdocs"), "init", str(starter), "--partner", "NORTH=North Contact Ltd"]
    subprocess.run(init, check=True, capture_output=True)
    assert (starter / "governance.yaml").read_text(encoding="utf-8").startswith("# govdocs governance config")
