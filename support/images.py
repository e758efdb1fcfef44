"""Reading a picture file as grey levels.

read_image(path) returns float32 (H, W) in [0, 1], 0 = black, 1 = white, from a PNG (8- or 16-bit,
grey or colour, with or without transparency), a JPEG, or anything else matplotlib can open; the
path "-" reads standard input. It trusts the file's bytes, not its name: a JPEG saved as .png is
read as the JPEG it is.

What it promises: a file that cannot be used (missing, a folder, a device, a named pipe nothing
writes to, empty, not a picture, truncated, larger than MAX_PIXELS) is one ImageError whose
message names the problem and the fix, and a huge PNG is refused from its header, before it is
decoded into memory. Nothing waits for ever on a pipe that nothing writes to.
"""
import errno
import io
import os
import stat
import struct
import sys
import warnings
from pathlib import Path

import numpy as np

from support.figures import import_matplotlib

MAX_PIXELS = 16_000_000  # about 4000 x 4000: a 12-megapixel phone photo fits
MAX_FILE_BYTES = 100_000_000   # far more than any such photo takes, even unpacked
STANDARD_INPUT = "-"           # the name that reads the picture from standard input
NO_WAIT = getattr(os, "O_NONBLOCK", 0)   # opening a pipe: do not wait for a writer (not Windows)
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)   # how bright the eye finds R, G and B


class ImageError(Exception):
    """An image we cannot use; the message names the problem and the fix."""


def read_image(path):
    """Read an image file as grey levels: float32 (H, W) in [0, 1], 0 = black, 1 = white.

    Colour becomes brightness with the usual luma weights (the eye finds green brightest, blue
    darkest). Transparency is painted onto white paper, alpha * colour + (1 - alpha) * 1: in a
    drawing program a transparent background means "paper".
    """
    image = decode_image(path)
    if image.shape[0] * image.shape[1] > MAX_PIXELS:
        raise too_large_error(f"{image.shape[1]} x {image.shape[0]} pixels")
    # JPEG and others arrive as 0..255; PNGs arrive as floats already (16-bit ones too, / 65535)
    if np.issubdtype(image.dtype, np.integer):
        image = image / np.iinfo(image.dtype).max
    image = image.astype(np.float32)
    if image.ndim == 3 and image.shape[2] in (2, 4):            # grey or RGB, plus alpha
        alpha = image[..., -1:]
        image = alpha * image[..., :-1] + (1 - alpha)           # (H, W, C) on white paper
    if image.ndim == 3:
        # (H, W, 3) @ (3,) -> (H, W)
        image = image @ LUMA if image.shape[2] == 3 else image[..., 0]
    return image


def decode_image(path):
    """matplotlib.image.imread, with every way it can fail turned into one ImageError (but for an
    MPLBACKEND that matplotlib does not know, which stops the run with one line).

    Decoding is what needs the memory (a PNG comes back as float32 RGBA, 16 bytes a pixel), so a
    huge PNG is refused before: its first 24 bytes are an 8-byte signature, then the IHDR chunk's
    length, "IHDR", width and height (big-endian 32-bit). Other formats are measured after decoding,
    except enormous ones, which Pillow (matplotlib's decoder) flags as a "decompression bomb" before
    decoding.
    """
    import_matplotlib()          # a backend matplotlib does not know stops here with one line
    import matplotlib.image
    data = read_standard_input() if str(path) == STANDARD_INPUT else read_file(Path(path))
    if len(data) > MAX_FILE_BYTES:
        raise ImageError(f"it holds more than {MAX_FILE_BYTES // 10**6} MB (or never ends, like "
                         "<(yes)): too much for a picture of one digit; save a smaller picture")
    if not data:
        raise ImageError("the file is empty; save the picture again")
    head = data[:24]
    is_png = head[:8] == b"\x89PNG\r\n\x1a\n"
    if is_png and head[12:16] == b"IHDR" and len(head) == 24:
        width, height = struct.unpack(">II", head[16:24])
        if width * height > MAX_PIXELS:
            raise too_large_error(f"{width} x {height} pixels")
    try:
        with warnings.catch_warnings():
            # Pillow's "decompression bomb" warning becomes an error: refuse, don't decode
            warnings.filterwarnings("error", message=".*decompression bomb")
            # imread picks its reader from the file name; we trust the bytes (a ".png" may hold a
            # JPEG): "png" forces its PNG reader, any other format name hands the file to Pillow,
            # which detects it
            return matplotlib.image.imread(io.BytesIO(data), format="png" if is_png else "detect")
    except Exception as error:  # Pillow and matplotlib raise many types; all mean "cannot use it"
        if "DecompressionBomb" in type(error).__name__:
            raise too_large_error("the image") from None
        kind = image_kind(head)
        if kind:
            raise ImageError(f"it starts like a {kind} file but cannot be decoded: truncated or "
                             "damaged; save or copy it again") from None
        raise ImageError("not an image (it starts like no PNG, JPEG, GIF, BMP or TIFF file); "
                         "save it as PNG or JPEG") from None


