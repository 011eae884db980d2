import pytest

from pictolab.storage import ObjectNotFound, StorageError, open_storage
from pictolab.storage.local import LocalStorage


def test_round_trip_list_delete(storage_url):
    store = open_storage(storage_url)
    store.put_bytes("photos/w1/a.jpg", b"A" * 10, "image/jpeg")
    store.put_bytes("photos/w1/b.jpg", b"B")
    store.put_bytes("photos/w2/c.jpg", b"C")
    store.put_json("models/run1/meta.json", {"classes": ["x", "y"]})

    assert store.get_bytes("photos/w1/a.jpg") == b"A" * 10
    assert store.get_json("models/run1/meta.json") == {"classes": ["x", "y"]}
    assert store.exists("photos/w1/b.jpg") and not store.exists("photos/w1/zzz.jpg")
    assert list(store.list("photos/w1")) == ["photos/w1/a.jpg", "photos/w1/b.jpg"]
    # A prefix is a folder: "photos/w" does not match "photos/w1/..."
    assert list(store.list("photos/w")) == []

    store.put_bytes("photos/w1/a.jpg", b"new")  # overwrite
    assert store.get_bytes("photos/w1/a.jpg") == b"new"

    assert store.delete("photos/w1/b.jpg") is True
    assert store.delete("photos/w1/b.jpg") is False
    with pytest.raises(ObjectNotFound):
        store.get_bytes("photos/w1/b.jpg")
    assert store.get_json_or_none("nope/x.json") is None

    assert store.delete_prefix("photos") == 2
    assert list(store.list("photos")) == []
    assert list(store.list()) == ["models/run1/meta.json"]


def test_uris_round_trip_and_stay_inside(storage_url):
    store = open_storage(storage_url)
    uri = store.uri("photos/w1/a.jpg")
    assert uri.startswith(storage_url.rstrip("/") + "/")
    assert store.key_for_uri(uri) == "photos/w1/a.jpg"
    for outside in ("file:///etc/passwd", "gs://other-bucket/photos/a.jpg",
                    storage_url + "/../escape.jpg", storage_url + "x/a.jpg", 42):
        with pytest.raises(StorageError):
            store.key_for_uri(outside)


@pytest.mark.parametrize("key", ["../x", "/abs", "a/../../b", "a//b", "", "a/./b", "sp ace", "a\\b"])
def test_bad_keys_are_refused(storage_url, key):
    store = open_storage(storage_url)
    with pytest.raises(StorageError):
        store.put_bytes(key, b"x")


def test_delete_prefix_refuses_the_whole_store(storage_url):
    with pytest.raises(StorageError):
        open_storage(storage_url).delete_prefix("")


def test_local_writes_are_atomic(tmp_path, monkeypatch):
    store = LocalStorage(tmp_path)
    store.put_bytes("m/model.pt", b"old")

    def boom(*_args):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError):
        store.put_bytes("m/model.pt", b"half-written")
    monkeypatch.undo()
    assert store.get_bytes("m/model.pt") == b"old"
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["model.pt"]  # no temp left


def test_local_delete_tidies_empty_folders(tmp_path):
    store = LocalStorage(tmp_path / "s")
    store.put_bytes("photos/w1/g1/a.jpg", b"x")
    store.delete_prefix("photos/w1")
    assert not (tmp_path / "s" / "photos").exists()


@pytest.mark.parametrize("url", ["s3://bucket/x", "file://relative/path", "gs://", "http://x"])
def test_unsupported_urls(url):
    with pytest.raises(StorageError):
        open_storage(url)


def test_local_delete_prefix_removes_leftovers_of_crashed_writes(tmp_path):
    store = LocalStorage(tmp_path / "s")
    store.put_bytes("photos/w1/a.jpg", b"x")
    (tmp_path / "s" / "photos" / "w1" / ".b.jpg.abc123.tmp").write_bytes(b"half a photo")
    assert list(store.list("photos/w1")) == ["photos/w1/a.jpg"]  # in-flight writes are not objects
    assert store.delete_prefix("photos/w1") == 2
    assert not (tmp_path / "s" / "photos").exists()
