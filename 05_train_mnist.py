"""
Lesson 05: train a network on MNIST (handwritten digits).

This part of the lesson fetches the data: the four MNIST files (60000 training and 10000 test images of
28x28 grey pixels, with their labels 0-9) are downloaded into data/ on the first run, checked against
known SHA-256 digests, and loaded as uint8 NumPy arrays. Later runs find them there and touch no network.

Run
    python 05_train_mnist.py [--data-dir DIR] [--mirror URL ...] [--download-only]
"""
import argparse
import gzip
import hashlib
import http.client
import math
import os
import socket
import struct
import sys
import tempfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np

# ===================================================================================================
# Carried over from 01_single_neuron.py, unchanged (tests/test_carry_forward.py keeps the copies
# identical): the plumbing.
# ===================================================================================================

# ---------------------------------------------------------------------------------------------------
# Plumbing: command line and figures. Carried into every lesson unchanged; it teaches no maths.
# ---------------------------------------------------------------------------------------------------
NON_INTERACTIVE_BACKENDS = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}


def make_parser(description):
    """The flags every lesson shares; a lesson adds its own to the parser this returns."""
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--figures-dir", type=Path, default=Path(__file__).resolve().parent / "figures",
                        help="folder for the PNG figures (default: figures/ beside this script)")
    parser.add_argument("--no-plots", action="store_true", help="skip drawing figures")
    parser.add_argument("--show", action="store_true", help="also open the figures in windows")
    parser.add_argument("--seed", type=int, default=0, help="seed for every random number (default: 0)")
    return parser


def open_pyplot(show):
    """Import pyplot with a backend that can neither block nor fail on a machine without a display."""
    import matplotlib
    if not show:
        matplotlib.use("Agg")  # draw straight to PNG files; needs no screen
    import matplotlib.pyplot as plt
    if show and matplotlib.get_backend().lower() in NON_INTERACTIVE_BACKENDS:
        print("note: --show needs a display and none was found; the figures are saved as PNG only")
    return plt


def save_figure(fig, figures_dir, filename):
    """Save one figure as PNG, say where, and return its path."""
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    path = figures_dir / filename
    fig.savefig(path, dpi=100, bbox_inches="tight")
    print(f"figure saved: {path}")
    return path


def finish_figures(plt, show):
    """Open the windows if asked (this waits until they are closed), then free the figures."""
    if show and plt.get_backend().lower() not in NON_INTERACTIVE_BACKENDS:
        plt.show()
    plt.close("all")


# ===================================================================================================
# End of carried-over code. New in this lesson: downloading, verifying and loading MNIST.
# ===================================================================================================


