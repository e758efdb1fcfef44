"""The four MNIST files: where they are, downloading what is missing, loading them.

    (x_train, y_train), (x_test, y_test) = load_mnist("data")             # never the network
    (x_train, y_train), (x_test, y_test) = download_missing_and_load("data")

Both return uint8 arrays shaped (60000, 28, 28), (60000,), (10000, 28, 28) and (10000,). A file is
accepted by the SHA-256 of its *unpacked* bytes (MNIST_DIGESTS), so the official .gz, a
re-compressed .gz and an unpacked copy placed by hand all pass, and a truncated download, a proxy's
login page or a different file never does. Files already present and valid are used as they are,
with no network at all; mirrors are tried in order, each file falling back to the next one.

What it promises: nothing half-written or wrong is ever left under a final name (support/download.py
writes to a temporary file and renames it only once it verifies); an invalid copy is reported and
replaced, or removed when a valid copy sits beside it; no folder is ever deleted, but for an empty
one this run made for the data and then could not fill. Anything that stops us getting MNIST is one
MnistError whose message says what went wrong and how to fix it: other mirrors, a proxy, or the four
files placed by hand, each with its size and SHA-256.
"""
import errno
import os
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from support.download import (TIMEOUT, CannotWrite, MirrorFailed, space_advice,
                              download_file_verified, remove_abandoned_parts)
from support.idx import InvalidFile, parse_idx, read_verified
from support.lifecycle import Fatal
from support.preflight import name_too_long

