"""Photos through a real upload route (a pledge's progress, whose photos anyone may see): no EXIF position or camera
reaches a visitor, a pixel bomb is refused at the field with nothing stored, and a normal photo still displays."""

from __future__ import annotations

import io

import sqlalchemy as sa
from PIL import Image

from portal.boards.models import Photo, Progress
from portal.extensions import db
from tests.test_uploads import GPS_IFD, TOO_LARGE, photo_with_exif, png_header


def _post(client, commitment, *files):
    return client.post(
        f"/c/lvyuan/board/{commitment.id}/progress",
        data={"body": "已更换一半", "photos": [(io.BytesIO(data), name) for name, data in files]},
        content_type="multipart/form-data",
    )


def test_a_visitor_gets_the_photo_without_gps_or_camera(client, yard, login, pledge, upload_dir):
    commitment = pledge()
    login(yard.manager)
    assert _post(client, commitment, ("楼道.jpg", photo_with_exif((64, 48)))).status_code == 303
    (photo,) = db.session.scalars(sa.select(Photo)).all()
    client.post("/logout")
    served = client.get(f"/c/lvyuan/board/photos/{photo.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    image.load()  # a valid image, of the size that was uploaded
    assert (image.format, image.size) == ("JPEG", (64, 48))
    assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
    assert b"Exif" not in served.data and b"GPS" not in served.data and b"SecretCam" not in served.data
    assert photo.size == len(served.data) and photo.storage_key.endswith(".jpg")


def test_a_pixel_bomb_is_refused_at_the_field_and_nothing_is_stored(client, yard, login, pledge, upload_dir, english):
    commitment = pledge()
    login(yard.manager)
    bomb = png_header(50_000, 50_000)
    response = _post(client, commitment, ("好照片.jpg", photo_with_exif()), ("炸弹.png", bomb))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="field-error"' in page and TOO_LARGE in page and "已更换一半" in page
    assert db.session.scalar(sa.select(sa.func.count(Progress.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Photo.id))) == 0
    assert not upload_dir.exists() or not any(p.is_file() for p in upload_dir.rglob("*"))
