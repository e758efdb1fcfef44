"""support/mnist.py, support/download.py and support/idx.py: download MNIST from mirrors with
fallback, verify it, load it; never the internet.

Every download goes to a MirrorServer on 127.0.0.1 (tests/mnist_server.py), with tiny
MNIST-shaped files and their own digest table. Lesson 05 run as a user runs it, and the real MNIST
through the real code path, are in test_05_data.py.
"""
import email.message
import errno
import gzip
import io
import os
import re
import stat
import sys
import threading
import time

import numpy as np
import pytest

import mnist_server
from helpers import assert_mentions, needs_symlinks
from mnist_server import (NAMES, MirrorServer, digest_table, idx_bytes, listing,
                          refused_url, tiny_mnist)
from support import download
from support.idx import InvalidFile, parse_idx, read_verified
from support.mnist import (DEFAULT_MIRRORS, MnistError, choose_mirrors, download_missing_and_load,
                           load_mnist)

FILES, DIGESTS, ARRAYS = tiny_mnist()


pytestmark = pytest.mark.usefixtures("no_proxy_for_loopback")


def prepare(data_dir, *servers, timeout=2.0):
    """Run download_missing_and_load against these mirrors with the tiny digests; return (data, what
    it printed)."""
    out = io.StringIO()
    data = download_missing_and_load(data_dir, [s.url for s in servers], digests=DIGESTS,
                                     timeout=timeout, stream=out)
    return data, out.getvalue()


def assert_is_tiny_mnist(data):
    for got, expected in zip(data, ARRAYS):
        for got_array, expected_array in zip(got, expected):
            assert got_array.dtype == np.uint8
            np.testing.assert_array_equal(got_array, expected_array)


# --- downloading --------------------------------------------------------------------------------
def test_clean_download(tmp_path):
    with MirrorServer(FILES) as server:
        data, output = prepare(tmp_path / "data", server)
    assert_is_tiny_mnist(data)
    assert listing(tmp_path / "data") == sorted(FILES)            # the .gz files, no temporary file
    assert sorted(p.rsplit("/", 1)[-1] for p in server.requests) == sorted(FILES)
    assert output.count("verified") == 4 and "failed" not in output
    assert data[0][0].flags.writeable                 # ordinary arrays, not read-only views


def test_a_second_run_makes_no_request(tmp_path):
    with MirrorServer(FILES) as server:
        prepare(tmp_path, server)
        assert len(server.requests) == 4
        data, output = prepare(tmp_path, server)
        assert len(server.requests) == 4
    assert_is_tiny_mnist(data)
    assert output == ""
    # and offline, with no server at all
    assert_is_tiny_mnist(load_mnist(tmp_path, digests=DIGESTS))


REASONS = {
    "404": "HTTP 404", "403": "HTTP 403", "500": "HTTP 500", "html": "HTML page",
    "truncated": "truncated or corrupt", "corrupt": "truncated or corrupt", "wrong": "SHA-256",
    "cut": "closed early", "hang": "timed out", "stall": "timed out",
}


@pytest.mark.parametrize("mode", REASONS)
def test_a_misbehaving_mirror_falls_back_to_the_next(mode, tmp_path):
    threads_before = threading.active_count()
    with MirrorServer(FILES, mode) as bad, MirrorServer(FILES) as good:
        data, output = prepare(tmp_path, bad, good, timeout=0.3)
    assert_is_tiny_mnist(data)
    failed = [line for line in output.splitlines() if "failed:" in line]
    assert len(failed) == 1 and REASONS[mode] in failed[0] and "trying the next mirror" in failed[0]
    # Once the good mirror has worked, the other files try it first: a dead mirror costs one
    # timeout.
    assert len(bad.requests) == 1 and len(good.requests) == 4
    assert listing(tmp_path) == sorted(FILES)
    assert threading.active_count() == threads_before   # the servers and their handlers are gone


