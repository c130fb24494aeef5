"""``oscartes-kg import`` and ``oscartes-kg export`` on the command line: summaries, formats and
the documented exit codes (0 ok, 1 input rejected, 2 usage, 3 store or environment)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from import_helpers import GOGO, demo_store, file_server, gogo_elements, write_elements

from oscartes_kg.cli import main

CLEAN_ENV = {"OSCARTES_DATA": None, "OSCARTES_SPARQL_URL": None,
             "OSCARTES_SPARQL_UPDATE_URL": None, "OSCARTES_SPARQL_STORE_URL": None}


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], env=CLEAN_ENV)
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def data(tmp_path):
    demo_store(tmp_path / "kb").close()
    return tmp_path / "kb"


def test_import_cli_prints_the_summary_and_exits_0(data):
    result = run("import", "gogocarto", GOGO, "--data", data, "--source-name", "sample")
    assert result.exit_code == 0, result.output
    assert "créées / created: 12" in result.stdout
    again = run("import", "gogocarto", GOGO, "--data", data, "--source-name", "sample",
                "--format", "json")
    assert again.exit_code == 0
    assert json.loads(again.stdout)["unchanged"] == 12


def test_import_cli_strict_rejection_exits_1_and_names_the_entry(data, tmp_path):
    elements = gogo_elements()
    elements[0]["website"] = "pas un site"
    path = write_elements(tmp_path / "bad.json", elements)
    result = run("import", "gogocarto", path, "--data", data, "--source-name", "s", "--strict")
    assert result.exit_code == 1
    assert "« La Ruche de Chenay » [10kw]" in result.stderr
    lenient = run("import", "gogocarto", path, "--data", data, "--source-name", "s")
    assert lenient.exit_code == 0 and "refusées / rejected: 1" in lenient.stdout


def test_import_cli_usage_errors_exit_2(data):
    assert run("import", "shapefile", GOGO, "--data", data).exit_code == 2
    bad_name = run("import", "gogocarto", GOGO, "--data", data, "--source-name", "Pas Bon!")
    assert bad_name.exit_code == 2 and "nom de source invalide" in bad_name.stderr


def test_import_cli_unreachable_source_exits_3(data):
    with file_server({}) as (url, _):
        pass  # the port is now closed
    result = run("import", "gogocarto", url + "/elements.json", "--data", data)
    assert result.exit_code == 3 and "injoignable" in result.stderr


def test_import_cli_missing_file_exits_1(data, tmp_path):
    result = run("import", "gogocarto", tmp_path / "nope.json", "--data", data)
    assert result.exit_code == 1 and "introuvable" in result.stderr


def test_export_cli_writes_a_file_and_the_installed_command_runs(data, tmp_path):
    out = tmp_path / "actors.geojson"
    result = run("export", "geojson", "-o", out, "--data", data)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["type"] == "FeatureCollection"
    installed = subprocess.run([sys.executable, "-m", "oscartes_kg", "export", "murmurations",
                                "--data", str(data)], capture_output=True, timeout=120)
    assert installed.returncode == 0, installed.stderr
    assert json.loads(installed.stdout)[0]["linked_schemas"] == ["organizations_schema-v1.0.0"]
