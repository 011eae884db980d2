"""The storage layout both services share, spelled out once here: changing a key is a
deliberate edit of this test, and every key of one photo sits under that photo's prefix."""

from __future__ import annotations

from pictolab.contract import storage_keys as keys
from pictolab.storage.local import LocalStorage

W, P, R = "a" * 32, "b" * 32, "c" * 32


def test_the_layout():
    assert keys.photo_key(W, P) == f"photos/{W}/{P}.jpg"
    assert keys.predict_tmp_key(W, "d" * 32) == f"tmp/predict/{W}/{'d' * 32}.jpg"
    assert keys.checkpoint_key(R) == f"runs/{R}/checkpoint.pt"
    assert keys.model_key(R) == f"runs/{R}/model.pt"
    assert keys.embedding_key(keys.photo_key(W, P), "efficientnet_lite0", "e" * 32) == \
        f"cache/embeddings/photos/{W}/{P}.jpg/efficientnet_lite0/{'e' * 32}.npy"


def test_purge_prefixes_cover_everything_of_a_workshop_and_nothing_else(tmp_path):
    storage = LocalStorage(tmp_path)
    other_w, other_p, other_r = "f" * 32, "0" * 32, "1" * 32
    mine = [keys.photo_key(W, P), keys.predict_tmp_key(W, "2" * 32), keys.model_key(R), keys.checkpoint_key(R),
            *(keys.embedding_key(keys.photo_key(W, P), backbone, "3" * 32) for backbone in ("x", "y"))]
    theirs = [keys.photo_key(other_w, other_p), keys.predict_tmp_key(other_w, "4" * 32), keys.model_key(other_r),
              keys.embedding_key(keys.photo_key(other_w, other_p), "x", "3" * 32)]
    for key in mine + theirs:
        storage.put_bytes(key, b"x")
    removed = sum(storage.delete_prefix(p) for p in keys.workshop_purge_prefixes(W, [R]))
    assert removed == len(mine)
    assert sorted(storage.list()) == sorted(theirs)


def test_one_photos_embeddings_are_one_prefix(tmp_path):
    storage = LocalStorage(tmp_path)
    first, second = keys.photo_key(W, P), keys.photo_key(W, "5" * 32)
    for image in (first, second):
        for backbone in ("efficientnet_lite0", "mobilenet_v3_large"):
            storage.put_bytes(keys.embedding_key(image, backbone, "6" * 32), b"x")
    assert storage.delete_prefix(keys.embeddings_prefix(first)) == 2
    assert all(second in key for key in storage.list(keys.EMBEDDINGS))


def test_export_keys_sit_under_the_run_and_the_shared_file_outside_every_workshop(tmp_path):
    assert keys.export_key(R, "model.json") == f"runs/{R}/export/model.json"
    assert keys.shared_export_key("efficientnet_lite0-0123456789abcdef.bin") == \
        "exports/shared/efficientnet_lite0-0123456789abcdef.bin"
    storage = LocalStorage(tmp_path)
    shared = keys.shared_export_key("efficientnet_lite0-0123456789abcdef.bin")
    for key in [*(keys.export_key(R, name) for name in keys.EXPORT_FILES), shared]:
        storage.put_bytes(key, b"x")
    for prefix in keys.workshop_purge_prefixes(W, [R]):
        storage.delete_prefix(prefix)
    assert list(storage.list()) == [shared]  # a purge keeps what other workshops' exports share