def test_every_mirror_failing_raises_one_clear_error(tmp_path):
    dead = refused_url()
    with MirrorServer(FILES, "404") as missing, MirrorServer(FILES, "wrong") as wrong:
        with pytest.raises(MnistError) as caught:
            download_missing_and_load(tmp_path / "data" / "mnist", [dead, missing.url, wrong.url],
                                      digests=DIGESTS, timeout=2, stream=io.StringIO())
    message = str(caught.value)
    for url, reason in [(dead, "refused"), (missing.url, "HTTP 404"), (wrong.url, "SHA-256")]:
        assert any(url + "train-images-idx3-ubyte.gz: " in line and reason in line
                   for line in message.splitlines())
    # Nothing under the final names, no temporary file, and not even the folders the run made.
    assert not (tmp_path / "data").exists(), listing(tmp_path / "data")
    (tmp_path / "kept").mkdir()                   # a folder that was there before stays
    with MirrorServer(FILES, "404") as missing, pytest.raises(MnistError):
        download_missing_and_load(tmp_path / "kept", [missing.url], digests=DIGESTS, timeout=2,
                                  stream=io.StringIO())
    assert (tmp_path / "kept").is_dir()


def test_an_interrupted_download_leaves_nothing(tmp_path, monkeypatch):
    def press_ctrl_c(self, done):
        raise KeyboardInterrupt
    monkeypatch.setattr(download.Progress, "update", press_ctrl_c)
    with MirrorServer(FILES) as server, pytest.raises(KeyboardInterrupt):
        prepare(tmp_path, server)
    assert listing(tmp_path) == []


# --- files already there --------------------------------------------------------------------------
@pytest.mark.parametrize("placement", ["gz", "recompressed", "unpacked", "mixed"])
def test_files_placed_by_hand_are_used_without_network(placement, tmp_path):
    for i, name in enumerate(NAMES):
        unpacked = gzip.decompress(FILES[name + ".gz"])
        if placement == "gz":
            (tmp_path / (name + ".gz")).write_bytes(FILES[name + ".gz"])
        elif placement == "recompressed":
            (tmp_path / (name + ".gz")).write_bytes(gzip.compress(unpacked, compresslevel=1))
        elif placement == "unpacked" or i % 2:
            (tmp_path / name).write_bytes(unpacked)
        else:
            (tmp_path / (name + ".gz")).write_bytes(FILES[name + ".gz"])
    with MirrorServer(FILES, "404") as server:
        data, output = prepare(tmp_path, server)
    assert_is_tiny_mnist(data)
    assert server.requests == [] and output == ""


@pytest.mark.parametrize("bad_name", ["train-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte"])
def test_a_present_invalid_file_is_reported_and_replaced(bad_name, tmp_path):
    for name, content in FILES.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "train-labels-idx1-ubyte.gz").unlink()
    (tmp_path / bad_name).write_bytes(b"not MNIST at all")
    with MirrorServer(FILES) as server:
        data, output = prepare(tmp_path, server)
    assert_is_tiny_mnist(data)
    assert f"{tmp_path / bad_name} is not valid" in output
    assert [p.rsplit("/", 1)[-1] for p in server.requests] == ["train-labels-idx1-ubyte.gz"]
    assert listing(tmp_path) == sorted(FILES)                    # replaced, the bad copy gone


def test_load_mnist_names_what_is_missing_or_invalid(tmp_path):
    for name, content in FILES.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(FILES["train-images-idx3-ubyte.gz"][:100])
    with pytest.raises(MnistError) as caught:
        load_mnist(tmp_path, digests=DIGESTS)
    message = str(caught.value)
    assert "t10k-labels-idx1-ubyte.gz: not found" in message
    assert (f"{tmp_path / 'train-images-idx3-ubyte.gz'}: the gzip data is truncated or corrupt"
            in message)
    assert "--download-only" in message and "by hand" in message


