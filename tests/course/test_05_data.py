"""Lesson 05, the data step, run as a user runs it: the command line's mirrors and messages, the
real MNIST through the real code path, a signal mid-download; never the internet.

Every download goes to a MirrorServer on 127.0.0.1 (tests/mnist_server.py). The downloader itself
(support/mnist.py, download.py, idx.py) is tested on tiny MNIST-shaped files in
test_support_mnist.py; here the real MNIST (../shared/mnist) goes through the real digests.
"""
import io
import os
import signal
import sys
import time

import numpy as np
import pytest

from helpers import assert_mentions, load_lesson, posix_signals, run_script, start_lesson
from mnist_server import LOOPBACK, NAMES, MirrorServer, listing, refused_url, tiny_mnist
from support.mnist import MNIST_DIGESTS, download_missing_and_load

LESSON = "05_train_mnist.py"
L05 = load_lesson(LESSON)
FILES, _, _ = tiny_mnist()
CLI_ENV = {"no_proxy": LOOPBACK, "NO_PROXY": LOOPBACK, "MNIST_MIRRORS": ""}


pytestmark = pytest.mark.usefixtures("no_proxy_for_loopback")


# --- the command line -----------------------------------------------------------------------------
def test_cli_when_every_mirror_fails(tmp_path):
    data_dir = tmp_path / "data"
    dead = refused_url()
    with MirrorServer(FILES, "404") as missing, MirrorServer(FILES, "500") as broken, \
            MirrorServer(FILES, "html") as portal:
        urls = [dead, missing.url, broken.url, portal.url]
        mirror_flags = sum((["--mirror", u] for u in urls), [])
        result = run_script(LESSON, "--data-dir", data_dir, *mirror_flags, env=CLI_ENV, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: could not download")
    for url, reason in zip(urls, ["refused", "HTTP 404", "HTTP 500", "HTML page"]):
        assert f"{url}train-images-idx3-ubyte.gz: " in result.stderr and reason in result.stderr
    assert_mentions(result.stderr, f"four files in {data_dir}", "by hand")
    for name, (size, sha256) in MNIST_DIGESTS.items():
        assert all(text in result.stderr for text in (name + ".gz", sha256, str(size)))
    assert "trying the next mirror" in result.stdout
    assert listing(data_dir) == []


def test_cli_takes_mirrors_from_the_environment_unless_given_on_the_command_line(tmp_path):
    with MirrorServer(FILES, "404") as env_mirror, MirrorServer(FILES, "403") as cli_mirror:
        env = dict(CLI_ENV, MNIST_MIRRORS=env_mirror.url)
        from_env = run_script(LESSON, "--data-dir", tmp_path, env=env, timeout=60)
        from_cli = run_script(LESSON, "--data-dir", tmp_path, "--mirror", cli_mirror.url, env=env,
                              timeout=60)
    assert from_env.returncode == from_cli.returncode == 1
    assert env_mirror.url in from_env.stderr and "HTTP 404" in from_env.stderr
    assert cli_mirror.url in from_cli.stderr and env_mirror.url not in from_cli.stderr
    assert len(env_mirror.requests) == len(cli_mirror.requests) == 1


def test_cli_rejects_a_mirror_that_is_not_a_url(tmp_path):
    result = run_script(LESSON, "--data-dir", tmp_path, "--mirror", "mnist-files", env=CLI_ENV,
                        timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "'mnist-files' is not a URL" in result.stderr


def test_cli_rejects_a_mirror_urllib_cannot_parse_in_one_line(tmp_path):
    """An IPv6 address without its closing bracket: urlsplit raises ValueError."""
    result = run_script(LESSON, "--data-dir", tmp_path / "data", "--mirror", "http://[::1",
                        env=CLI_ENV, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "'http://[::1' is not a valid URL" in result.stderr
    assert "http://[::1]:" in result.stderr                             # the fix: brackets
    assert listing(tmp_path) == []


# --- the real MNIST, through the real code path ---------------------------------------------------
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_real_mnist_downloads_verifies_and_loads(shared_mnist, tmp_path):
    data_dir = tmp_path / "data"
    with MirrorServer(shared_mnist) as server:
        result = run_script(LESSON, "--download-only", "--data-dir", data_dir,
                            "--mirror", server.url, env=CLI_ENV, timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.count("verified") == 4 and "MNIST is ready" in result.stdout
        assert len(server.requests) == 4
        data = download_missing_and_load(data_dir, [server.url],          # the real digests
                                         stream=io.StringIO())
        assert len(server.requests) == 4                                     # present: no request
    assert listing(data_dir) == sorted(name + ".gz" for name in NAMES)
    (x_train, y_train), (x_test, y_test) = data
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert np.bincount(y_train).tolist() == TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == TEST_COUNTS
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert x_train.max() == 255 and x_train.min() == 0


# --- stopped from outside ------------------------------------------------------------------------
@posix_signals
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP"])
def test_a_signal_during_a_download_stops_it_like_ctrl_c(signal_name, tmp_path):
    """A closed terminal (SIGHUP), `timeout` or a process manager (SIGTERM) mid-download."""
    data_dir = tmp_path / "data"
    with MirrorServer(FILES, "drip") as slow:
        process = start_lesson(LESSON, "--download-only", "--data-dir", data_dir, "--mirror",
                               slow.url, env=CLI_ENV)
        try:
            deadline = time.monotonic() + 20
            while not slow.requests and time.monotonic() < deadline:  # the download is under way
                time.sleep(0.05)
            assert list(data_dir.glob(".*.part")), "no partial download to interrupt"
            process.send_signal(getattr(signal, signal_name))
            stdout, stderr = process.communicate(timeout=20)
        finally:
            process.kill()
            process.wait()
    assert process.returncode > 0, "killed by the signal instead of stopping cleanly"
    assert "Traceback" not in stderr and len(stderr.splitlines()) == 1, stderr
    assert stderr.startswith("interrupted") and "nothing half-downloaded was kept" in stderr
    assert listing(data_dir) == []


# --- mirrors and paths given by the user ---------------------------------------------------------
def test_cli_with_an_invalid_mirror_setting_and_the_data_present(shared_mnist, tmp_path):
    for name in NAMES:
        (tmp_path / (name + ".gz")).symlink_to(shared_mnist / (name + ".gz"))
    for env in (dict(CLI_ENV, MNIST_MIRRORS="mnist-files"), CLI_ENV):
        mirror = ["--mirror", "mnist-files"] if env is CLI_ENV else []
        result = run_script(LESSON, "--download-only", "--data-dir", tmp_path, *mirror, env=env,
                            timeout=120)
        assert result.returncode == 0, result.stderr
        assert "MNIST is ready" in result.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="chmod means little on Windows")
@pytest.mark.parametrize("mode, folder, facts", [
    (0o644, "data", ["{data}", "Permission denied", "chmod u+rwx {data}", "--data-dir"]),
    (0o555, "parent", ["{data}", "{parent} is not writable", "Permission denied", "--data-dir"]),
], ids=["a data folder that can be listed but not searched", "a new one in a read-only folder"])
def test_cli_data_folder_permissions_get_one_line_with_advice_that_fits(
        mode, folder, facts, tmp_path, deny_access, capsys):
    """main() in this process, as the script runs it: root ignores permissions, so deny_access
    imitates the refusal here, which a child process would not see."""
    parent, data = tmp_path / "parent", tmp_path / "parent" / "data"
    parent.mkdir()
    if mode == 0o644:
        data.mkdir()
        (data / "train-images-idx3-ubyte.gz").write_bytes(b"placed by hand")
    deny_access(data if folder == "data" else parent, mode)
    status = L05.main(["--download-only", "--data-dir", str(data), "--mirror", refused_url()])
    out, err = capsys.readouterr()
    assert status == 1 and err.startswith("error: ") and err.count("\n") == 1, err
    assert_mentions(err, *(fact.format(data=data, parent=parent) for fact in facts))


@pytest.mark.skipif(sys.platform == "win32", reason="os.pathconf is POSIX")
@pytest.mark.parametrize("mirror, facts", [
    ("https", ["HTTPS", "TLS", "http://"]),
    ("file://relative/dir", ["'file://relative/dir'", "'relative'", "absolute path", "{uri}"]),
    ("name too long", ["--data-dir {data}:", "300 bytes", "{limit}", "shorter name"]),
], ids=["https to a plain-HTTP server", "file:// with a relative folder", "a 300-byte name"])
def test_cli_mirror_and_data_dir_mistakes_are_said_in_words(mirror, facts, tmp_path):
    data = tmp_path / ("a" * 300 if mirror == "name too long" else "data")
    with MirrorServer(FILES) as plain:
        url = plain.url.replace("http://", "https://") if mirror == "https" else mirror
        result = run_script(LESSON, "--download-only", "--data-dir", data, "--mirror",
                            refused_url() if mirror == "name too long" else url, env=CLI_ENV,
                            cwd=tmp_path, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    if mirror == "https":                  # the mirror's own line, within the usual summary
        line = [line for line in result.stderr.splitlines()
                if line.startswith(f"  {url}train-images-idx3-ubyte.gz: ")]
        assert len(line) == 1, result.stderr
        assert_mentions(line[0], *facts)
        assert "SSL" not in result.stderr
    else:
        err = result.stderr
        assert err.startswith("error: ") and err.count("\n") == 1, err
        assert_mentions(err, *(fact.format(data=data, limit=os.pathconf(tmp_path, "PC_NAME_MAX"),
                                           uri=(tmp_path / "relative" / "dir").as_uri() + "/")
                               for fact in facts))
    assert listing(tmp_path) == []          # not even the empty data folder the run made


def test_a_tilde_in_data_dir_and_model_means_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    args = L05.parse_args(["--data-dir=~/mnist", "--model", "~/nets/model.npz"])
    assert args.data_dir == tmp_path / "mnist" and args.model == tmp_path / "nets" / "model.npz"
