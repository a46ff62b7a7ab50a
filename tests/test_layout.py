"""The project's shape holds: imports go one way, the product is type-checked, and the
installed product is the product only (no replica, no benchmarks) yet still explains itself.

The contracts are ``[tool.importlinter]`` in ``pyproject.toml``; mypy's settings are
``[tool.mypy]`` there too (README, "Layout" and "Development").
"""

from __future__ import annotations

import os
import shutil
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.commands import BIN, ROOT, run

# `uv run` says where its uv is; the README's test command runs the tests through it.
UV = os.environ.get("UV") or shutil.which("uv") or "uv"
PRODUCT = ("alerts", "app", "archive", "crawler", "processors", "web")
NOT_SHIPPED = ("replica", "bench")


def test_imports_go_one_way() -> None:
    done = run(BIN / "lint-imports")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 kept, 0 broken" in done.stdout


def test_an_archive_module_importing_the_app_breaks_the_layers(tmp_path: Path) -> None:
    for package in (*PRODUCT, *NOT_SHIPPED):
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("data", "assets", ".cache"),
        )
    db = tmp_path / "archive" / "db.py"
    db.write_text(
        db.read_text(encoding="utf-8") + "\nimport app.config  # noqa\n",
        encoding="utf-8",
    )
    done = run(
        BIN / "lint-imports",
        "--config",
        ROOT / "pyproject.toml",
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": str(BIN)},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "archive.db -> app.config" in done.stdout
    assert "3 kept, 1 broken" in done.stdout


def test_the_product_is_type_checked_clean() -> None:
    done = run(BIN / "mypy")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success: no issues found")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = run(UV, "build", "--offline", "--wheel", "-o", out)
    assert done.returncode == 0, done.stdout + done.stderr
    (found,) = out.glob("nianbao-*.whl")
    return found


def test_the_wheel_holds_the_product_and_no_replica_or_benchmarks(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {
        n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")
    }
    assert tops == set(PRODUCT)
    assert "crawler/sites/hanweb.toml" in names  # the registry is data of the product


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with the wheel alone; its dependencies seen through the project's."""
    venv = tmp_path_factory.mktemp("venv")
    done = run(UV, "venv", "-q", venv)
    assert done.returncode == 0, done.stderr
    python = venv / "bin" / "python"
    # A plain path entry: the project's site-packages without its editable .pth, so
    # neither the repository nor its replica is on the path.
    purelib = Path(sysconfig.get_paths()["purelib"])
    site = Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        ).stdout.strip()
    )
    (site / "project-dependencies.pth").write_text(f"{purelib}\n", encoding="utf-8")
    done = run(
        UV,
        "pip",
        "install",
        "-q",
        "--offline",
        "--no-deps",
        "--python",
        python,
        wheel,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return venv / "bin"


def test_the_installed_product_runs_without_the_replica(
    installed: Path, tmp_path: Path
) -> None:
    missing = run(installed / "python", "-c", "import replica", cwd=tmp_path)
    assert "No module named 'replica'" in missing.stderr
    listed = run(installed / "nianbao", "sources", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "wip" in listed.stdout


def test_the_installed_product_says_where_the_replica_is(
    installed: Path, tmp_path: Path
) -> None:
    serve = run(installed / "nianbao", "replica", "serve", "--port", "0", cwd=tmp_path)
    assert serve.returncode == 1
    assert "it comes with a clone of the nianbao repository" in serve.stderr
    crawl = run(
        installed / "nianbao",
        "crawl",
        "--replica",
        "--data",
        tmp_path / "d",
        cwd=tmp_path,
    )
    assert crawl.returncode == 1
    assert crawl.stderr.strip() == (
        "Error: the replica ships only with a clone of the nianbao repository "
        "(it is not part of the installed package); crawl the real sites, or give --proxy URL"
    )
    assert not (tmp_path / "d" / "archive.db").exists()