# --- checking content -----------------------------------------------------------------------------
UNPACKED = gzip.decompress(FILES["train-labels-idx1-ubyte.gz"])
SIZE, SHA = DIGESTS["train-labels-idx1-ubyte"]


@pytest.mark.parametrize("content, fault", [
    (UNPACKED[:-1], "truncated file"),
    (UNPACKED + b"\0", "more than"),
    (bytes(len(UNPACKED)), "SHA-256"),
    (b"<!DOCTYPE html><html>" + bytes(SIZE), "HTML"),
    (gzip.compress(UNPACKED)[:-9], "truncated or corrupt"),
    (b"", "0 bytes"),
], ids=["one byte short", "one byte more", "zeros", "html", "truncated gzip", "empty"])
def test_read_verified_rejects_anything_but_the_exact_bytes(content, fault, tmp_path):
    path = tmp_path / "file"
    path.write_bytes(content)
    with pytest.raises(InvalidFile, match=fault):
        read_verified(path, SIZE, SHA)
    path.write_bytes(gzip.compress(UNPACKED))
    assert bytes(read_verified(path, SIZE, SHA)) == UNPACKED


IMAGES = idx_bytes(np.zeros((3, 28, 28), np.uint8))


@pytest.mark.parametrize("content, fault", [
    (b"\x08\x03\x00\x00" + IMAGES[4:],
     "not an IDX file of unsigned bytes: it starts with 08 03 00 00"),
    (b"\x00\x00\x0d\x03" + IMAGES[4:], "not an IDX file of unsigned bytes"),
    (b"\x00\x00", "starts with 00 00, expected"),
    (idx_bytes(np.zeros(3, np.uint8)), "has 1 dimensions, expected 3"),
    (IMAGES[:10], "header is cut short"),
    (IMAGES[:-1], "the file is truncated"),
    (IMAGES + b"\0", "the file is padded with extra bytes"),
])
def test_the_idx_reader_names_the_file_and_the_fault(content, fault, tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    with pytest.raises(InvalidFile, match=fault) as caught:
        parse_idx(bytearray(content), path, ndim=3)
    assert str(caught.value).startswith(f"{path}: ")
    assert parse_idx(bytearray(IMAGES), path, ndim=3).shape == (3, 28, 28)


@pytest.mark.parametrize("replace, fault", [
    (("train-images-idx3-ubyte", np.zeros((12, 28, 27), np.uint8)),
     r"images are \(28, 27\) pixels"),
    (("t10k-labels-idx1-ubyte", np.zeros(4, np.uint8)), "has 5 images but .* has 4 labels"),
    (("train-labels-idx1-ubyte", np.zeros((12, 28, 28), np.uint8)), "has 3 dimensions, expected 1"),
])
def test_load_mnist_checks_the_files_fit_together(replace, fault, tmp_path):
    """Files whose digests match (a digest table made for them) but which are not MNIST-shaped."""
    unpacked = {name: gzip.decompress(FILES[name + ".gz"]) for name in NAMES}
    unpacked[replace[0]] = idx_bytes(replace[1])
    for name, content in unpacked.items():
        (tmp_path / name).write_bytes(content)
    with pytest.raises(MnistError, match=fault):        # like every reason MNIST cannot be had
        load_mnist(tmp_path, digests=digest_table(unpacked))


# --- mirrors, progress --------------------------------------------------------------------------
def test_choose_mirrors_order_of_precedence():
    env = {"MNIST_MIRRORS": " http://a.example/x , https://b.example/y/ ,"}
    assert choose_mirrors(["http://c.example"], env) == ["http://c.example/"]
    assert choose_mirrors(None, env) == ["http://a.example/x/", "https://b.example/y/"]
    assert choose_mirrors(None, {"MNIST_MIRRORS": " "}) == DEFAULT_MIRRORS
    assert DEFAULT_MIRRORS[0] == "https://ossci-datasets.s3.amazonaws.com/mnist/"
    assert len(DEFAULT_MIRRORS) == 3
    with pytest.raises(MnistError, match="not a URL"):
        choose_mirrors(["/some/folder"], {})


def test_download_missing_and_load_takes_its_mirrors_from_the_environment_by_default(
        tmp_path, monkeypatch):
    with MirrorServer(FILES) as server:
        monkeypatch.setenv("MNIST_MIRRORS", server.url)
        assert_is_tiny_mnist(download_missing_and_load(tmp_path, digests=DIGESTS,
                                                       stream=io.StringIO()))
    assert len(server.requests) == 4


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("stream", [FakeTerminal(), io.StringIO()], ids=["terminal", "log"])
def test_progress_is_one_line_on_a_terminal_and_a_few_in_a_log(stream):
    progress = download.Progress(10_000_000, stream)
    for done in range(0, 10_000_001, 50_000):
        progress.update(done)
    progress.close()
    text = stream.getvalue()
    assert text.rstrip(" \n").endswith("10.0 MB of 10.0 MB (100%)")
    if isinstance(stream, FakeTerminal):   # redrawn at every percent, one newline at the end
        assert text.count("\r") == 101 and text.count("\n") == 1 and text.endswith("\n")
    else:                                  # 25%, 50%, 75%, 100%
        assert "\r" not in text and text.count("\n") == 4


# --- a mirror that is alive but far too slow -----------------------------------------------------
def test_a_dripping_mirror_is_dropped_for_being_too_slow(tmp_path, monkeypatch):
    """One byte every DRIP_INTERVAL never trips the per-read timeout: the transfer rate must."""
    monkeypatch.setattr(download, "MIN_RATE", 1000)       # bytes a second, measured over...
    monkeypatch.setattr(download, "RATE_WINDOW", 0.5)     # ...this many seconds;
    monkeypatch.setattr(download, "PROGRESS_EVERY", 0.1)  # a progress line this often
    started = time.monotonic()
    with MirrorServer(FILES, "drip") as slow, MirrorServer(FILES) as good:
        data, output = prepare(tmp_path, slow, good, timeout=2.0)
    assert time.monotonic() - started < mnist_server.DRIP_LIMIT / 2
    assert_is_tiny_mnist(data)
    lines = output.splitlines()
    failed = [i for i, line in enumerate(lines) if "failed:" in line]
    assert len(failed) == 1 and "too slow" in lines[failed[0]], output
    assert "trying the next mirror" in lines[failed[0]]
    # Progress shows while the first bytes trickle in, long before the first 64 KiB.
    assert re.match(r"  \d+ B of \d+\.\d kB \(0%\)", lines[failed[0] - 1]), output
    assert len(slow.requests) == 1 and listing(tmp_path) == sorted(FILES)


def test_a_slow_but_steady_download_is_not_dropped(tmp_path, monkeypatch):
    """The drip's 50 bytes a second pass a MIN_RATE of 20. The window is under a second, so that a
    window's bytes compared with MIN_RATE itself, not MIN_RATE x its seconds (10 against 4), would
    wrongly drop it."""
    monkeypatch.setattr(download, "MIN_RATE", 20)
    monkeypatch.setattr(download, "RATE_WINDOW", 0.2)
    labels = "t10k-labels-idx1-ubyte"
    size, sha256 = DIGESTS[labels]
    with MirrorServer(FILES, "drip") as slow:
        out = io.StringIO()
        path, unpacked = download.download_file_verified(
            slow.url + labels + ".gz", labels, tmp_path,
            lambda path: read_verified(path, size, sha256), size + size // 100 + (1 << 16), 2.0,
            out)
    assert path == tmp_path / (labels + ".gz") and len(unpacked) == DIGESTS[labels][0]


def test_a_mirror_that_slows_down_after_a_fast_start_is_dropped(tmp_path, monkeypatch):
    """Half the file at once, then a drip: the rate is measured over each window, not averaged since
    the start, where the fast half would hide the drip for a long time."""
    monkeypatch.setattr(download, "MIN_RATE", 1000)
    monkeypatch.setattr(download, "RATE_WINDOW", 0.2)
    monkeypatch.setattr(mnist_server, "DRIP_LIMIT", 2)     # then a client that never gave up ends
    half = len(FILES["train-images-idx3-ubyte.gz"]) // 2   # 4.7 kB: 23 times a window's 200 bytes
    started = time.monotonic()
    with MirrorServer(FILES, "slowing") as slowing, MirrorServer(FILES) as good:
        data, output = prepare(tmp_path, slowing, good)
    assert time.monotonic() - started < mnist_server.DRIP_LIMIT     # dropped, not waited out
    assert_is_tiny_mnist(data)
    failed = [line for line in output.splitlines() if "failed:" in line]
    assert len(failed) == 1 and "trying the next mirror" in failed[0], output
    slow = re.search(r"too slow: (\d+) B in ([\d.]+) s \(\d+ bytes/s, at least 1000 needed\)",
                     failed[0])
    assert slow, output
    assert int(slow[1]) < half / 10 and float(slow[2]) < 0.5     # a drip's window, just after
    assert len(slowing.requests) == 1 and listing(tmp_path) == sorted(FILES)


def test_abandoned_partial_downloads_are_removed_but_live_ones_kept(tmp_path):
    for name, content in FILES.items():
        (tmp_path / name).write_bytes(content)
    abandoned = tmp_path / ".train-images-idx3-ubyte.k2j4_x.part"   # the names ours are given
    live = tmp_path / ".t10k-labels-idx1-ubyte.a8b9c0.part"          # another run writing right now
    not_ours = tmp_path / ".notes.txt.part"
    for path in (abandoned, live, not_ours):
        path.write_bytes(b"\x1f\x8b partial")
    two_hours_ago = time.time() - 2 * 3600
    for path in (abandoned, not_ours):
        os.utime(path, (two_hours_ago, two_hours_ago))
    with MirrorServer(FILES) as server:
        data, output = prepare(tmp_path, server)
    assert_is_tiny_mnist(data)
    assert not abandoned.exists() and live.exists() and not_ours.exists()
    assert f"removed {abandoned}" in output and str(live) not in output


class Offering:
    """An HTTP response, as urlopen returns it, whose Content-Length offers `length` bytes of an
    endless body; it counts the bytes read of that body."""

    def __init__(self, length):
        self.headers = email.message.Message()
        self.headers["Content-Type"] = "application/gzip"
        self.headers["Content-Length"] = str(length)
        self.bytes_read = 0

    def read(self, n=1 << 16):
        self.bytes_read += n
        return bytes(n)

    read1 = read

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def test_a_file_offered_larger_than_it_can_be_is_refused_before_its_body_is_read(
        tmp_path, monkeypatch):
    offered = Offering(1001)
    monkeypatch.setattr(download.urllib.request, "urlopen", lambda url, timeout: offered)
    with pytest.raises(download.MirrorFailed) as caught:
        download.download_file_verified("http://mirror.invalid/a.gz", "a", tmp_path,
                                        lambda path: None, 1000, 1, io.StringIO())
    assert "offers 1001 bytes" in str(caught.value) and "1000" in str(caught.value)
    assert offered.bytes_read == 0 and listing(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="Windows files have no POSIX modes")
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)],
                         ids=["umask 022", "umask 027", "umask 077"])
