"""User files: content decides the type, storage is content-addressed and atomic, files go out with safe headers."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zlib
from urllib.parse import quote

import pytest
from flask import request
from flask_babel import force_locale
from werkzeug.datastructures import FileStorage

from portal import uploads
from portal.config import ConfigError, load
from portal.uploads import DOCUMENTS, IMAGES, UploadError
from tests.conftest import make_app

MIB = 1024 * 1024


def make_pdf() -> bytes:
    """A minimal valid one-page PDF, with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png() -> bytes:
    """A 1×1 red RGB PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte 0, then one RGB pixel
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", pixels) + _png_chunk(b"IEND", b"")


def make_jpeg() -> bytes:
    """A 1×1 grey baseline JPEG: one-code Huffman tables, one block that is DC 0 then end-of-block."""
    jfif = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    quantisation = b"\xff\xdb\x00\x43\x00" + b"\x01" * 64
    frame = b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"
    one_code = b"\x01" + b"\x00" * 15 + b"\x00"  # one code of length 1, for symbol 0
    huffman = b"\xff\xc4\x00\x14\x00" + one_code + b"\xff\xc4\x00\x14\x10" + one_code
    scan = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x3f"  # bits 0 (DC) 0 (EOB), padded with ones
    return b"\xff\xd8" + jfif + quantisation + frame + huffman + scan + b"\xff\xd9"


SHELL = b"#!/bin/sh\nrm -rf ~\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


def upload(data: bytes, name: str | None = "file") -> FileStorage:
    """What Werkzeug hands a view for one file field; the browser's Content-Type is deliberately a lie."""
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type="application/pdf")


@pytest.fixture
def files_app(tmp_path):
    """A fresh app with a 1 MB upload limit, its own upload folder, and a route that sends a stored file."""
    app = make_app(PORTAL_UPLOAD_DIR=str(tmp_path / "uploads"), PORTAL_UPLOAD_LIMIT_MB=1)

    @app.get("/test-file/<path:key>")
    def _file(key):
        return uploads.send(key, request.args["name"], request.args["mime"], inline="inline" in request.args)

    return app


@pytest.fixture
def in_request(files_app):
    """A request context in English, where check() reads the limit and translates its messages."""
    with files_app.test_request_context(), force_locale("en"):
        yield files_app


# --- check: what is accepted ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "kind", "mime", "shown"),
    [
        (make_pdf(), "会议材料.pdf", "pdf", "application/pdf", "会议材料.pdf"),
        (make_jpeg(), "C:\\Users\\王\\照片.jpeg", "jpeg", "image/jpeg", "照片.jpeg"),
        (make_png(), "../../etc/截图", "png", "image/png", "截图.png"),
        (make_pdf(), "扫描件.png", "pdf", "application/pdf", "扫描件.pdf"),  # the content decides, not the name
        (make_jpeg(), "IMG_0001.JPG", "jpeg", "image/jpeg", "IMG_0001.JPG"),
    ],
)
def test_real_files_are_accepted_with_their_kind_and_a_matching_name(in_request, data, name, kind, mime, shown):
    result = uploads.check(upload(data, name))
    assert (result.kind, result.mime, result.filename) == (kind, mime, shown)
    if kind == "pdf":
        assert result.data == data  # PDFs are stored as they came
    else:
        assert result.data == uploads.clean_image(kind, data)  # images are re-encoded: that is what is stored
    assert result.size == len(result.data)
    assert result.sha256 == hashlib.sha256(result.data).hexdigest()


def test_images_only_accepts_images(in_request):
    assert uploads.check(upload(make_png(), "a.png"), IMAGES).kind == "png"
    with pytest.raises(UploadError) as refused:
        uploads.check(upload(make_pdf(), "a.pdf"), IMAGES)
    assert refused.value.code == "type"
    assert refused.value.message == "This file is not a JPEG or PNG image."


def test_a_file_exactly_at_the_limit_is_accepted(in_request):
    data = make_pdf()
    data += b"\n" * (MIB - len(data))
    assert uploads.check(upload(data, "big.pdf")).size == MIB


