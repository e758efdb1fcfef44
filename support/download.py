"""Fetching one file over the network into a folder, verified before it gets its name.

download_file_verified(url, ...) copies a URL (http, https, or file:// for a folder on disk) into
a temporary file in the destination folder, checks what arrived with the caller's `verify`, and only
then renames it to its final name. Progress shows on a terminal as one redrawn line, in a log as a
few plain lines, and at least every PROGRESS_EVERY seconds however slowly the bytes come.

What it promises: nothing half-written or wrong is ever left under a final name. Whatever happens,
Ctrl-C included, the temporary file is removed; a run killed outright (SIGKILL, a power cut) leaves
one behind, which remove_abandoned_parts clears once nobody has written to it for STALE_PART_AGE
seconds. A server that lets us down (refused, 404, an HTML page, a cut connection, no answer, a
mirror slower than MIN_RATE over RATE_WINDOW seconds) is one MirrorFailed with a one-line reason,
so the caller can try the next mirror; a folder we cannot write to is one CannotWrite.
"""
import errno
import http.client
import os
import secrets
import socket
import ssl
import time
import urllib.error
import urllib.request
from pathlib import Path

from support.idx import is_gzipped

TIMEOUT = 30          # seconds to wait for a connection, then for each read, before the next mirror
CHUNK = 1 << 16       # bytes read from the network at a time, at most
MIN_RATE = 1024       # bytes a second, averaged over RATE_WINDOW seconds: a slower mirror is
RATE_WINDOW = 60      # dropped for the next one (a whole-file deadline would drop slow proxies)
PROGRESS_EVERY = 10   # seconds: a progress line at least this often, however slowly the bytes come
STALE_PART_AGE = 3600  # seconds: a partial download untouched this long was abandoned by its run
NO_SPACE = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))  # a full disk, a full quota
# What OpenSSL says when the answer to its TLS greeting is not TLS at all: a plain-HTTP server
# answering "HTTP/1.0 400" (the name depends on the OpenSSL version).
NOT_TLS = {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"}


class MirrorFailed(Exception):
    """One download attempt failed (network, server or content); the next mirror may still work."""


class CannotWrite(Exception):
    """The destination folder cannot take the file (a full disk, no permission): no other mirror
    will help. The message names the folder, the reason and what to do."""


def download_file_verified(url, name, folder, verify, max_bytes, timeout, stream):
    """Download `url` into `folder` and keep it only if verify(path) accepts what arrived.

    `verify(path)` returns what the caller wants of the file (its unpacked bytes, say) or raises
    ValueError naming what is wrong. The file is written to a temporary file in `folder` itself
    (the same file system, so the rename is atomic) and renamed only after it verifies: to
    `name` + ".gz" if what arrived is gzipped, else to `name`. Returns (final path, what verify
    returned).
    """
    try:
        fd, tmp = create_part_file(folder, name)
    except OSError as error:
        raise CannotWrite(cannot_write(folder, error)) from None
    try:
        try:
            with os.fdopen(fd, "wb") as dest:     # closing writes what is buffered: it can fail too
                copy_url_to_file(url, dest, max_bytes, timeout, stream)
        except OSError as error:
            raise CannotWrite(cannot_write(folder, error)) from None
        try:
            checked = verify(tmp)
        except ValueError as fault:
            raise MirrorFailed(f"wrong content: {fault}") from None
        final = Path(folder) / (name + ".gz" if is_gzipped(tmp) else name)
        try:
            os.replace(tmp, final)
        except OSError as error:
            raise CannotWrite(f"cannot put the download in place as {final}: "
                              f"{error.strerror or error}") from None
        return final, checked
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def create_part_file(folder, name):
    """(file descriptor, path) of a new temporary file .NAME.xxxxxxxx.part in folder, open for
    writing. It is created with the mode any new file of the user gets (0o666 less the umask:
    0644 under the usual umask 022), which the final file keeps: tempfile.mkstemp would make it
    0600, readable by its owner alone. O_EXCL makes the name ours alone; another run's file of
    the same name makes us draw another."""
    while True:
        path = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.part")
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                           | getattr(os, "O_BINARY", 0), 0o666), path
        except FileExistsError:
            continue


def cannot_write(folder, error):
    """The message for a failed write in `folder`: the folder and the reason, and what to do."""
    return (f"cannot write in {folder}: {error.strerror or error}; "
            f"{space_advice(error)}choose another folder with --data-dir")


def space_advice(error):
    """"free some space there, or " when the OSError says the disk or the quota is full, else ""."""
    return "free some space there, or " if error.errno in NO_SPACE else ""


class WriteFailed(Exception):
    """Writing to the destination failed; it holds the OSError. Not a reason to try another
    mirror."""


