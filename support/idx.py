"""The IDX file format of MNIST, and checking a file by its size and SHA-256.

An IDX file is two zero bytes, one byte for the element type (0x08 = unsigned byte, the only type
MNIST uses), one byte for the number of dimensions d, then d sizes as big-endian 32-bit integers,
then the elements, last dimension fastest. MNIST's files are IDX files, usually gzipped.

What it promises: read_verified returns a file's unpacked bytes only if they are exactly the size
expected and have the SHA-256 expected, and it never unpacks more than one byte past that size, so
a wrong file cannot make it use more memory; parse_idx turns verified bytes into an array without
copying them. Any fault (not gzip, truncated, an HTML page, a different file, not IDX, padded, the
wrong number of dimensions) is one InvalidFile whose message names it.
"""
import gzip
import hashlib
import math
import struct
import zlib

import numpy as np


class InvalidFile(ValueError):
    """A file's content is not the file it should be; the message names the fault."""


def read_verified(path, size, sha256):
    """The unpacked bytes of `path`, if they are exactly `size` bytes with this SHA-256; else
    InvalidFile.

    The bytes go straight into one buffer of the expected size, read once and hashed once, and
    reading stops one byte past it. A bytearray (not bytes), so the arrays made from it are
    ordinary writable arrays.
    """
    buffer, got = bytearray(size), 0
    try:
        with open_unpacked(path) as f, memoryview(buffer) as view:
            while got < size:                 # a megabyte at a time keeps the extra memory small
                n = f.readinto(view[got:got + (1 << 20)])
                if not n:
                    break
                got += n
            extra = f.read(1)                 # also makes gzip check its CRC trailer
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise InvalidFile(f"the gzip data is truncated or corrupt ({error})") from None
    except OSError as error:
        raise InvalidFile(f"cannot read it ({error})") from None
    if buffer[:1] == b"<":
        raise InvalidFile("it is an HTML or XML page (an error page, or a proxy's login page?), "
                          "not MNIST data")
    if got < size or extra:
        raise InvalidFile(wrong_size(buffer[:got], size, cut_short=got < size))
    digest = hashlib.sha256(buffer).hexdigest()
    if digest != sha256:
        raise InvalidFile(f"its SHA-256 is {digest[:16]}..., expected {sha256[:16]}... "
                          "(damaged, or a different file)")
    return buffer


def wrong_size(data, size, cut_short):
    """Why `data` is not the `size` bytes expected, read from its IDX header where it has one."""
    amount = (f"{len(data)} bytes unpacked, {size} expected" if cut_short
              else f"more than the {size} bytes expected unpacked")
    try:
        shape, header = read_header(data)
    except InvalidFile:
        return f"it has {amount} ({'a truncated file?' if cut_short else 'a different file?'})"
    if cut_short and header + math.prod(shape) > len(data):
        return f"it has {amount}: a truncated file (its header says {in_words(shape)})"
    return f"it has {amount}, and its header says {in_words(shape)}: another MNIST file under " \
           "this name?"


def open_unpacked(path):
    """Open a file for reading its IDX bytes, unpacking it on the fly if it is gzipped.

    We look at the first two bytes (gzip files start with 1f 8b), not at the name, so an unpacked
    file that happens to be called .gz still works.
    """
    return gzip.open(path, "rb") if is_gzipped(path) else open(path, "rb")


def is_gzipped(path):
    """Whether the file starts as every gzip file does, with the bytes 1f 8b."""
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def read_header(data):
    """(shape, header size in bytes) from the IDX header at the start of `data`; InvalidFile if
    there is none."""
    head = bytes(data[:4])
    if len(head) < 4 or head[:3] != b"\x00\x00\x08":
        raise InvalidFile(f"not an IDX file of unsigned bytes: it starts with "
                          f"{head.hex(' ') or 'nothing'}, expected 00 00 08 then the number of "
                          "dimensions")
    header = 4 + 4 * head[3]
    if len(data) < header:
        raise InvalidFile(f"the header is cut short ({len(data)} bytes, {header} needed)")
    return struct.unpack(f">{head[3]}I", bytes(data[4:header])), header


def in_words(shape):
    """What an IDX shape holds, in MNIST's words: "60000 labels", "10000 images of 28x28"."""
    if len(shape) == 1:
        return f"{shape[0]} labels"
    if len(shape) == 3:
        return f"{shape[0]} images of {shape[1]}x{shape[2]}"
    return f"an array of shape {shape}"


def parse_idx(data, source, ndim=None):
    """Turn the bytes of an IDX file into a uint8 array that shares their memory (no copy).

    Everything is checked, so a truncated, padded or mislabelled file gives an InvalidFile naming
    `source` and the fault, never a NumPy reshape error.
    """
    try:
        shape, header = read_header(data)
    except InvalidFile as fault:
        raise InvalidFile(f"{source}: {fault}") from None
    if ndim is not None and len(shape) != ndim:
        raise InvalidFile(f"{source}: has {len(shape)} dimensions, expected {ndim}; is the right "
                          "file under this name?")
    expected = header + math.prod(shape)
    if len(data) != expected:
        fault = "truncated" if len(data) < expected else "padded with extra bytes"
        raise InvalidFile(f"{source}: is {len(data)} bytes, but its header (shape {shape}) means "
                          f"{expected}: the file is {fault}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)