MNIST_DIGESTS = {  # name of the unpacked file -> (its size in bytes, SHA-256 of its bytes)
    "train-images-idx3-ubyte":
        (47040016, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    "train-labels-idx1-ubyte":
        (60008, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    "t10k-images-idx3-ubyte":
        (7840016, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    "t10k-labels-idx1-ubyte":
        (10008, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}
DEFAULT_MIRRORS = [  # tried in this order; each file falls back to the next one on any failure
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]
# MNIST's geometry, said here once: every image is 28 x 28 grey pixels, every label one of the ten
# digits 0 to 9. Whatever else needs either (the lessons, the figures, your own digits) imports it.
IMAGE_SHAPE = (28, 28)
N_CLASSES = 10


class MnistError(Fatal):
    """Anything that stops us getting MNIST. The message says what went wrong and how to fix it."""


def download_missing_and_load(data_dir, mirrors=None, digests=MNIST_DIGESTS, timeout=TIMEOUT,
                              stream=None):
    """Make sure the four MNIST files are in data_dir and verified, download what is missing or
    invalid, and return the arrays as load_mnist does: ((x_train, y_train), (x_test, y_test)).

    Once a mirror has worked, the remaining files try it first, so a dead mirror costs one timeout,
    not four. `mirrors` goes through choose_mirrors (default: $MNIST_MIRRORS, else
    DEFAULT_MIRRORS) only when a download is needed, so a bad setting never stops a run that
    needs none. Progress goes to `stream` (default: stdout).
    """
    stream = sys.stdout if stream is None else stream
    data_dir = Path(data_dir).expanduser()
    problem = folder_problem(data_dir)
    if problem:
        raise MnistError(problem)
    remove_abandoned_parts(data_dir, digests, stream)
    created = [folder for folder in (data_dir, *data_dir.parents) if not folder.exists()]
    try:
        return find_or_download(data_dir, mirrors, digests, timeout, stream)
    except BaseException:                 # Ctrl-C too: a failed run leaves no empty folder behind
        for folder in created:            # the deepest first; only those we made, and empty
            try:
                folder.rmdir()
            except OSError:
                break
        raise


def find_or_download(data_dir, mirrors, digests, timeout, stream):
    """download_missing_and_load's work, once data_dir has passed its checks."""
    found, to_try = {}, None
    for name, (size, sha256) in digests.items():
        copy, invalid = find_present(data_dir, name, size, sha256)
        for path, fault in invalid:
            if copy:                      # never used while the valid copy is there
                print(f"{path} is not valid: {fault}; {remove_invalid_copy(path, copy[0])}",
                      file=stream)
                continue
            if path.is_dir():             # we never delete a folder, nor put a file there
                raise MnistError(f"{path} is a folder where the file belongs; move or remove it, "
                                 "or choose another folder with --data-dir")
            print(f"{path} is not valid: {fault}; it will be replaced", file=stream)
        if copy is None:
            if to_try is None:
                to_try = choose_mirrors(mirrors)
                print(f"Downloading MNIST into {data_dir}", file=stream)
            try:
                data_dir.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise MnistError(cannot_create(data_dir, error)) from None
            mirror, final, unpacked = download_from_mirrors(name, data_dir, to_try, digests,
                                                            timeout, stream)
            copy = (final, unpacked)
            to_try.remove(mirror)
            to_try.insert(0, mirror)
            for path, _ in invalid:   # else an invalid unpacked copy would linger beside the .gz
                if path != final and path.exists():
                    path.unlink()
        found[name] = copy
    return mnist_arrays(found)


def print_summary(data, data_dir):
    """One line saying what was loaded from where."""
    (x_train, y_train), (x_test, y_test) = data
    print(f"MNIST is ready in {data_dir}: {len(x_train)} training and {len(x_test)} test images "
          f"of {x_train.shape[1]}x{x_train.shape[2]} pixels ({x_train.dtype})")


def choose_mirrors(cli_mirrors=None, environ=None):
    """The base URLs to try, in order: --mirror flags, else $MNIST_MIRRORS (comma-separated), else
    the defaults."""
    environ = os.environ if environ is None else environ
    from_env = [url.strip() for url in environ.get("MNIST_MIRRORS", "").split(",") if url.strip()]
    mirrors = cli_mirrors or from_env or DEFAULT_MIRRORS
    for url in mirrors:
        if "://" not in url:
            raise MnistError(f"mirror {url!r} is not a URL; give a base URL such as "
                             f"{DEFAULT_MIRRORS[0]} (a local folder works as "
                             "file:///path/to/folder/)")
        try:
            parts = urllib.parse.urlsplit(url)
        except ValueError as error:               # "Invalid IPv6 URL": a [ without its ]
            raise MnistError(f"mirror {url!r} is not a valid URL ({error}); give a base URL "
                             f"such as {DEFAULT_MIRRORS[0]} (an IPv6 address goes in brackets: "
                             "http://[::1]:8000/)") from None
        # In file://relative/dir the word after the two slashes is a host, as in http://, and
        # urllib silently drops it ("/dir"). We refuse it rather than read it as a folder: every
        # other tool reads it as a host, and file://localhost/dir already means /dir.
        if parts.scheme.lower() == "file" and parts.netloc not in ("", "localhost"):
            folder = Path(urllib.request.url2pathname(parts.netloc + parts.path)).absolute()
            raise MnistError(f"mirror {url!r} names a host, {parts.netloc!r}, not a folder: a "
                             "file:// URL takes the folder's absolute path, three slashes in "
                             f"all; for the folder {parts.netloc + parts.path} here, give "
                             f"{folder.as_uri()}/")
    return [url if url.endswith("/") else url + "/" for url in mirrors]


def load_mnist(data_dir, digests=MNIST_DIGESTS):
    """Load MNIST from data_dir without touching the network:
    ((x_train, y_train), (x_test, y_test)).

    Every file is checked by its SHA-256 as it is read (one pass per file). Raises MnistError
    naming what is missing or invalid. A leading ~ is the home folder, as in a shell.
    """
    data_dir = Path(data_dir).expanduser()
    problem = folder_problem(data_dir)
    if problem:
        raise MnistError(problem)
    found, problems = {}, []
    for name, (size, sha256) in digests.items():
        copy, invalid = find_present(data_dir, name, size, sha256)
        if copy:
            found[name] = copy
        else:
            problems += ([f"  {path}: {fault}" for path, fault in invalid]
                         or [f"  {name}.gz: not found"])
    if problems:
        raise MnistError(f"MNIST is not complete in {data_dir}:\n" + "\n".join(problems) + "\n"
                         f"Run `python 05_train_mnist.py --download-only --data-dir {data_dir}` "
                         "to download it.\n"
                         + how_to_fix(data_dir, digests))
    return mnist_arrays(found)


def folder_problem(folder):
    """Why `folder` cannot hold the data (a file, a broken link, no permission, a name too long),
    and what to do.

    A folder that does not exist yet is no problem: the download creates it. Reading a folder's
    list of names needs its r permission, but looking at anything in it (even asking whether a
    name there is a folder) needs its x, "search", permission: a folder made chmod 644 can be
    listed and nothing in it opened. So both are tried here, once, before any file is looked at.
    """
    instead = "choose another folder with --data-dir"
    too_long = name_too_long(folder, nearest_reachable(folder))
    if too_long:                  # else the system says only "File name too long", not which
        return f"--data-dir {folder}: {too_long}; choose a shorter name"
    refused = None
    for path in (folder, *folder.parents):     # the first of them that exists must be a folder
        try:
            if path.is_symlink() and not path.exists():
                return (f"{path} is a symbolic link that leads to no folder (a loop, or a missing "
                        f"target); {instead}")
            if not path.exists():
                continue
        except PermissionError as error:       # the folder holding `path` cannot be searched
            refused = error
            continue
        except OSError as error:
            return f"cannot use the data folder {folder}: {error.strerror or error}; {instead}"
        if not path.is_dir():
            return f"{path} is a file, not a folder; {instead}"
        if refused:                            # `path` is reachable, what is inside it is not
            return (f"cannot reach the data folder {folder}: {path} cannot be searched "
                    f"({refused.strerror}); give yourself access to it (chmod u+x {path}) or "
                    f"{instead}")
        break
    if path != folder:
        return None                            # not there yet: the download creates it

    def no_access(error, listed=""):
        return (f"cannot read the data folder {folder}{listed}: {error.strerror or error}; "
                f"give yourself access to it (chmod u+rwx {folder}) or {instead}")
    try:
        os.listdir(folder)                     # needs the folder's r permission...
    except FileNotFoundError:
        return None                            # removed meanwhile: the download creates it
    except OSError as error:
        return no_access(error)
    try:
        os.lstat(os.path.join(folder, ".no-such-name"))    # ...looking inside it needs its x
    except FileNotFoundError:
        return None                            # as it should be: we may look, and it is not there
    except OSError as error:
        return no_access(error, " (its names can be listed, but nothing in it opened)")
    return None


def nearest_reachable(folder):
    """The nearest of `folder` and the folders above it that exists and can be looked at (else
    the root): where its names are judged too long or not."""
    for path in (folder, *folder.parents):
        try:
            if path.is_dir():
                return path
        except OSError:
            pass
    return Path(folder.anchor or ".")


def cannot_create(data_dir, error):
    """The message for a data folder that mkdir could not create: where, why, what to do."""
    reason = error.strerror or str(error)
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        parent = nearest_reachable(data_dir)
        return (f"cannot create the data folder {data_dir}: {parent} is not writable ({reason}); "
                "choose a folder you can write in with --data-dir")
    return (f"cannot create the data folder {data_dir}: {reason}; {space_advice(error)}choose "
            "another folder with --data-dir")


def remove_invalid_copy(path, valid):
    """Remove an invalid copy that the valid copy `valid` makes useless (else it would be reported
    on every run); returns what was done, for the message. A folder is left alone."""
    if path.is_dir():
        return f"ignored; the valid {valid} is used"
    try:
        path.unlink()
    except OSError as error:
        return f"the valid {valid} is used (cannot remove it: {error.strerror or error})"
    return f"removed it; the valid {valid} is used"


def find_present(data_dir, name, size, sha256):
    """Look for a copy already in data_dir, as name.gz or unpacked as name.

    Returns (path, unpacked bytes) of the first valid copy, or None, and a list of (path, fault) for
    the copies that are there but invalid.
    """
    invalid = []
    for path in (Path(data_dir) / (name + ".gz"), Path(data_dir) / name):
        if path.is_dir():
            invalid.append((path, InvalidFile("it is a folder, not a file")))
        elif path.is_file():
            try:
                return (path, read_verified(path, size, sha256)), invalid
            except InvalidFile as fault:
                invalid.append((path, fault))
    return None, invalid


def mnist_arrays(found):
    """((x_train, y_train), (x_test, y_test)) from {name: (path, unpacked bytes)} of the four
    files; MnistError if they are not MNIST-shaped or do not fit together."""
    def part(images_name, labels_name):
        (images_path, images), (labels_path, labels) = found[images_name], found[labels_name]
        x = parse_idx(images, images_path, ndim=3)                           # (N, 28, 28)
        y = parse_idx(labels, labels_path, ndim=1)                           # (N,)
        if x.shape[1:] != IMAGE_SHAPE:
            raise InvalidFile(f"{images_path}: images are {x.shape[1:]} pixels, expected "
                              f"{IMAGE_SHAPE}")
        if len(x) != len(y):
            raise InvalidFile(f"{images_path} has {len(x)} images but {labels_path} has {len(y)} "
                              "labels")
        return x, y
    try:
        return (part("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
                part("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))
    except InvalidFile as fault:
        raise MnistError(str(fault)) from None


def how_to_fix(data_dir, digests):
    """The advice printed when MNIST cannot be had: other mirrors, a proxy, or placing the files by
    hand."""
    lines = ["To fix it, either:",
             "  - try other mirrors: --mirror URL (repeatable) or MNIST_MIRRORS=URL1,URL2",
             "    (a folder holding the files works too: --mirror file:///path/to/folder/);",
             "    behind a proxy, set https_proxy and http_proxy (e.g. http://proxy.example:3128);",
             f"  - or place the four files in {data_dir} by hand, gzipped (.gz) or unpacked",
             "    (same name without .gz); each is checked by its unpacked size and SHA-256:"]
    lines += [f"      {name + '.gz':<28}{size:>9} bytes unpacked, sha256 {sha256}"
              for name, (size, sha256) in digests.items()]
    return "\n".join(lines)


def download_from_mirrors(name, data_dir, mirrors, digests, timeout, stream):
    """Download `name`.gz from the first mirror that gives a verified copy.

    Returns (mirror, final path, unpacked bytes). When every mirror fails, raises MnistError listing
    each URL with its error and saying how to get the file another way.
    """
    size, sha256 = digests[name]
    max_bytes = size + size // 100 + (1 << 16)   # gzip grows incompressible data only a little
    failures = []
    for i, mirror in enumerate(mirrors):
        url = file_url(mirror, name)
        print(f"{url[len(mirror):]} from {mirror}", file=stream)
        try:
            path, unpacked = download_file_verified(
                url, name, data_dir, lambda path: read_verified(path, size, sha256), max_bytes,
                timeout, stream)
        except CannotWrite as error:
            raise MnistError(str(error)) from None
        except MirrorFailed as error:
            failures.append(f"  {url}: {error}")
            next_step = "trying the next mirror" if i + 1 < len(mirrors) else "no mirror left"
            print(f"  failed: {error}; {next_step}", file=stream)
            continue
        print(f"  verified: {size} bytes unpacked, sha256 {sha256[:16]}... as expected",
              file=stream)
        return mirror, path, unpacked
    raise MnistError(f"could not download {name}.gz from any mirror:\n" + "\n".join(failures) + "\n"
                     "Nothing was written under the final names.\n" + how_to_fix(data_dir, digests))


def file_url(mirror, name):
    """The URL of `name` on a mirror: name.gz, or name itself in a local folder (file://) that holds
    only the unpacked file."""
    if mirror.lower().startswith("file:"):
        folder = Path(urllib.request.url2pathname(urllib.parse.urlparse(mirror).path))
        if not (folder / (name + ".gz")).exists() and (folder / name).is_file():
            return mirror + name
    return mirror + name + ".gz"