def copy_url_to_file(url, dest, max_bytes, timeout, stream):
    """Copy `url` into the open binary file `dest`, showing progress.

    Raises MirrorFailed with a one-line reason when the network or the server lets us down (a mirror
    too slow to be worth waiting for included), and the OSError itself when we cannot write.
    """
    progress = None
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            total = int(length) if length.isdigit() else None
            if response.headers.get_content_type() == "text/html":
                raise MirrorFailed("the server sent an HTML page, not the file "
                                   "(a wrong URL, or a proxy's login page?)")
            if total is not None and total > max_bytes:
                raise MirrorFailed(f"the server offers {total} bytes; this file cannot be more "
                                   f"than {max_bytes}")
            progress, done = Progress(total, stream), 0
            # read(CHUNK) would wait for all CHUNK bytes; read1 returns whatever has arrived, so
            # a slow mirror shows progress and is measured. A byte a second never trips the per-read
            # timeout: we also require MIN_RATE over every window of RATE_WINDOW seconds.
            read = getattr(response, "read1", response.read)
            window_start, window_done = time.monotonic(), 0
            for chunk in iter(lambda: read(CHUNK), b""):
                done += len(chunk)
                if done > max_bytes:
                    raise MirrorFailed(f"the server sent more than {max_bytes} bytes; "
                                       "this file cannot be that big")
                try:
                    dest.write(chunk)
                except OSError as error:
                    raise WriteFailed(error) from None
                progress.update(done)
                elapsed = time.monotonic() - window_start
                if elapsed >= RATE_WINDOW:
                    got = done - window_done
                    if got < MIN_RATE * elapsed:
                        raise MirrorFailed(f"too slow: {human_size(got)} in {elapsed:.1f} s "
                                           f"({got / elapsed:.0f} bytes/s, at least {MIN_RATE} "
                                           "needed)")
                    window_start, window_done = window_start + elapsed, done
            if total is not None and done < total:
                raise MirrorFailed(f"the connection closed early ({done} of {total} bytes)")
    except WriteFailed as failed:
        raise failed.args[0] from None
    except urllib.error.HTTPError as error:
        error.close()                     # it holds the connection open
        raise MirrorFailed(network_error_reason(error, timeout)) from None
    except (OSError, http.client.HTTPException, ValueError) as error:  # URLError is an OSError
        raise MirrorFailed(network_error_reason(error, timeout)) from None
    finally:
        if progress:
            progress.close()


def network_error_reason(error, timeout):
    """A short reason for a network error, fit for one line."""
    reason = getattr(error, "reason", error)
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(reason, socket.timeout) or isinstance(error, socket.timeout):
        return f"no answer within {timeout} s (timed out)"
    tls = reason if isinstance(reason, ssl.SSLError) else error    # wrapped in a URLError, or not
    if isinstance(tls, ssl.SSLError) and tls.reason in NOT_TLS:
        return ("the server does not speak HTTPS there (its answer to the TLS greeting was not "
                "TLS); if it is a plain-HTTP server, give the URL with http:// instead")
    if isinstance(error, http.client.IncompleteRead):
        return (f"the connection closed early ({len(error.partial)} bytes, {error.expected} more "
                "expected)")
    return str(reason) or type(reason).__name__


def remove_abandoned_parts(folder, names, stream):
    """Remove our partial downloads (.NAME.xxxxxxxx.part) left by runs killed
    outright (SIGKILL, a power cut). A live download writes to its file at least every RATE_WINDOW
    seconds or gives up, so one untouched for STALE_PART_AGE seconds is nobody's; a younger one may
    be another run's."""
    for name in names:
        for path in Path(folder).glob(f".{name}.*.part"):
            age = remove_if_abandoned(path)
            if age is not None:
                print(f"removed {path}, a partial download abandoned {age / 3600:.1f} hours ago",
                      file=stream)


def remove_if_abandoned(path):
    """Remove `path` if nobody has written to it for STALE_PART_AGE seconds, and return its age in
    seconds; None if it is younger, or gone, or not ours to remove."""
    try:
        age = time.time() - path.stat().st_mtime
        if age > STALE_PART_AGE:
            path.unlink()
            return age
    except OSError:
        pass                              # removed by another run meanwhile, or not ours to remove
    return None


class Progress:
    """One progress line per download: redrawn in place ('\\r') on a terminal, a few plain lines in
    a log; and one at least every PROGRESS_EVERY seconds, so a slow mirror's first bytes show."""

    def __init__(self, total, stream):
        self.total, self.stream = total, stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.shown = None if self.tty else 0      # in a log, skip the 0% line
        self.done = self.width = 0
        self.shown_at = time.monotonic()

    def text(self, done=None):
        done = self.done if done is None else done
        if not self.total:
            return f"  {human_size(done)}"
        return f"  {human_size(done)} of {human_size(self.total)} ({100 * done // self.total}%)"

    def update(self, done):
        self.done = done
        if self.total:   # a terminal redraws at every percent, a log prints every quarter
            step = 100 * done // self.total if self.tty else 4 * done // self.total
        else:            # size unknown: every megabyte on a terminal, every 10 MB in a log
            step = done // (1 << 20) if self.tty else done // (10 << 20)
        now = time.monotonic()
        if step != self.shown or now - self.shown_at >= PROGRESS_EVERY:
            # A log names the quarter just passed, not the byte count of whichever read passed it,
            # so that the same download always prints the same lines.
            quarter = not self.tty and self.total and step != self.shown
            self.shown, self.shown_at = step, now
            text = self.text(-(-self.total * step // 4) if quarter else None)   # rounded up
            self.width = max(self.width, len(text))    # pad, so a shorter text hides the longer one
            self.stream.write(("\r" + text.ljust(self.width)) if self.tty else (text + "\n"))
            self.stream.flush()

    def close(self):
        if self.tty and self.shown is not None:
            self.stream.write("\n")       # leave the last state on screen
        elif not self.tty and not self.total and self.done:
            self.stream.write(self.text() + "\n")
        self.stream.flush()


def human_size(n):
    if n < 1e3:
        return f"{n} B"
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"