# ---------------------------------------------------------------------------------------------------
# Data: download, verify and load MNIST
# ---------------------------------------------------------------------------------------------------
# MNIST is four IDX files. Mirrors serve them gzipped; we accept a file by the SHA-256 of its *unpacked*
# bytes, so the official .gz, a re-compressed .gz and an unpacked copy placed by hand all pass, and a
# truncated download, an error page or a different file never does.
MNIST_DIGESTS = {  # name of the unpacked file -> (its size in bytes, SHA-256 of its bytes)
    "train-images-idx3-ubyte": (47040016, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    "train-labels-idx1-ubyte": (60008, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    "t10k-images-idx3-ubyte": (7840016, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    "t10k-labels-idx1-ubyte": (10008, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}
DEFAULT_MIRRORS = [  # tried in this order; each file falls back to the next one on any failure
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]
TIMEOUT = 30          # seconds to wait for a connection, and then for each read, before giving up on a mirror
CHUNK = 1 << 16       # bytes read from the network at a time
IMAGE_SHAPE = (28, 28)


class MnistError(Exception):
    """Anything that stops us getting MNIST. The message says what went wrong and how to fix it."""


class InvalidFile(MnistError):
    """A file's content is not the MNIST file it should be; the message names the fault."""


class MirrorFailed(Exception):
    """One download attempt failed (network, server or content); the next mirror may still work."""


def choose_mirrors(cli_mirrors=None, environ=None):
    """The base URLs to try, in order: --mirror flags, else $MNIST_MIRRORS (comma-separated), else defaults."""
    environ = os.environ if environ is None else environ
    from_env = [url.strip() for url in environ.get("MNIST_MIRRORS", "").split(",") if url.strip()]
    mirrors = cli_mirrors or from_env or DEFAULT_MIRRORS
    for url in mirrors:
        if "://" not in url:
            raise MnistError(f"mirror {url!r} is not a URL; give a base URL such as {DEFAULT_MIRRORS[0]} "
                             "(a local folder works as file:///path/to/folder/)")
    return [url if url.endswith("/") else url + "/" for url in mirrors]


def human_size(n):
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


# --- Reading and checking a file ------------------------------------------------------------------
def open_unpacked(path):
    """Open a file for reading its IDX bytes, unpacking it on the fly if it is gzipped.

    We look at the first two bytes (gzip files start with 1f 8b), not at the name, so an unpacked file
    that happens to be called .gz still works.
    """
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else open(path, "rb")


def read_verified(path, size, sha256):
    """The unpacked bytes of `path`, if they are exactly `size` bytes with this SHA-256; else InvalidFile.

    The bytes go straight into one buffer of the expected size, read once and hashed once, and reading
    stops one byte past it: a wrong file can never make us unpack more. A bytearray (not bytes) so the
    arrays made from it are ordinary writable arrays.
    """
    buffer, got = bytearray(size), 0
    try:
        with open_unpacked(path) as f, memoryview(buffer) as view:
            while got < size:                           # a megabyte at a time keeps the extra memory small
                n = f.readinto(view[got:got + (1 << 20)])
                if not n:
                    break
                got += n
            extra = f.read(1)                           # also makes gzip check its CRC trailer
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise InvalidFile(f"the gzip data is truncated or corrupt ({error})") from None
    except OSError as error:
        raise InvalidFile(f"cannot read it ({error})") from None
    if buffer[:1] == b"<":
        raise InvalidFile("it is an HTML or XML page (an error page, or a proxy's login page?), "
                          "not MNIST data")
    if got < size:
        raise InvalidFile(f"it has {got} bytes unpacked, {size} expected (a truncated file?)")
    if extra:
        raise InvalidFile(f"it has more than the {size} bytes expected unpacked (a different file?)")
    digest = hashlib.sha256(buffer).hexdigest()
    if digest != sha256:
        raise InvalidFile(f"its SHA-256 is {digest[:16]}..., expected {sha256[:16]}... "
                          "(damaged, or a different file)")
    return buffer


def parse_idx(data, source, ndim=None):
    """Turn the bytes of an IDX file into a uint8 array that shares their memory (no copy).

    IDX layout: two zero bytes, one byte for the element type (0x08 = unsigned byte, the only type MNIST
    uses), one byte for the number of dimensions d; then d sizes as big-endian 32-bit integers; then the
    elements, last dimension fastest. We check all of it, so a truncated, padded or mislabelled file
    gives an error naming `source` and the fault, never a NumPy reshape error.
    """
    head = bytes(data[:4])
    if len(head) < 4 or head[:3] != b"\x00\x00\x08":
        raise InvalidFile(f"{source}: not an IDX file of unsigned bytes: it starts with "
                          f"{head.hex(' ') or 'nothing'}, expected 00 00 08 then the number of dimensions")
    d = head[3]
    if ndim is not None and d != ndim:
        raise InvalidFile(f"{source}: has {d} dimensions, expected {ndim}; is the right file under this name?")
    header = 4 + 4 * d
    if len(data) < header:
        raise InvalidFile(f"{source}: the header is cut short ({len(data)} bytes, {header} needed)")
    shape = struct.unpack(f">{d}I", bytes(data[4:header]))
    expected = header + math.prod(shape)
    if len(data) != expected:
        fault = "truncated" if len(data) < expected else "padded with extra bytes"
        raise InvalidFile(f"{source}: is {len(data)} bytes, but its header (shape {shape}) means {expected}: "
                          f"the file is {fault}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def read_idx(path, ndim=None):
    """Read one IDX file (gzipped or not) into a uint8 array, checking its header and length."""
    try:
        with open_unpacked(path) as f:
            data = bytearray(f.read())
    except (OSError, EOFError, zlib.error) as error:
        raise InvalidFile(f"{path}: cannot read it ({error})") from None
    return parse_idx(data, path, ndim)


def mnist_arrays(found):
    """((x_train, y_train), (x_test, y_test)) from {name: (path, unpacked bytes)} of the four files."""
    def part(images_name, labels_name):
        x = parse_idx(found[images_name][1], found[images_name][0], ndim=3)   # (N, 28, 28)
        y = parse_idx(found[labels_name][1], found[labels_name][0], ndim=1)   # (N,)
        if x.shape[1:] != IMAGE_SHAPE:
            raise InvalidFile(f"{found[images_name][0]}: images are {x.shape[1:]} pixels, "
                              f"expected {IMAGE_SHAPE}")
        if len(x) != len(y):
            raise InvalidFile(f"{found[images_name][0]} has {len(x)} images but {found[labels_name][0]} "
                              f"has {len(y)} labels")
        return x, y
    return (part("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
            part("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))


def find_present(data_dir, name, size, sha256):
    """Look for a copy already in data_dir, as name.gz or unpacked as name.

    Returns (path, unpacked bytes) of the first valid copy, or None, and a list of (path, fault) for the
    copies that are there but invalid.
    """
    invalid = []
    for path in (Path(data_dir) / (name + ".gz"), Path(data_dir) / name):
        if path.is_file():
            try:
                return (path, read_verified(path, size, sha256)), invalid
            except InvalidFile as fault:
                invalid.append((path, fault))
    return None, invalid


def how_to_fix(data_dir, digests):
    """The advice printed when MNIST cannot be had: other mirrors, a proxy, or placing the files by hand."""
    lines = ["To fix it, either:",
             "  - try other mirrors: --mirror URL (repeatable) or MNIST_MIRRORS=URL1,URL2",
             "    (a folder holding the files works too: --mirror file:///path/to/folder/);",
             "    behind a proxy, set https_proxy and http_proxy (e.g. http://proxy.example:3128);",
             f"  - or place the four files in {data_dir} by hand, gzipped (.gz) or unpacked",
             "    (same name without .gz); each is checked by its unpacked size and SHA-256:"]
    lines += [f"      {name + '.gz':<28}{size:>9} bytes unpacked, sha256 {sha256}"
              for name, (size, sha256) in digests.items()]
    return "\n".join(lines)


def load_mnist(data_dir, digests=MNIST_DIGESTS):
    """Load MNIST from data_dir without touching the network: ((x_train, y_train), (x_test, y_test)).

    All uint8, shaped (60000, 28, 28), (60000,), (10000, 28, 28), (10000,). Every file is checked by its
    SHA-256 as it is read (one pass per file). Raises MnistError naming what is missing or invalid.
    """
    found, problems = {}, []
    for name, (size, sha256) in digests.items():
        copy, invalid = find_present(data_dir, name, size, sha256)
        if copy:
            found[name] = copy
        else:
            problems += [f"  {path}: {fault}" for path, fault in invalid] or [f"  {name}.gz: not found"]
    if problems:
        raise MnistError(f"MNIST is not complete in {data_dir}:\n" + "\n".join(problems) + "\n"
                         f"Run `python 05_train_mnist.py --download-only --data-dir {data_dir}` "
                         "to download it.\n"
                         + how_to_fix(data_dir, digests))
    return mnist_arrays(found)


# --- Downloading ----------------------------------------------------------------------------------
class Progress:
    """One progress line per download: redrawn in place ('\\r') on a terminal, a few plain lines in a log."""

    def __init__(self, total, stream):
        self.total, self.stream = total, stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.shown = None if self.tty else 0      # in a log, skip the 0% line
        self.done = self.width = 0

    def text(self):
        if not self.total:
            return f"  {human_size(self.done)}"
        return f"  {human_size(self.done)} of {human_size(self.total)} ({100 * self.done // self.total}%)"

    def update(self, done):
        self.done = done
        if self.total:   # a terminal redraws at every percent, a log prints every quarter
            step = 100 * done // self.total if self.tty else 4 * done // self.total
        else:            # size unknown: every megabyte on a terminal, every 10 MB in a log
            step = done // (1 << 20) if self.tty else done // (10 << 20)
        if step != self.shown:
            self.shown = step
            text = self.text()
            self.width = max(self.width, len(text))    # pad, so a shorter text hides the longer one
            self.stream.write(("\r" + text.ljust(self.width)) if self.tty else (text + "\n"))
            self.stream.flush()

    def close(self):
        if self.tty and self.shown is not None:
            self.stream.write("\n")       # leave the last state on screen
        elif not self.tty and not self.total and self.done:
            self.stream.write(self.text() + "\n")
        self.stream.flush()


def describe(error, timeout):
    """A short reason for a network error, fit for one line."""
    reason = getattr(error, "reason", error)
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(reason, socket.timeout) or isinstance(error, socket.timeout):
        return f"no answer within {timeout} s (timed out)"
    if isinstance(error, http.client.IncompleteRead):
        return f"the connection closed early ({len(error.partial)} bytes, {error.expected} more expected)"
    return str(reason) or type(reason).__name__


def download(url, dest, limit, timeout, stream):
    """Copy `url` into the open binary file `dest`, showing progress.

    Raises MirrorFailed with a one-line reason when the network or the server lets us down, and
    MnistError when we cannot write (a full disk is no reason to try another mirror).
    """
    progress = None
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            total = int(length) if length.isdigit() else None
            if response.headers.get_content_type() == "text/html":
                raise MirrorFailed("the server sent an HTML page, not the file "
                                   "(a wrong URL, or a proxy's login page?)")
            if total is not None and total > limit:
                raise MirrorFailed(f"the server offers {total} bytes; this file cannot be more than {limit}")
            progress, done = Progress(total, stream), 0
            for chunk in iter(lambda: response.read(CHUNK), b""):
                done += len(chunk)
                if done > limit:
                    raise MirrorFailed(f"the server sent more than {limit} bytes; "
                                       "this file cannot be that big")
                try:
                    dest.write(chunk)
                except OSError as error:
                    raise MnistError(f"cannot write {dest.name}: {error}") from None
                progress.update(done)
            if total is not None and done < total:
                raise MirrorFailed(f"the connection closed early ({done} of {total} bytes)")
    except urllib.error.HTTPError as error:
        error.close()                     # it holds the connection open
        raise MirrorFailed(describe(error, timeout)) from None
    except (OSError, http.client.HTTPException, ValueError) as error:  # URLError is an OSError
        raise MirrorFailed(describe(error, timeout)) from None
    finally:
        if progress:
            progress.close()


def download_verified(url, name, size, sha256, data_dir, timeout, stream):
    """Download one file into data_dir and keep it only if its unpacked bytes verify.

    It is written to a temporary file in data_dir itself (the same file system, so the rename is atomic)
    and renamed to its final name only after its SHA-256 matches; whatever happens, including Ctrl-C,
    the temporary file is removed, so nothing partial or wrong is ever left under the final name.
    Returns (final path, unpacked bytes).
    """
    limit = size + size // 100 + (1 << 16)  # gzip can grow incompressible data only by a tiny fraction
    try:
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=f".{name}.", suffix=".part")
    except OSError as error:
        raise MnistError(f"cannot write in {data_dir}: {error}") from None
    try:
        with os.fdopen(fd, "wb") as dest:
            download(url, dest, limit, timeout, stream)
        try:
            unpacked = read_verified(tmp, size, sha256)
        except InvalidFile as fault:
            raise MirrorFailed(f"wrong content: {fault}") from None
        with open(tmp, "rb") as f:
            final = Path(data_dir) / (name + ".gz" if f.read(2) == b"\x1f\x8b" else name)
        os.chmod(tmp, 0o644)              # mkstemp makes it private; a data file needn't be
        os.replace(tmp, final)
        return final, unpacked
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def fetch(name, data_dir, mirrors, digests, timeout, stream):
    """Download `name`.gz from the first mirror that gives a verified copy.

    Returns (mirror, final path, unpacked bytes). When every mirror fails, raises MnistError listing each
    URL with its error and saying how to get the file another way.
    """
    size, sha256 = digests[name]
    failures = []
    for i, mirror in enumerate(mirrors):
        url = mirror + name + ".gz"
        print(f"{name}.gz from {mirror}", file=stream)
        try:
            path, unpacked = download_verified(url, name, size, sha256, data_dir, timeout, stream)
        except MirrorFailed as error:
            failures.append(f"  {url}: {error}")
            next_step = "trying the next mirror" if i + 1 < len(mirrors) else "no mirror left"
            print(f"  failed: {error}; {next_step}", file=stream)
            continue
        print(f"  verified: {size} bytes unpacked, sha256 {sha256[:16]}... as expected", file=stream)
        return mirror, path, unpacked
    raise MnistError(f"could not download {name}.gz from any mirror:\n" + "\n".join(failures) + "\n"
                     "Nothing was written under the final names.\n" + how_to_fix(data_dir, digests))


def prepare_data(data_dir, mirrors=None, digests=MNIST_DIGESTS, timeout=TIMEOUT, stream=None):
    """Make sure the four MNIST files are in data_dir and verified, download what is missing or invalid,
    and return the arrays as load_mnist does: ((x_train, y_train), (x_test, y_test)).

    Files already present and valid are used as they are (read and hashed once, no network at all).
    Once a mirror has worked, the remaining files try it first, so a dead mirror costs one timeout, not
    four. `mirrors` defaults to choose_mirrors() ($MNIST_MIRRORS, else DEFAULT_MIRRORS). Progress goes to
    `stream` (default: stdout). Raises MnistError when a file cannot be had.
    """
    stream = sys.stdout if stream is None else stream
    mirrors = choose_mirrors() if mirrors is None else mirrors
    data_dir, mirrors, found, announced = Path(data_dir), list(mirrors), {}, False
    for name, (size, sha256) in digests.items():
        copy, invalid = find_present(data_dir, name, size, sha256)
        for path, fault in invalid:
            print(f"{path} is not valid: {fault}; it will be replaced", file=stream)
        if copy is None:
            if not announced:
                print(f"Downloading MNIST into {data_dir}", file=stream)
                announced = True
            try:
                data_dir.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise MnistError(f"cannot create the data folder {data_dir}: {error}") from None
            mirror, final, unpacked = fetch(name, data_dir, mirrors, digests, timeout, stream)
            copy = (final, unpacked)
            mirrors.remove(mirror)
            mirrors.insert(0, mirror)
            for path, _ in invalid:       # an invalid unpacked copy would otherwise linger beside the .gz
                if path != final and path.exists():
                    path.unlink()
        found[name] = copy
    return mnist_arrays(found)


def print_data_summary(data, data_dir):
    (x_train, y_train), (x_test, y_test) = data
    print(f"MNIST is ready in {data_dir}: {len(x_train)} training and {len(x_test)} test images "
          f"of {x_train.shape[1]}x{x_train.shape[2]} pixels ({x_train.dtype})")


def main(argv=None):
    parser = make_parser(__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parent / "data",
                        help="folder for the MNIST files (default: data/ beside this script)")
    parser.add_argument("--mirror", action="append", metavar="URL",
                        help="base URL to download MNIST from; repeat to give several, tried in order "
                             "(default: $MNIST_MIRRORS, comma-separated, else three public mirrors)")
    parser.add_argument("--download-only", action="store_true",
                        help="fetch and verify the data, print a summary and stop")
    args = parser.parse_args(argv)
    try:
        data = prepare_data(args.data_dir, choose_mirrors(args.mirror))
    except MnistError as error:
        sys.exit(f"error: {error}")
    except KeyboardInterrupt:
        sys.exit("interrupted: nothing half-downloaded was kept")
    print_data_summary(data, args.data_dir)
    if args.download_only:
        return


if __name__ == "__main__":
    main()
