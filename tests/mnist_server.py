"""A fake MNIST mirror on 127.0.0.1, well-behaved or not, and tiny MNIST-shaped files to serve
from it.

The data tests never touch the internet: they start a MirrorServer (port 0, in a thread), point the
download code at its URL, and check what happened, including how many requests it received.

    files, digests, arrays = tiny_mnist()
    with MirrorServer(files, mode="404") as bad, MirrorServer(files) as good:
        download_missing_and_load(tmp_path, [bad.url, good.url], digests=digests, timeout=0.5)
        assert len(bad.requests) == 1

It also gives the tests a URL where nothing listens (refused_url) and a folder's file names
(listing), to check what a download left behind.
"""
import gzip
import hashlib
import http.server
import socket
import struct
import threading
from pathlib import Path

import numpy as np

NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

# What a MirrorServer can do when asked for a file it has:
MODES = {
    "ok": "the file, status 200",
    "404": "404 Not Found", "403": "403 Forbidden", "500": "500 Internal Server Error",
    "html": "an HTML page with status 200 and Content-Type text/html",
    "truncated": ("the first half of the file, with a Content-Length that matches "
                  "(a truncated gzip)"),
    "corrupt": "the file with bytes in the middle of the compressed stream flipped",
    "wrong": "a valid gzip of other bytes of the same length (the wrong content)",
    "cut": "a Content-Length for the whole file, then half of it, then the connection closes",
    "hang": "nothing at all after the request, until the server stops",
    "stall": "the headers and half of the file, then nothing, until the server stops",
    "drip": "the headers, then one byte every DRIP_INTERVAL seconds (never long enough for a read "
            "to time out), until DRIP_LIMIT seconds have passed or the server stops",
    "slowing": "the headers and the first half of the file at once, then the rest as 'drip' does: "
               "a mirror that starts fast and then all but stops",
}
HANG_LIMIT = 30  # seconds a hanging handler waits at most; stop() releases it at once
DRIP_INTERVAL = 0.02   # 50 bytes a second: alive, but far too slow to be worth waiting for
DRIP_LIMIT = 10        # seconds; then the connection closes, so a client that never gives up ends


# --- tiny MNIST-shaped data ----------------------------------------------------------------------
def idx_bytes(array):
    """The IDX encoding of a uint8 array: 00 00 08 ndim, the sizes as big-endian uint32, the
    bytes."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    sizes = struct.pack(f">{array.ndim}I", *array.shape)
    return bytes([0, 0, 8, array.ndim]) + sizes + array.tobytes()


def digest_table(unpacked):
    """name -> (size, sha256) for a dict name -> unpacked bytes: the shape of the lesson's
    MNIST_DIGESTS."""
    return {name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in unpacked.items()}


def tiny_arrays(n_train=12, n_test=5, seed=0):
    """((x_train, y_train), (x_test, y_test)) of random uint8 28x28 images and labels 0-9."""
    rng = np.random.default_rng(seed)
    part = [(rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8),
             rng.integers(0, 10, size=n, dtype=np.uint8)) for n in (n_train, n_test)]
    return part[0], part[1]


def tiny_mnist(n_train=12, n_test=5, seed=0):
    """(files, digests, arrays): {name.gz: gzip bytes} to serve, their digest table, and the
    arrays in them."""
    arrays = tiny_arrays(n_train, n_test, seed)
    (x_train, y_train), (x_test, y_test) = arrays
    unpacked = dict(zip(NAMES, map(idx_bytes, [x_train, y_train, x_test, y_test])))
    files = {name + ".gz": gzip.compress(data, mtime=0) for name, data in unpacked.items()}
    return files, digest_table(unpacked), arrays


# --- the server -----------------------------------------------------------------------------------
class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # so server_close() joins every handler thread: none outlives the test

    def handle_error(self, request, client_address):
        pass  # a client that timed out and hung up is expected here, not an error worth a traceback


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def do_GET(self):
        mirror = self.server.mirror
        name = self.path.rsplit("/", 1)[-1]
        mirror.requests.append(self.path)
        body = mirror.content(name)
        mode = mirror.mode
        if body is None or mode in ("404", "403", "500"):
            return self.send_error(404 if body is None else int(mode))
        if mode == "hang":
            return mirror.release.wait(HANG_LIMIT)
        if mode == "html":
            return self.reply(b"<!DOCTYPE html><html><body>Please log in</body></html>",
                              "text/html")
        if mode == "truncated":
            body = body[: len(body) // 2]
        elif mode == "corrupt":
            middle = len(body) // 2
            flipped = bytes(b ^ 0xFF for b in body[middle:middle + 16])
            body = body[:middle] + flipped + body[middle + 16:]
        elif mode == "wrong":
            body = gzip.compress(bytes(len(gzip.decompress(body))), mtime=0)
        elif mode in ("drip", "slowing"):
            return self.drip(body, fast=len(body) // 2 if mode == "slowing" else 0)
        elif mode in ("cut", "stall"):
            return self.reply(body[: len(body) // 2], length=len(body), then_wait=(mode == "stall"))
        self.reply(body)

    def reply(self, body, content_type="application/gzip", length=None, then_wait=False):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if then_wait:
            self.server.mirror.release.wait(HANG_LIMIT)


    def drip(self, body, fast=0):
        """The headers and the first `fast` bytes at once, then one byte every DRIP_INTERVAL."""
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:fast])
        self.wfile.flush()
        release = self.server.mirror.release
        for i in range(fast, min(len(body), fast + int(DRIP_LIMIT / DRIP_INTERVAL))):
            self.wfile.write(body[i:i + 1])
            self.wfile.flush()
            if release.wait(DRIP_INTERVAL):
                return


class MirrorServer:
    """An HTTP server on 127.0.0.1 that serves MNIST-like files, misbehaving as `mode` says (see
    MODES).

    files: a dict {file name: bytes}, or a folder whose files are served by name.
    url: the base URL to give the download code; requests: the paths asked for, in order.
    Use it as a context manager: leaving the block releases any hanging handler, stops the server
    and joins all its threads.
    """

    def __init__(self, files, mode="ok"):
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {sorted(MODES)}")
        self.files, self.mode = files, mode
        self.requests = []
        self.release = threading.Event()
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.mirror = self
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/mnist/"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       name=f"mirror-{mode}", daemon=True)

    def content(self, name):
        if isinstance(self.files, dict):
            return self.files.get(name)
        path = Path(self.files) / name
        return path.read_bytes() if path.is_file() else None

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


LOOPBACK = "127.0.0.1,localhost"   # for no_proxy: a proxy must not swallow requests to our servers


def listing(folder):
    """The names in a folder, sorted; [] if it does not exist."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def refused_url():
    """A loopback URL where nothing listens: the connection is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/mnist/"
