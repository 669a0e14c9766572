"""User files (会议附件, later photos on commitments and requests): check, store and send them.

There is no table here: a caller keeps (storage_key, filename, mime, size) in its own rows, checks permission, and
calls `send`. A file's type is decided by its content alone, never by its name or the browser's Content-Type, and
files live outside static/ so that no file is ever served without that permission check.

JPEG and PNG images are decoded and re-encoded before they are stored: what is kept is pixels only, turned upright,
without EXIF (GPS position, camera), XMP, comments, text chunks or ICC profile (colours are converted to sRGB first,
so nothing shifts). Their size is checked from the header before a pixel is decoded. PDFs are stored as they came.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import tempfile
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import filetype
from flask import Response, abort, current_app, send_file
from flask_babel import gettext as _
from PIL import Image, ImageCms, ImageOps
from werkzeug.datastructures import FileStorage

log = logging.getLogger(__name__)

DOCUMENTS = frozenset({"pdf", "jpeg", "png"})
IMAGES = frozenset({"jpeg", "png"})
MIMES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}  # the one used in storage keys and display names
INLINE = frozenset({"pdf", "jpeg", "png"})  # kinds a browser may show in the tab instead of saving
CACHE_SECONDS = 3600  # contents never change under a key; access can, so the cache stays short and private

_KIND_OF = {"pdf": "pdf", "jpg": "jpeg", "png": "png", "apng": "png"}  # filetype's extension → our kind
_KIND_OF_EXTENSION = {extension: kind for kind, extension in EXTENSIONS.items()}
_SAME_EXTENSIONS = {"pdf": {"pdf"}, "jpeg": {"jpg", "jpeg", "jpe"}, "png": {"png"}}
_KEY = re.compile(r"([0-9a-f]{2})/([0-9a-f]{64})\.(pdf|jpg|png)")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SIGNATURES = {"pdf": b"%PDF-", "jpeg": b"\xff\xd8\xff", "png": _PNG_SIGNATURE}
_PNG_END = b"\x00\x00\x00\x00IEND\xae\x42\x60\x82"  # the IEND chunk: length 0, type, CRC
_JPEG_END = b"\xff\xd9"
_NAME_LIMIT = 100  # characters of a display name's stem; the extension is added after
_UNSAFE_IN_NAMES = str.maketrans({ch: "_" for ch in '<>:"|?*'})  # Windows refuses these when saving
_CHUNK = 64 * 1024

MAX_MEGAPIXELS = 40  # a 48 MP phone photo is refused; phones save 12 MP by default, and a bomb declares billions
MAX_PIXELS = MAX_MEGAPIXELS * 1_000_000
JPEG_QUALITY = 85  # no visible loss on photos of notices and repairs, and smaller than most cameras' own files
_PILLOW_FORMAT = {"jpeg": "JPEG", "png": "PNG"}
# Pillow raises DecompressionBombError while opening anything over twice this (and warns above it), so no caller of
# Pillow in the portal can be made to allocate gigabytes; check() itself refuses anything over MAX_PIXELS.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class UploadError(ValueError):
    """A file the person must replace; `message` is translated and shown next to the field."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Upload:
    """A checked file, still in memory: its bytes, what they really are, and the name to show for it."""

    data: bytes = field(repr=False)
    kind: str
    mime: str
    size: int
    sha256: str
    filename: str


def limit_bytes(config: Mapping | None = None) -> int:
    """The largest file accepted, in bytes (PORTAL_UPLOAD_LIMIT_MB MiB)."""
    config = current_app.config if config is None else config
    return int(config["PORTAL_UPLOAD_LIMIT_MB"]) * 1024 * 1024