def read_file(path):
    """The first MAX_FILE_BYTES + 1 bytes of a picture file, or of a pipe something writes to
    (bash's <(...)); anything else (a folder, a device, a pipe nothing writes to) is an ImageError.

    The file is opened without waiting (O_NONBLOCK): opening a named pipe that nothing writes to
    would otherwise wait for a writer, for ever. What was opened is then judged by its own fstat,
    so a file swapped for something else in between is judged as what was opened.
    """
    try:
        if path.is_dir():
            raise ImageError("this is a folder, not an image file; name the image files inside it")
        if not path.exists():
            raise ImageError("no such file; check the path")
        kind = file_kind(os.stat(path).st_mode)
        if kind:                  # a socket cannot even be opened: say what it is first
            raise not_a_file_error(kind)
        with open(path, "rb", buffering=0, opener=open_without_waiting) as f:
            mode = os.fstat(f.fileno()).st_mode
            if file_kind(mode):
                raise not_a_file_error(file_kind(mode))
            data = bytes_in_pipe(f.fileno()) if stat.S_ISFIFO(mode) else b""
            if NO_WAIT:
                os.set_blocking(f.fileno(), True)   # from here on, wait for the writer's bytes
            return data + read_at_most(f, MAX_FILE_BYTES + 1 - len(data))
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            raise ImageError("the file name is longer than the file system allows; check the "
                             "path") from None
        raise ImageError(f"cannot read it ({error.strerror or error}); check its permissions"
                         ) from None


def open_without_waiting(path, flags):
    """os.open for open()'s opener: O_NONBLOCK added, where the system has it."""
    return os.open(path, flags | NO_WAIT)


def bytes_in_pipe(fd):
    """What a pipe opened without waiting holds already: b"" when a writer is there but has
    written nothing yet, an ImageError when nothing writes to it (nothing ever will)."""
    try:
        data = os.read(fd, 1 << 16)
    except BlockingIOError:                        # a writer, and no bytes yet
        return b""
    if not data:
        raise ImageError("this is a named pipe (FIFO) that nothing writes to; give an image "
                         "file, or - and pipe the picture into standard input")
    return data


def read_at_most(f, n):
    """Up to n bytes of the binary file f: fewer only at its end."""
    chunks = []
    while n > 0:
        chunk = f.read(min(n, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def file_kind(mode):
    """What a file of this st_mode is when it is neither a regular file nor a pipe ("a character
    device", say), or None for those two, which hold a picture's bytes."""
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return None
    kinds = [(stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")]
    return next((kind for test, kind in kinds if test(mode)), "a special file")


def not_a_file_error(kind):
    """The ImageError for what is neither a file nor a pipe: a device, a socket."""
    return ImageError(f"this is {kind}, not an image file; give a picture file, or - and pipe the "
                      "picture into standard input")


def read_standard_input():
    """The first MAX_FILE_BYTES + 1 bytes of standard input, for --predict -."""
    stdin = sys.stdin
    if stdin is None:
        raise ImageError("standard input is closed; pipe a picture into it (--predict - < "
                         "digit.png), or name the image file")
    if stdin.isatty():
        raise ImageError("standard input is a terminal, not a picture; pipe one into it "
                         "(--predict - < digit.png), or name the image file")
    return read_at_most(stdin.buffer, MAX_FILE_BYTES + 1)


def too_large_error(what):
    """The ImageError for a picture with more than MAX_PIXELS pixels."""
    return ImageError(f"{what} is too large to read sensibly; shrink it below "
                      f"{MAX_PIXELS // 1_000_000} megapixels (the network only looks at 20 x 20 "
                      "anyway)")


def image_kind(head):
    """The image format the first bytes of a file announce, or None."""
    signatures = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF8": "GIF",
                  b"BM": "BMP", b"II*\x00": "TIFF", b"MM\x00*": "TIFF"}
    return next((kind for magic, kind in signatures.items() if head.startswith(magic)), None)
