"""Photos on progress updates, requests and project updates: JPEG or PNG, checked by content, stored outside
static/ (portal/uploads.py), listed in the `photo` table. Each feature checks who may see the photo's owner, then
calls `send`."""

from __future__ import annotations

from collections.abc import Iterable

from flask import abort
from werkzeug.datastructures import FileStorage

from portal import uploads
from portal.boards.models import Photo
from portal.extensions import db

MOST_PHOTOS = 6  # per update or request: enough to show the work, few enough for a phone on mobile data


def chosen(files: Iterable[FileStorage | None]) -> list[FileStorage]:
    """The file parts a person actually filled (browsers send an empty, nameless part for an empty file field)."""
    return [f for f in files if f is not None and f.filename]


def check_all(files: Iterable[FileStorage | None]) -> list[uploads.Upload]:
    """Check every chosen photo before anything is stored (uploads.UploadError names the first refused one)."""
    parts = chosen(files)
    if len(parts) > MOST_PHOTOS:
        from flask_babel import gettext as _

        raise uploads.UploadError("too_many", _("Attach at most %(n)d photos.", n=MOST_PHOTOS))
    return [uploads.check(part, uploads.IMAGES) for part in parts]


def save(checked: list[uploads.Upload], actor, **owner: int) -> list[Photo]:
    """Store checked photos and list them under one owner: progress_id=, need_id= or project_update_id=."""
    if len(owner) != 1 or next(iter(owner)) not in ("progress_id", "need_id", "project_update_id"):
        raise ValueError(f"a photo has exactly one owner, not {owner!r}")
    photos = []
    for upload in checked:
        photo = Photo(
            storage_key=uploads.store(upload),
            filename=upload.filename,
            mime=upload.mime,
            size=upload.size,
            uploaded_by_id=actor.id,
            **owner,
        )
        db.session.add(photo)
        photos.append(photo)
    db.session.flush()
    return photos


def linked(photo_id: int, link: str) -> Photo:
    """The photo attached through `link` (progress_id, need_id, project_update_id), or 404: the caller then checks
    that the reader may see what it is attached to."""
    found = db.session.get(Photo, photo_id)
    if found is None or getattr(found, link) is None:
        abort(404)
    return found


def send(photo: Photo):
    """Serve a photo inline (the caller has checked that the person may see what it belongs to)."""
    return uploads.send(photo.storage_key, photo.filename, photo.mime, inline=True)
