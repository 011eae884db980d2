"""Backbones load from local files only; a missing torchvision weights file is a clear error."""

from __future__ import annotations

import time

import pytest
import torch

from ml_api.backbones import (
    MOBILENET_V3_LARGE_FILE,
    BackboneUnavailable,
    frozen_backbones,
    get_spec,
    torch_hub_checkpoint,
)
from tests.helpers import assert_readiness_shape
from tests.ml_api.helpers import START, new_id, put_photos, texture_images


def test_efficientnet_lite0_gives_1280_d_pooled_features():
    net = frozen_backbones.get("efficientnet_lite0", torch.device("cpu"))
    with torch.inference_mode():
        features = net(torch.zeros(2, 3, 224, 224))
    assert features.shape == (2, 1280)
    assert torch.isfinite(features).all() and features.abs().sum() > 0  # real weights, not zeros


def test_mobilenet_without_baked_weights_says_where_they_belong(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    expected = tmp_path / "torch" / "hub" / "checkpoints" / MOBILENET_V3_LARGE_FILE
    with pytest.raises(BackboneUnavailable) as error:
        get_spec("mobilenet_v3_large").build(True)
    assert str(expected) in str(error.value) and "never downloads" in str(error.value)
    assert not (tmp_path / "torch").exists()  # nothing was fetched


def test_mobilenet_loads_weights_from_the_torch_cache(monkeypatch, tmp_path):
    from torchvision.models import mobilenet_v3_large

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    path = torch_hub_checkpoint(MOBILENET_V3_LARGE_FILE)
    path.parent.mkdir(parents=True)
    torch.manual_seed(1)
    reference = mobilenet_v3_large(weights=None)  # random weights standing in for ImageNet's
    torch.save(reference.state_dict(), path)

    net = get_spec("mobilenet_v3_large").build(True).eval()
    assert torch.equal(net.features[0][0].weight, reference.features[0][0].weight)
    with torch.inference_mode():
        assert net(torch.zeros(1, 3, 224, 224)).shape == (1, 960)


def test_selecting_an_unavailable_backbone_is_refused_up_front(ml, monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty-torch"))
    images, labels = texture_images(per_class=1, patch=64)
    photos = put_photos(ml.storage, images[:2], labels[:2])
    before = ml.stored_keys()
    body = ml.gql(START, input={"runId": new_id(), "classes": ["brick", "grass"],
                                "examples": [p.example() for p in photos], "backbone": "mobilenet_v3_large"})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "FAILED_PRECONDITION"
    assert MOBILENET_V3_LARGE_FILE in error["message"]
    assert ml.stored_keys() == before


def test_readyz_stays_503_and_says_why_when_the_default_backbone_cannot_load(make_ml, monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty-torch"))
    ml = make_ml(ml_backbone="mobilenet_v3_large")
    deadline = time.monotonic() + 30
    while ml.service.backbone_error is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    response = ml.client.get("/readyz")
    assert response.status_code == 503
    checks = assert_readiness_shape(response, "ml-api")
    assert checks["device"]["ok"] is True
    assert checks["backbone"]["ok"] is False and MOBILENET_V3_LARGE_FILE in checks["backbone"]["detail"]
    assert ml.client.get("/healthz").status_code == 200
    health = ml.data("{ health { backbone ready } }")["health"]
    assert health == {"backbone": "mobilenet_v3_large", "ready": False}


@pytest.mark.parametrize("backbone", ["efficientnet_lite0", "mobilenet_v3_large"])
def test_batchnorm_folding_keeps_the_features(backbone, monkeypatch, tmp_path):
    from torch import nn

    spec = get_spec(backbone)
    torch.manual_seed(0)
    net = spec.build(False).eval()
    for module in net.modules():  # non-trivial BatchNorm statistics, as trained weights have
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
            module.weight.data.uniform_(0.5, 1.5)
    x = torch.randn(2, 3, 224, 224)
    with torch.inference_mode():
        expected = net(x)
        fused = spec.fuse_for_inference(net)
        assert not any(isinstance(m, nn.BatchNorm2d) for m in fused.modules())
        assert torch.allclose(fused(x), expected, rtol=1e-3, atol=1e-4)