# --- check: what is refused ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "code", "message"),
    [
        (SHELL, "evil.pdf", "type", "This file is not a PDF, JPEG or PNG file."),
        (HTML, "x.png", "type", "This file is not a PDF, JPEG or PNG file."),
        (SVG, "x.png", "type", "This file is not a PDF, JPEG or PNG file."),
        (b"PK\x03\x04" + b"\x00" * 40, "材料.pdf", "type", "This file is not a PDF, JPEG or PNG file."),
        (b"%PDF" + b"\n<html>", "x.pdf", "type", "This file is not a PDF, JPEG or PNG file."),  # no "%PDF-"
        (b"", "empty.pdf", "empty", "The file is empty."),
        (b"", "", "missing", "Choose a file to upload."),
        (
            make_png()[:-12],
            "cut.png",
            "damaged",
            "The file is damaged or incomplete. Save it again and upload the new copy.",
        ),
        (
            make_jpeg()[:-2],
            "cut.jpg",
            "damaged",
            "The file is damaged or incomplete. Save it again and upload the new copy.",
        ),
    ],
)
def test_other_files_are_refused_with_a_clear_message(in_request, data, name, code, message):
    with pytest.raises(UploadError) as refused:
        uploads.check(upload(data, name), DOCUMENTS)
    assert (refused.value.code, refused.value.message) == (code, message)
    assert isinstance(refused.value, ValueError)


def test_no_file_at_all_is_refused(in_request):
    with pytest.raises(UploadError) as refused:
        uploads.check(None)
    assert refused.value.code == "missing"


def test_one_byte_over_the_limit_is_refused_without_reading_further(in_request):
    data = make_pdf()
    data += b"\n" * (MIB + 1 - len(data))
    with pytest.raises(UploadError) as refused:
        uploads.check(upload(data, "big.pdf"))
    assert refused.value.code == "too_large"
    assert refused.value.message == "The file is larger than the limit of 1 MB."

    huge = io.BytesIO(make_pdf() + b"\n" * (20 * MIB))
    with pytest.raises(UploadError):
        uploads.check(FileStorage(stream=huge, filename="huge.pdf"))
    assert huge.tell() == MIB + 1  # never more than limit + 1 bytes


def test_unknown_kinds_are_a_programming_error(in_request):
    with pytest.raises(ValueError, match="unknown kinds"):
        uploads.check(upload(make_pdf(), "a.pdf"), frozenset({"exe"}))


@pytest.mark.parametrize(
    ("name", "kind", "shown"),
    [
        ("会议材料.pdf", "pdf", "会议材料.pdf"),
        ("/tmp/../会议材料.PDF", "pdf", "会议材料.PDF"),
        ("evil\u202efdp.exe", "pdf", "evilfdp.pdf"),  # the right-to-left override is gone
        ("a\x00b\r\nc.png", "png", "abc.png"),
        ("  ..隐藏.png  ", "png", "隐藏.png"),
        ('a<b>:"c"|?*.png', "png", "a_b___c____.png"),
        ("纪要v1.2", "pdf", "纪要v1.2.pdf"),
        ("report.docx", "pdf", "report.pdf"),
        ("", "jpeg", "file.jpg"),
        (None, "png", "file.png"),
        ("...", "pdf", "file.pdf"),
        ("长" * 300 + ".pdf", "pdf", "长" * 100 + ".pdf"),
    ],
)
def test_display_name_is_safe_and_keeps_chinese(name, kind, shown):
    assert uploads.display_name(name, kind) == shown


# --- store and path_for --------------------------------------------------------------------------------------------


def test_store_is_content_addressed_idempotent_and_private(in_request, tmp_path):
    first = uploads.check(upload(make_pdf(), "一.pdf"))
    key = uploads.store(first)
    assert key == f"{first.sha256[:2]}/{first.sha256}.pdf"
    path = tmp_path / "uploads" / key
    assert path.read_bytes() == first.data
    assert path.stat().st_mode & 0o777 == 0o640
    written = path.stat().st_mtime_ns

    again = uploads.check(upload(make_pdf(), "二.pdf"))  # same bytes, another name
    assert uploads.store(again) == key
    assert path.stat().st_mtime_ns == written and path.read_bytes() == first.data
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary files left

    image = uploads.check(upload(make_png(), "图.png"))
    assert uploads.store(image).endswith(".png")


def test_store_leaves_nothing_behind_when_the_write_fails(in_request, tmp_path, monkeypatch):
    checked = uploads.check(upload(make_jpeg(), "照片.jpg"))

    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        uploads.store(checked)
    folder = tmp_path / "uploads" / checked.sha256[:2]
    assert list(folder.iterdir()) == []


def test_store_takes_an_explicit_configuration(tmp_path, files_app):
    with files_app.test_request_context(), force_locale("en"):
        checked = uploads.check(upload(make_png(), "a.png"))
    key = uploads.store(checked, {"PORTAL_UPLOAD_DIR": str(tmp_path / "elsewhere")})
    assert (tmp_path / "elsewhere" / key).read_bytes() == checked.data