def test_a_downloaded_file_has_the_mode_a_new_file_gets(tmp_path, umask, mode):
    """Not the temporary file's private 0600 under umask 022, nor 0644 whatever the umask."""
    previous = os.umask(umask)
    try:
        with MirrorServer(FILES) as server:
            prepare(tmp_path, server)
    finally:
        os.umask(previous)
    assert {name: oct(stat.S_IMODE((tmp_path / name).stat().st_mode)) for name in FILES} == {
        name: oct(mode) for name in FILES}


# --- folders and files that are not what they should be ------------------------------------------
@pytest.mark.skipif(sys.platform == "win32", reason="chmod 000 means nothing on Windows")
def test_a_data_folder_without_permissions(tmp_path, deny_access):
    for name, content in FILES.items():
        (tmp_path / name).write_bytes(content)
    deny_access(tmp_path)
    for attempt in (lambda: load_mnist(tmp_path, digests=DIGESTS), lambda: prepare(tmp_path)):
        with pytest.raises(MnistError) as caught:
            attempt()
        message = str(caught.value)
        assert f"cannot read the data folder {tmp_path}" in message
        assert "ermission denied" in message
        assert "--data-dir" in message


@pytest.mark.skipif(sys.platform == "win32", reason="chmod 644 means nothing on Windows")
def test_a_data_folder_that_can_be_listed_but_not_searched(tmp_path, deny_access):
    """chmod 644 on a folder: its names can be listed, but even asking whether one of them is a
    folder is refused; once that was a PermissionError traceback from Path.is_dir()."""
    for name, content in FILES.items():
        (tmp_path / name).write_bytes(content)
    deny_access(tmp_path, 0o644)
    for attempt in (lambda: load_mnist(tmp_path, digests=DIGESTS), lambda: prepare(tmp_path)):
        with pytest.raises(MnistError) as caught:
            attempt()
        assert_mentions(str(caught.value), f"data folder {tmp_path}", "Permission denied",
                        f"chmod u+rwx {tmp_path}", "--data-dir")