def check(file: FileStorage | None, kinds: frozenset[str] = DOCUMENTS) -> Upload:
    """Read one uploaded file (never more than the limit + 1 byte) and accept it only if its content is of `kinds`."""
    if not kinds or not kinds <= DOCUMENTS:
        raise ValueError(f"unknown kinds of file: {sorted(kinds - DOCUMENTS) or 'none'}")
    limit = limit_bytes()
    data = _read(file.stream, limit + 1) if file is not None else b""
    if not data:
        if file is None or not file.filename:  # browsers send an empty, nameless part when no file was chosen
            raise UploadError("missing", _("Choose a file to upload."))
        raise UploadError("empty", _("The file is empty."))
    if len(data) > limit:
        raise UploadError(
            "too_large",
            _("The file is larger than the limit of %(mb)s MB.", mb=current_app.config["PORTAL_UPLOAD_LIMIT_MB"]),
        )
    kind = _detect(data)
    if kind is None or kind not in kinds:
        raise UploadError("type", _type_message(kinds))
    if not _complete(kind, data):
        raise UploadError("damaged", _damaged_message())
    if kind in IMAGES:
        data = clean_image(kind, data)  # what is stored, sized and hashed is the re-encoded image
    return Upload(
        data=data,
        kind=kind,
        mime=MIMES[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        filename=display_name(file.filename, kind),
    )


def clean_image(kind: str, data: bytes) -> bytes:
    """The image re-encoded upright with its pixels only (no metadata); UploadError if too large or undecodable."""
    try:
        with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMAT[kind]]) as image:
            # The header gives the size: refuse here, before load() decodes (and allocates) a single pixel.
            if image.width * image.height > MAX_PIXELS:
                raise _too_many_pixels()
            image.load()
            clean = _without_metadata(_in_srgb(ImageOps.exif_transpose(image)), kind)
    except UploadError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except Exception as error:  # Pillow raises many kinds of error on hostile files: each one means "damaged"
        # The kind of error only: Pillow's message can quote the file itself (a chunk name, a header field).
        log.info("upload refused: %s image cannot be decoded (%s)", kind, type(error).__name__)
        raise UploadError("damaged", _damaged_message()) from None
    out = io.BytesIO()
    if kind == "jpeg":
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        clean.save(out, "PNG", optimize=True)
    return out.getvalue()


def _in_srgb(image: Image.Image) -> Image.Image:
    """The image with its colours converted from its embedded ICC profile to sRGB (as is, if it has none)."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError) as error:
        # A broken profile is dropped with the rest: colours may shift a little, the photo is still shown.
        log.info("upload: ICC profile not applied (%s)", error)
        return image


def _without_metadata(image: Image.Image, kind: str) -> Image.Image:
    """The pixels alone: Pillow writes what it finds in `info` (ICC, comments), so only transparency is kept."""
    if kind == "jpeg" and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")  # JPEG holds grey or colour; CMYK and the rest are shown as RGB
    transparency = image.info.get("transparency")
    image.info = {"transparency": transparency} if kind == "png" and transparency is not None else {}
    return image


def display_name(name: str | None, kind: str) -> str:
    """A safe name to show and to save as: no folders or control characters, Chinese kept, the kind's extension."""
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    # Categories C* include bidi overrides (U+202E), which can make "evil\u202efdp.exe" read as "evilexe.pdf".
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = " ".join(text.translate(_UNSAFE_IN_NAMES).split())
    stem, dot, suffix = text.rpartition(".")
    if not dot:
        stem, suffix = text, ""
    if suffix.lower() in _SAME_EXTENSIONS[kind]:
        extension = suffix
    else:
        extension = EXTENSIONS[kind]
        if not re.fullmatch(r"(?=.*[A-Za-z])[A-Za-z0-9]{1,5}", suffix):  # "纪要v1.2" keeps its ".2"
            stem = text
    stem = stem[:_NAME_LIMIT].strip(" .")  # a leading dot hides the file; Windows drops trailing dots
    return f"{stem or 'file'}.{extension}"