GOOD_KEY = "ab/ab" + "0" * 62 + ".pdf"


def test_path_for_accepts_the_exact_shape(in_request, tmp_path):
    assert uploads.path_for(GOOD_KEY) == tmp_path / "uploads" / GOOD_KEY


@pytest.mark.parametrize(
    "key",
    [
        "../x",
        "/etc/passwd",
        "ab/../../etc/passwd",
        "/ab/ab" + "0" * 62 + ".pdf",  # absolute
        "ab/ab" + "0" * 62 + ".pdf\n",
        "ab/ab" + "0" * 62 + ".html",
        "ab/ab" + "0" * 62,
        "AB/AB" + "0" * 62 + ".pdf",
        "cd/ab" + "0" * 62 + ".pdf",  # folder does not match the hash
        "ab/ab" + "0" * 61 + ".pdf",
        "ab\\ab" + "0" * 62 + ".pdf",
        "ab//ab" + "0" * 62 + ".pdf",
        "",
        None,
    ],
)
def test_path_for_refuses_anything_else(in_request, key):
    with pytest.raises(ValueError, match="not a storage key"):
        uploads.path_for(key)


# --- send ----------------------------------------------------------------------------------------------------------


def _stored(app, data: bytes, name: str) -> str:
    with app.test_request_context(), force_locale("en"):
        return uploads.store(uploads.check(upload(data, name)))


def test_send_is_a_private_attachment_with_a_utf8_name(files_app):
    data = make_pdf()
    key = _stored(files_app, data, "会议材料.pdf")
    response = files_app.test_client().get(f"/test-file/{key}?name=会议材料.pdf&mime=application/pdf")
    assert response.status_code == 200
    assert response.get_data() == data
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('会议材料.pdf')}" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] in ("private, max-age=3600", "max-age=3600, private")
    policy = response.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy  # not the site's page policy
    assert "Expires" not in response.headers


def test_send_inline_image_stays_sandboxed(files_app):
    key = _stored(files_app, make_png(), "图.png")
    response = files_app.test_client().get(f"/test-file/{key}?name=图.png&mime=image/png&inline=1")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert "filename*=UTF-8''%E5%9B%BE.png" in response.headers["Content-Disposition"]
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.mimetype == "image/png"


def test_send_inline_pdf_has_no_sandbox_but_nothing_may_load(files_app):
    key = _stored(files_app, make_pdf(), "纪要.pdf")
    response = files_app.test_client().get(f"/test-file/{key}?name=纪要.pdf&mime=application/pdf&inline=1")
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "sandbox" not in response.headers["Content-Security-Policy"]


def test_send_uses_the_type_the_content_was_stored_as(files_app):
    key = _stored(files_app, make_jpeg(), "照片.jpg")
    response = files_app.test_client().get(f"/test-file/{key}?name=x.html&mime=text/html")
    assert response.mimetype == "image/jpeg"
    assert "filename=x.jpg" in response.headers["Content-Disposition"]


