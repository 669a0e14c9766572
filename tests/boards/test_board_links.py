"""Every link on a compound's board leads somewhere (issue 12): a community-wide pledge of an organisation that
serves one compound is shown on every board of the community, and its organisation link must not be a 404 there."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

HREF = re.compile(r'href="([^"#]+)')


def _crawl(client, start: str, limit: int = 80) -> dict[str, int]:
    """GET the board page and every board page it links to, breadth first; the status of each."""
    seen: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for href in HREF.findall(response.get_data(as_text=True)):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc or "/board" not in parts.path or parts.path.endswith("/print"):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


@pytest.mark.parametrize("reader", [None, "neighbour", "owner"])
def test_no_link_on_either_board_is_a_404(client, yard, pledge, login, reader):
    pledge("全社区消防检查", org="company", compound=None)  # 绿园物业 serves 绿园小区 only, pledging community-wide
    pledge("楼道灯", org="company")
    pledge("社区义诊", org="hospital", compound=None)
    pledge("桂花苑修路", org="other", compound="guihua", status="fulfilled")
    pledge("志愿者陪诊", org=None, compound=None)
    if reader is not None:
        login(getattr(yard, reader))
    for slug in ("guihua", "lvyuan"):
        seen = _crawl(client, f"/c/{slug}/board/")
        assert len(seen) > 5, seen
        missing = {url: status for url, status in seen.items() if status == 404}
        assert missing == {}, missing


def test_a_pledge_of_a_one_compound_organisation_links_to_it_on_its_own_board(client, yard, pledge):
    pledge("全社区消防检查", org="company", compound=None)
    page = client.get("/c/guihua/board/").get_data(as_text=True)
    assert f'href="/c/lvyuan/board/org/{yard.company.id}"' in page
    assert f'href="/c/guihua/board/org/{yard.company.id}"' not in page
    assert client.get(f"/c/lvyuan/board/org/{yard.company.id}").status_code == 200