@pytest.mark.skipif(sys.platform == "win32", reason="chmod 644 means nothing on Windows")
def test_a_data_folder_inside_one_that_cannot_be_searched(tmp_path, deny_access):
    """The folder to fix is the one above, which the data folder's own name gives no hint of."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    deny_access(tmp_path, 0o644)
    for where in (data_dir, data_dir / "mnist"):          # there already, or still to make
        with MirrorServer(FILES) as server, pytest.raises(MnistError) as caught:
            prepare(where, server)
        assert_mentions(str(caught.value), f"data folder {where}", f"{tmp_path} cannot be searched",
                        "Permission denied", f"chmod u+x {tmp_path}", "--data-dir")
        assert server.requests == []


@pytest.mark.skipif(sys.platform == "win32", reason="chmod 555 means nothing on Windows")
def test_a_new_data_folder_under_a_read_only_folder(tmp_path, deny_access):
    read_only = tmp_path / "shared"
    read_only.mkdir()
    deny_access(read_only, 0o555)
    with MirrorServer(FILES) as server, pytest.raises(MnistError) as caught:
        prepare(read_only / "data", server)
    assert_mentions(str(caught.value), f"data folder {read_only / 'data'}",
                    f"{read_only} is not writable", "Permission denied", "--data-dir")
    assert server.requests == [] and listing(read_only) == []


def test_a_data_folder_name_too_long_for_the_file_system(tmp_path):
    """Once "File name too long; give yourself access to it (chmod u+rwx ...)": advice that
    cannot help."""
    data_dir = tmp_path / ("a" * 300) / "data"
    for attempt in (lambda: load_mnist(data_dir, digests=DIGESTS), lambda: prepare(data_dir)):
        with pytest.raises(MnistError) as caught:
            attempt()
        message = str(caught.value)
        assert message.startswith(f"--data-dir {data_dir}: ") and "chmod" not in message, message
        assert_mentions(message, "300 bytes", "shorter name")
    assert listing(tmp_path) == []


def test_a_folder_where_a_data_file_belongs(tmp_path):
    for name, content in FILES.items():
        (tmp_path / name).write_bytes(content)
    folder = tmp_path / "train-labels-idx1-ubyte.gz"
    folder.unlink()
    folder.mkdir()
    with pytest.raises(MnistError, match=f"{re.escape(str(folder))}: .*folder"):
        load_mnist(tmp_path, digests=DIGESTS)
    with MirrorServer(FILES) as server, pytest.raises(MnistError) as caught:
        prepare(tmp_path, server)
    assert_mentions(str(caught.value), f"{folder} is a folder", "move or remove it", "--data-dir")
    assert server.requests == [] and folder.is_dir() and listing(folder) == []
    assert len(listing(tmp_path)) == 4                              # nothing added, nothing removed


@needs_symlinks
@pytest.mark.parametrize("kind, fault", [
    ("file", "is a file, not a folder"),
    ("loop", "is a symbolic link that leads to no folder (a loop, or a missing target)"),
    ("file parent", "is a file, not a folder"),
])
def test_a_data_folder_that_is_not_a_folder(kind, fault, tmp_path):
    data_dir = tmp_path / "data"
    if kind == "loop":
        data_dir.symlink_to(data_dir)
    else:
        data_dir.write_text("notes")
    culprit = data_dir
    if kind == "file parent":
        data_dir = data_dir / "mnist"
    with MirrorServer(FILES) as server, pytest.raises(MnistError) as caught:
        prepare(data_dir, server)
    message = str(caught.value)
    assert f"{culprit} {fault}" in message and "--data-dir" in message
    assert "File exists" not in message and "Not a directory" not in message
    assert server.requests == []


class FullDisk:
    """A file whose writes fail as they do on a full disk."""
    def __init__(self, file):
        self.file, self.name = file, file.name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_is_reported_with_the_folder_not_a_file_descriptor(tmp_path, monkeypatch):
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: FullDisk(real_fdopen(fd, *a, **k)))
    with MirrorServer(FILES) as server, pytest.raises(MnistError) as caught:
        prepare(tmp_path, server)
    message = str(caught.value)
    assert f"cannot write in {tmp_path}: " in message and "No space left on device" in message
    assert not re.search(r"cannot write \d", message)
    assert listing(tmp_path) == []


@pytest.mark.parametrize("name, other, says", [
    ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "its header says 12 labels"),
    ("train-labels-idx1-ubyte", "train-images-idx3-ubyte", "its header says 12 images of 28x28"),
    ("t10k-images-idx3-ubyte", "train-images-idx3-ubyte", "its header says 12 images of 28x28"),
])
def test_another_mnist_file_under_this_name_is_named_by_its_header(name, other, says, tmp_path):
    for n, content in FILES.items():
        (tmp_path / n).write_bytes(content)
    (tmp_path / (name + ".gz")).write_bytes(FILES[other + ".gz"])
    with pytest.raises(MnistError) as caught:
        load_mnist(tmp_path, digests=DIGESTS)
    message = str(caught.value)
    assert says in message and "another MNIST file under this name?" in message
    assert "truncated" not in message


def test_a_truncated_file_is_still_called_truncated(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(gzip.decompress(FILES["train-images-idx3-ubyte.gz"])[:-100])
    with pytest.raises(InvalidFile, match=r"a truncated file \(its header says 12 images of 28"):
        read_verified(path, *DIGESTS["train-images-idx3-ubyte"])


def test_an_invalid_gz_beside_a_valid_unpacked_copy_is_removed_once(tmp_path):
    for name, content in FILES.items():
        (tmp_path / name).write_bytes(content)
    labels = "train-labels-idx1-ubyte"
    (tmp_path / labels).write_bytes(gzip.decompress(FILES[labels + ".gz"]))
    (tmp_path / (labels + ".gz")).write_bytes(b"not MNIST at all")
    with MirrorServer(FILES, "404") as server:
        data, first = prepare(tmp_path, server)
        again, second = prepare(tmp_path, server)
    assert_is_tiny_mnist(data) and assert_is_tiny_mnist(again)
    assert server.requests == []
    assert "replaced" not in first, first
    assert_mentions(first, f"{tmp_path / (labels + '.gz')} is not valid", "removed",
                    f"{tmp_path / labels} is used")
    assert second == "" and (tmp_path / labels).exists()
    assert not (tmp_path / (labels + ".gz")).exists()


# --- mirrors and paths given by the user ---------------------------------------------------------
def test_an_invalid_mirror_setting_does_not_block_a_run_needing_no_download(tmp_path, monkeypatch):
    for name, content in FILES.items():
        (tmp_path / name).write_bytes(content)
    monkeypatch.setenv("MNIST_MIRRORS", "mnist-files")
    assert_is_tiny_mnist(download_missing_and_load(tmp_path, digests=DIGESTS, stream=io.StringIO()))
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()                # now a download is needed
    with pytest.raises(MnistError, match="'mnist-files' is not a URL"):
        download_missing_and_load(tmp_path, digests=DIGESTS, stream=io.StringIO())


def test_a_tilde_in_the_data_folder_is_the_home_folder(tmp_path, monkeypatch):
    """load_mnist("~/mnist") reads the home folder's mnist/, and its advice names that folder,
    never a "~" that the shell would expand to another home than the one Python used."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))                   # Windows
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MnistError) as caught:
        load_mnist("~/mnist", digests=DIGESTS)
    assert f"--data-dir {home / 'mnist'}" in str(caught.value)
    assert "~" + os.sep + "mnist" not in str(caught.value).replace("/", os.sep)
    with MirrorServer(FILES) as server:
        assert_is_tiny_mnist(download_missing_and_load("~/mnist", [server.url], digests=DIGESTS,
                                                       stream=io.StringIO()))
    assert listing(home / "mnist") == sorted(FILES) and listing(tmp_path) == ["home"]
    assert_is_tiny_mnist(load_mnist("~/mnist", digests=DIGESTS))