def test_send_answers_conditional_requests(files_app):
    key = _stored(files_app, make_png(), "图.png")
    client = files_app.test_client()
    first = client.get(f"/test-file/{key}?name=a.png&mime=image/png")
    again = client.get(f"/test-file/{key}?name=a.png&mime=image/png", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("key", ["ab/ab" + "0" * 62 + ".pdf", "..%2F..%2Fetc%2Fpasswd", "ab/../../secret_key"])
def test_send_missing_or_odd_keys_are_not_found(files_app, key):
    response = files_app.test_client().get(f"/test-file/{key}?name=a.pdf&mime=application/pdf")
    assert response.status_code == 404


# --- configuration and the request limit ---------------------------------------------------------------------------


def test_upload_settings_defaults_and_environment(tmp_path):
    config = load(str(tmp_path), environ={})
    assert config["PORTAL_UPLOAD_DIR"] == str((tmp_path / "uploads").resolve())
    assert config["PORTAL_UPLOAD_LIMIT_MB"] == 10
    assert config["MAX_CONTENT_LENGTH"] > 10 * MIB  # one file at the limit plus the rest of the form

    config = load(str(tmp_path), environ={"PORTAL_UPLOAD_LIMIT_MB": "25", "PORTAL_UPLOAD_DIR": str(tmp_path / "f")})
    assert config["PORTAL_UPLOAD_LIMIT_MB"] == 25
    assert config["PORTAL_UPLOAD_DIR"] == str(tmp_path / "f")
    assert config["MAX_CONTENT_LENGTH"] > 25 * MIB

    config = load(str(tmp_path), environ={"MAX_CONTENT_LENGTH": "12345"})
    assert config["MAX_CONTENT_LENGTH"] == 12345
    assert load(str(tmp_path), {"MAX_CONTENT_LENGTH": 999}, environ={})["MAX_CONTENT_LENGTH"] == 999


def test_request_limit_leaves_room_for_the_register_confirmation(tmp_path):
    config = load(str(tmp_path), {"PORTAL_UPLOAD_LIMIT_MB": 1}, environ={})
    assert config["MAX_CONTENT_LENGTH"] > config["MAX_FORM_MEMORY_SIZE"]


def test_upload_folder_inside_static_is_refused(tmp_path):
    from portal.config import STATIC_DIR

    with pytest.raises(ConfigError, match="inside static"):
        load(str(tmp_path), environ={"PORTAL_UPLOAD_DIR": str(STATIC_DIR / "uploads")})
    with pytest.raises(ConfigError, match="at least 1"):
        load(str(tmp_path), {"PORTAL_UPLOAD_LIMIT_MB": 0}, environ={})


@pytest.mark.parametrize("htmx", [False, True])
def test_a_request_over_the_limit_gets_a_clear_413_page(files_app, htmx):
    limit = files_app.config["MAX_CONTENT_LENGTH"]
    client = files_app.test_client()
    client.set_cookie("lang", "en")
    headers = {"HX-Request": "true"} if htmx else {}
    body = {"file": (io.BytesIO(b"\n" * (limit + 1)), "big.pdf"), "login": "x", "password": "y"}
    response = client.post("/login", data=body, headers=headers)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "File too large" in page
    assert "The file is larger than the limit of 1 MB." in page
    assert ("<html" in page) is not htmx


# --- images: metadata stripped, turned upright, re-encoded; too many pixels refused from the header --------------

GPS_IFD = 0x8825


def photo_with_exif(size=(64, 48), orientation: int | None = None) -> bytes:
    """A camera-like JPEG: left half red, right half blue, with EXIF camera, GPS position, a comment and XMP."""
    from PIL import Image

    image = Image.new("RGB", size, (220, 0, 0))
    image.paste((0, 0, 220), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[0x010F] = "SecretMaker"  # Make
    exif[0x0110] = "SecretCam X100"  # Model
    if orientation is not None:
        exif[0x0112] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 9.25)})
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">SecretXMP</x:xmpmeta>'
    image.save(out, "JPEG", exif=exif, comment=b"SecretComment", xmp=xmp, quality=95)
    return out.getvalue()


