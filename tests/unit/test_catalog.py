import json

import pytest

from shopscribe.catalog import load_catalog, parse_attribute_string, split_records
from shopscribe.catalog.split import default_input_key
from shopscribe.errors import CatalogError, CatalogValidationError
from tests.conftest import write_jsonl


def test_advertisegen_attribute_string_with_repeated_keys():
    attrs = parse_attribute_string("类型#上衣*材质#牛仔布*图案#卡通*图案#印花")
    assert attrs == {"类型": ["上衣"], "材质": ["牛仔布"], "图案": ["卡通", "印花"]}


def test_openbg_attribute_string():
    attrs = parse_attribute_string("颜色分类#:#图片色#;#裤长#:#长裤#;#成分含量#:#81%(含)-90%(含)")
    assert attrs == {"颜色分类": ["图片色"], "裤长": ["长裤"], "成分含量": ["81%(含)-90%(含)"]}


def test_json_and_key_value_attribute_strings():
    assert parse_attribute_string('{"size": ["S", "M"], "color": "red"}') == {"size": ["S", "M"], "color": ["red"]}
    assert parse_attribute_string("color: red; size: M") == {"color": ["red"], "size": ["M"]}


def test_bad_attribute_string_raises():
    with pytest.raises(CatalogError, match="lacks '#'"):
        parse_attribute_string("类型#上衣*材质")


def test_loads_jsonl_csv_and_parquet(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"id": "a", "locale": "zh", "attributes": "类型#裙*颜色#红色", "description": "红色的裙子"},
            {"id": "b", "locale": "en", "attributes": '{"color": "blue"}', "title": "Blue shirt"}]
    jsonl = load_catalog(write_jsonl(tmp_path / "c.jsonl", rows)).records
    csv_path = tmp_path / "c.csv"
    csv_path.write_text("id,locale,attributes,description,title\n"
                        'a,zh,类型#裙*颜色#红色,红色的裙子,\nb,en,"{""color"": ""blue""}",,Blue shirt\n', encoding="utf-8")
    from_csv = load_catalog(csv_path).records
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "c.parquet")
    from_parquet = load_catalog(tmp_path / "c.parquet").records
    for records in (jsonl, from_csv, from_parquet):
        assert [r.id for r in records] == ["a", "b"]
        assert records[0].locale == "zh-CN" and records[0].attributes == {"类型": ["裙"], "颜色": ["红色"]}
        assert records[1].attributes == {"color": ["blue"]}


def _bad_catalog(tmp_path):
    good = {"id": "ok-1", "attributes": {"color": "red"}, "description": "A red cap."}
    path = tmp_path / "bad.jsonl"
    with path.open("wb") as fh:
        fh.write((json.dumps(good) + "\n").encode())
        fh.write(json.dumps({"attributes": {"color": "red"}}).encode() + b"\n")  # row 2: missing id
        fh.write(json.dumps({"id": "e", "attributes": {}}).encode() + b"\n")  # row 3: empty attributes
        fh.write('{"id": "enc", "attributes": {"color": "'.encode() + "红".encode("gbk") + b'"}}\n')  # row 4
        fh.write(json.dumps({"id": "big", "attributes": {"c": "x"}, "description": "x" * 2_000_000}).encode() + b"\n")
        fh.write((json.dumps(good) + "\n").encode())  # row 6: duplicate id
        fh.write(b"{not json\n")  # row 7
    return path


def test_bad_rows_fail_with_file_row_field_and_reason(tmp_path):
    path = _bad_catalog(tmp_path)
    with pytest.raises(CatalogValidationError) as err:
        load_catalog(path, required_fields=("attributes|title",))
    problems = {p.row: p for p in err.value.problems}
    assert set(problems) == {2, 3, 4, 5, 6, 7}
    assert problems[2].field == "id" and "missing" in problems[2].reason
    assert problems[3].field == "attributes/title"
    assert problems[4].field == "attributes" and "encoding" in problems[4].reason
    assert problems[5].field == "description" and "2,000,000" in problems[5].reason
    assert problems[6].field == "id" and "duplicate" in problems[6].reason and "row 1" in problems[6].reason
    assert problems[7].field == "<row>" and "JSON" in problems[7].reason
    assert str(path) in str(err.value) and ":4" in str(err.value)


def test_skip_writes_every_bad_row_to_rejects(tmp_path):
    path = _bad_catalog(tmp_path)
    result = load_catalog(path, on_error="skip", rejects_path=tmp_path / "rejects.jsonl",
                          required_fields=("attributes|title",))
    assert [r.id for r in result.records] == ["ok-1"]
    rejects = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert [r["row"] for r in rejects] == [2, 3, 4, 5, 6, 7]
    assert all(r["problems"][0]["reason"] for r in rejects)
    assert len(result.records) + len(rejects) == result.rows_read  # nothing silently dropped


def test_split_never_leaks_same_id_or_same_input(sample_catalog):
    records = load_catalog(sample_catalog).records
    # the same input under a new id and with attributes reordered must follow its twin
    twin = records[0].model_copy(update={"id": "twin", "attributes": dict(reversed(records[0].attributes.items()))})
    splits = split_records(records + [twin], dev_fraction=0.2, test_fraction=0.2, seed=3)
    where = {r.id: name for name, rs in splits.items() for r in rs}
    assert where["twin"] == where[records[0].id]
    keys = {name: {default_input_key(r) for r in rs} for name, rs in splits.items()}
    assert not keys["train"] & keys["dev"] and not keys["train"] & keys["test"] and not keys["dev"] & keys["test"]
    assert sum(len(v) for v in splits.values()) == len(records) + 1
    assert splits == split_records(records + [twin], dev_fraction=0.2, test_fraction=0.2, seed=3)
