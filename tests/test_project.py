"""The project's own habits, checked on its manifest and catalog (dbt-project-evaluator cannot be
installed here, so the rules that matter are asserted directly): `dbt docs generate` works on a
fresh build, the DAG points one way, every model, column and macro is documented, and every unit
test passes (the one world of the suite that runs them: they read the inputs of their YAML)."""

from __future__ import annotations

import json

import pytest

from conftest import build_world, event, rate

RATE_CARD = [rate("openai", "gpt-4o", input_usd_per_mtok="2.5", output_usd_per_mtok="10")]
MART_PREFIXES = ("fct_", "dim_", "mart_", "export_", "app_")


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    built = build_world(
        tmp_path_factory.mktemp("project"),
        usage={"day.jsonl": [event("one")]},
        rate_card_rows=RATE_CARD,
        artifacts=True,  # docs generate writes the catalog beside the manifest
        unit_tests=True,
    )
    target = built.project_dir / "target"
    run_results = json.loads((target / "run_results.json").read_text())  # the build's, before docs generate's
    result = built.dbt(["docs", "generate"])
    assert result.returncode == 0, result.stdout[-4000:]
    found = {name: json.loads((target / f"{name}.json").read_text()) for name in ("manifest", "catalog")}
    return {**found, "run_results": run_results}


def project_models(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "ai_cost_attribution"
    }


def test_docs_generate_covers_every_built_model(artifacts) -> None:
    models = project_models(artifacts["manifest"])
    catalogued = {node["metadata"]["name"] for node in artifacts["catalog"]["nodes"].values()}
    enabled = {name for name, node in models.items() if node["config"].get("materialized") != "ephemeral"}
    assert enabled - catalogued == set()


def test_every_unit_test_runs_and_passes(artifacts) -> None:
    unit_tests = {unique_id for unique_id, node in artifacts["manifest"]["unit_tests"].items()
                  if node["package_name"] == "ai_cost_attribution"}  # fmt: skip
    statuses = {result["unique_id"]: result["status"] for result in artifacts["run_results"]["results"]}
    assert len(unit_tests) >= 4
    assert {unique_id: statuses.get(unique_id) for unique_id in unit_tests} == dict.fromkeys(unit_tests, "pass")


def test_no_intermediate_model_reads_a_mart(artifacts) -> None:
    manifest = artifacts["manifest"]
    models = project_models(manifest)
    by_id = {node["unique_id"]: name for name, node in models.items()}
    backwards = [
        f"{name} <- {by_id[parent]}"
        for name, node in models.items()
        if name.startswith(("stg_", "int_"))
        for parent in node["depends_on"]["nodes"]
        if parent in by_id and by_id[parent].startswith(MART_PREFIXES)
    ]
    assert backwards == []


def test_staging_is_the_only_layer_reading_sources(artifacts) -> None:
    models = project_models(artifacts["manifest"])
    readers = [
        name
        for name, node in models.items()
        if any(parent.startswith("source.") for parent in node["depends_on"]["nodes"]) and not name.startswith("stg_")
    ]
    assert readers == []


def test_every_model_and_column_is_documented(artifacts) -> None:
    manifest, catalog = artifacts["manifest"], artifacts["catalog"]
    models = project_models(manifest)
    undocumented_models = [name for name, node in models.items() if not node["description"].strip()]
    assert undocumented_models == []
    missing = []
    for unique_id, entry in catalog["nodes"].items():
        node = manifest["nodes"].get(unique_id)
        if node is None or node["package_name"] != "ai_cost_attribution" or node["resource_type"] != "model":
            continue
        documented = {name.lower() for name, column in node["columns"].items() if column.get("description")}
        missing += [f"{node['name']}.{column}" for column in entry["columns"] if column.lower() not in documented]
    assert missing == []


def test_every_macro_is_documented(artifacts) -> None:
    macros = artifacts["manifest"]["macros"].values()
    undocumented = [
        macro["name"]
        for macro in macros
        if macro["package_name"] == "ai_cost_attribution"
        and not macro["name"].startswith("materialization_")
        # a dispatched spelling (duckdb__x, default__x) is documented with the macro it spells
        and "__" not in macro["name"]
        and not macro["description"].strip()
    ]
    assert sorted(undocumented) == []