def png_header(width: int, height: int, colour_type: int = 2) -> bytes:
    """A PNG of a few dozen bytes that declares width × height pixels: IHDR, one tiny IDAT and IEND (a pixel bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)  # the start of the first row; the rest would be decoded on demand
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _open(data: bytes):
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_jpeg_keeps_no_exif_gps_camera_comment_or_xmp(in_request):
    original = photo_with_exif()
    assert b"SecretCam" in original and b"Exif" in original and b"SecretXMP" in original  # the test's premise
    result = uploads.check(upload(original, "IMG_0001.jpg"), IMAGES)
    image = _open(result.data)
    assert (image.format, image.size, image.mode) == ("JPEG", (64, 48), "RGB")
    assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
    for trace in (b"Exif", b"GPS", b"SecretMaker", b"SecretCam", b"SecretComment", b"SecretXMP", b"xmpmeta"):
        assert trace not in result.data, trace
    assert "comment" not in image.info and "icc_profile" not in image.info
    assert result.sha256 == hashlib.sha256(result.data).hexdigest() and result.size == len(result.data)


def test_a_photo_is_turned_upright_before_its_orientation_tag_is_dropped(in_request):
    # Orientation 6: the camera stored the picture lying on its side; a viewer turns it 90° clockwise.
    result = uploads.check(upload(photo_with_exif((60, 40), orientation=6), "side.jpg"), IMAGES)
    image = _open(result.data)
    assert image.size == (40, 60) and not image.getexif()
    top, bottom = image.getpixel((20, 5)), image.getpixel((20, 55))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]  # the left (red) half is now on top


def test_a_png_loses_its_text_exif_and_icc_chunks_and_keeps_transparency(in_request):
    from PIL import Image, ImageCms, PngImagePlugin

    image = Image.new("P", (10, 10), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "SecretText 31.2N 121.5E")
    text.add_itxt("Author", "SecretAuthor")
    exif = Image.Exif()
    exif[0x0110] = "SecretCam"
    out = io.BytesIO()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image.save(out, "PNG", pnginfo=text, exif=exif, transparency=0, icc_profile=srgb)
    original = out.getvalue()
    assert b"tEXt" in original and b"iTXt" in original and b"eXIf" in original and b"iCCP" in original

    result = uploads.check(upload(original, "截图.png"), IMAGES)
    for trace in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP", b"Secret"):
        assert trace not in result.data, trace
    cleaned = _open(result.data)
    assert (cleaned.format, cleaned.size, cleaned.mode) == ("PNG", (10, 10), "P")
    assert cleaned.info.get("transparency") == 0 and not cleaned.getexif() and not getattr(cleaned, "text", {})


def test_colours_are_converted_to_srgb_and_the_profile_dropped(in_request):
    from PIL import Image, ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(out, "JPEG", icc_profile=srgb, quality=95)
    cleaned = _open(uploads.check(upload(out.getvalue(), "p.jpg"), IMAGES).data)
    assert "icc_profile" not in cleaned.info
    red, green, blue = cleaned.getpixel((4, 4))
    assert abs(red - 10) < 12 and abs(green - 200) < 12 and abs(blue - 30) < 12


def test_a_cmyk_jpeg_is_stored_as_rgb(in_request):
    from PIL import Image

    out = io.BytesIO()
    Image.new("CMYK", (8, 8), (0, 255, 255, 0)).save(out, "JPEG")
    assert _open(uploads.check(upload(out.getvalue(), "print.jpg"), IMAGES).data).mode == "RGB"


def test_a_pdf_is_stored_byte_for_byte(in_request):
    data = make_pdf() + b"%% /Author (SecretAuthor)\n"
    assert uploads.check(upload(data, "a.pdf")).data == data


TOO_LARGE = "The image is too large: at most 40 megapixels. Save a smaller copy and upload that."


def test_a_png_declaring_50000_by_50000_pixels_is_refused_before_decoding(in_request):
    bomb = png_header(50_000, 50_000)
    assert len(bomb) < 3 * 1024
    with pytest.raises(UploadError) as refused:
        uploads.check(upload(bomb, "bomb.png"), IMAGES)
    assert (refused.value.code, refused.value.message) == ("too_many_pixels", TOO_LARGE)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow warns from 40 MP, refuses at 80
@pytest.mark.parametrize(
    ("width", "height", "code"),
    [
        (8000, 5001, "too_many_pixels"),  # 40,008,000 pixels: refused from the header
        (8000, 5000, "damaged"),  # exactly 40 MP passes the size check; this file's pixel data then runs out
        (1, 40_000_001, "too_many_pixels"),
    ],
)
def test_the_limit_is_40_megapixels(in_request, width, height, code):
    with pytest.raises(UploadError) as refused:
        uploads.check(upload(png_header(width, height, colour_type=0), "big.png"), IMAGES)
    assert refused.value.code == code


def test_pillow_itself_refuses_a_bomb_anywhere_in_the_portal():
    from PIL import Image

    assert Image.MAX_IMAGE_PIXELS == uploads.MAX_PIXELS
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(png_header(50_000, 50_000)))


@pytest.mark.parametrize(
    "data",
    [
        png_header(4, 4)[:33] + _png_chunk(b"IDAT", b"not zlib at all") + _png_chunk(b"IEND", b""),
        b"\xff\xd8\xff\xe0" + b"\x00" * 40 + b"\xff\xd9",  # a JPEG signature and end marker around nothing
    ],
)
def test_an_image_that_cannot_be_decoded_is_damaged(in_request, data):
    with pytest.raises(UploadError) as refused:
        uploads.check(upload(data, "x.png"), IMAGES)
    assert refused.value.code == "damaged"


def test_a_refused_image_logs_what_failed_never_words_from_the_file(in_request, monkeypatch, caplog):
    """Pillow's messages can quote the file (a chunk name, a header field): the log keeps only the kind of error."""

    def hostile(*args, **kwargs):
        raise ValueError("broken PNG file (chunk b'13800138000')")

    monkeypatch.setattr(uploads.Image, "open", hostile)
    with caplog.at_level("INFO", logger="portal.uploads"), pytest.raises(UploadError) as refused:
        uploads.clean_image("png", b"\x89PNG\r\n\x1a\n")
    assert refused.value.code == "damaged"
    assert "ValueError" in caplog.text and "13800138000" not in caplog.text