def store(upload: Upload, config: Mapping | None = None) -> str:
    """Write the file once under PORTAL_UPLOAD_DIR, named by its SHA-256, and return its storage key."""
    key = f"{upload.sha256[:2]}/{upload.sha256}.{EXTENSIONS[upload.kind]}"
    path = path_for(key, config)
    if path.is_file() and path.stat().st_size == upload.size:
        return key  # the same bytes are already there: the name is their hash
    path.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
    # Write beside the target, then rename: a reader sees the whole file or none, even if two people upload it.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as out:
            os.fchmod(out.fileno(), 0o640)
            out.write(upload.data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    log.info("upload stored: %s (%s, %d bytes)", key, upload.kind, upload.size)
    return key


def path_for(key: str, config: Mapping | None = None) -> Path:
    """Where a storage key's file lives; anything but the exact shape `ab/ab…(64 hex).ext` is refused."""
    match = _KEY.fullmatch(key) if isinstance(key, str) else None
    if match is None or match[1] != match[2][:2]:
        raise ValueError(f"not a storage key: {key!r}")
    config = current_app.config if config is None else config
    return Path(config["PORTAL_UPLOAD_DIR"]) / key


def send(key: str, filename: str, mime: str, *, inline: bool = False) -> Response:
    """Serve a stored file (as a download unless `inline` is asked for an image or PDF); 404 if it is not there.

    The caller checks permission first. The type comes from the key, which was set from the checked content: `mime`
    must agree with it, so a changed column can never make the browser read a file as something else.
    """
    try:
        path = path_for(key)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    kind = _KIND_OF_EXTENSION[path.suffix[1:]]
    if mime != MIMES[kind]:
        log.warning("upload %s asked to be sent as %s; sending it as %s", key, mime, MIMES[kind])
    inline = inline and kind in INLINE
    response = send_file(
        path,
        mimetype=MIMES[kind],
        as_attachment=not inline,
        download_name=display_name(filename, kind),  # werkzeug writes filename*=UTF-8''… for Chinese names
        conditional=True,
        max_age=None,
    )
    response.cache_control.no_cache = None
    response.cache_control.private = True
    response.cache_control.max_age = CACHE_SECONDS
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = _file_policy(kind, inline)
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _file_policy(kind: str, inline: bool) -> str:
    """The Content-Security-Policy of a file response: nothing may run or load from it."""
    if inline and kind == "pdf":
        # Chromium and Safari refuse to show a PDF in a sandboxed document, so an inline PDF gets no `sandbox`;
        # the inline style is what the browsers' own PDF viewers need.
        return "default-src 'none'; style-src 'unsafe-inline'"
    return "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _read(stream, most: int) -> bytes:
    """Up to `most` bytes from the stream (read in chunks: one read may return fewer bytes than asked)."""
    if stream is None:
        return b""
    if getattr(stream, "seekable", lambda: False)():
        stream.seek(0)  # a caller may have peeked at it already
    chunks, size = [], 0
    while size < most:
        chunk = stream.read(min(_CHUNK, most - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _detect(data: bytes) -> str | None:
    """The kind the content says it is, by its magic bytes (filetype, with each kind's full signature checked)."""
    guess = filetype.guess(data)
    kind = _KIND_OF.get(guess.extension) if guess is not None else None
    return kind if kind is not None and data.startswith(_SIGNATURES[kind]) else None


def _complete(kind: str, data: bytes) -> bool:
    """Whether an image reaches its end marker (a cut-off upload does not).

    The marker is looked for anywhere after the start, not only at the very end: many phones append their own data
    after a JPEG's end. PDFs are not checked this way: valid ones may carry bytes after %%EOF.
    """
    if kind == "jpeg":
        return data.find(_JPEG_END, 3) != -1
    if kind == "png":
        return data.find(_PNG_END, len(_PNG_SIGNATURE)) != -1
    return True


def _damaged_message() -> str:
    """What the person is told when a file is cut off or cannot be read."""
    return _("The file is damaged or incomplete. Save it again and upload the new copy.")


def _too_many_pixels() -> UploadError:
    """The refusal of an image with more pixels than MAX_PIXELS (its header says so; nothing was decoded)."""
    return UploadError(
        "too_many_pixels",
        _(
            "The image is too large: at most %(mp)d megapixels. Save a smaller copy and upload that.",
            mp=MAX_MEGAPIXELS,
        ),
    )


def _type_message(kinds: frozenset[str]) -> str:
    """What the person is told when the file is of a kind not accepted here."""
    if kinds == DOCUMENTS:
        return _("This file is not a PDF, JPEG or PNG file.")
    if kinds == IMAGES:
        return _("This file is not a JPEG or PNG image.")
    if kinds == {"pdf"}:
        return _("This file is not a PDF file.")
    return _("This kind of file is not accepted here.")