def test_an_https_mirror_that_speaks_plain_http_is_explained(tmp_path):
    """Once the raw "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"."""
    with MirrorServer(FILES) as plain, pytest.raises(MnistError) as caught:
        https = plain.url.replace("http://", "https://")
        download_missing_and_load(tmp_path, [https], digests=DIGESTS, timeout=2,
                                  stream=io.StringIO())
    line = [line for line in str(caught.value).splitlines()
            if line.startswith(f"  {https}train-images-idx3-ubyte.gz: ")]
    assert len(line) == 1, str(caught.value)
    assert_mentions(line[0], "HTTPS", "TLS", "http://")
    assert "SSL" not in str(caught.value) and listing(tmp_path) == []


def test_a_file_mirror_with_a_host_is_refused_with_the_url_meant(tmp_path, monkeypatch):
    """In file://relative/dir, "relative" is a host, and urllib silently read /dir."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MnistError) as caught:
        choose_mirrors(["file://relative/dir"], {})
    assert_mentions(str(caught.value), "'file://relative/dir'", "'relative'", "absolute path",
                    f"give {(tmp_path / 'relative' / 'dir').as_uri()}/")
    for fine in ("file:///srv/mnist", "file://localhost/srv/mnist", "FILE:///srv/mnist/"):
        assert choose_mirrors([fine], {}) == [fine.rstrip("/") + "/"]


def test_a_file_mirror_may_hold_unpacked_files(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name in NAMES:
        (mirror / name).write_bytes(gzip.decompress(FILES[name + ".gz"]))
    out = io.StringIO()
    data = download_missing_and_load(tmp_path / "data", [mirror.as_uri() + "/"], digests=DIGESTS,
                                     stream=out)
    assert_is_tiny_mnist(data)
    assert listing(tmp_path / "data") == sorted(NAMES) and "failed" not in out.getvalue()
