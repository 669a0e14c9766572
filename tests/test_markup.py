"""portal.markup: user Markdown becomes HTML that can carry no script, whatever the resident typed."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from portal.markup import ALLOWED_TAGS, _sanitise, plain_text, render_markdown

SAFE_SCHEMES = {"http", "https", "mailto"}
REL = {"nofollow", "noopener", "noreferrer"}
# Browsers drop ASCII whitespace and C0 controls from URLs before reading the scheme; dropping every one of them
# anywhere is stricter still, so "jav\tascript:" cannot slip through as "relative".
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


class _Elements(HTMLParser):
    """Every element, attribute and text run of an HTML fragment, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        """Parse with character references resolved in text and attribute values (convert_charrefs)."""
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.other: list[str] = []

    def handle_starttag(self, tag, attrs):
        """Record an opening tag and its attributes."""
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        """Record a self-closing tag like an opening one."""
        self.elements.append((tag, attrs))

    def handle_data(self, data):
        """Record text as the reader would see it."""
        self.text.append(data)

    def handle_comment(self, data):
        """Comments must not survive sanitising (conditional comments once ran script)."""
        self.other.append(f"comment:{data}")

    def handle_decl(self, decl):
        """Declarations have no place in a fragment."""
        self.other.append(f"decl:{decl}")

    def handle_pi(self, data):
        """Processing instructions have no place in a fragment."""
        self.other.append(f"pi:{data}")

    def unknown_decl(self, data):
        """CDATA and the like have no place in a fragment."""
        self.other.append(f"unknown:{data}")


def parse(html: str) -> _Elements:
    """The parsed fragment."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def href_scheme(href: str) -> str | None:
    """The scheme a browser would act on (href already unescaped by the parser), or None for a relative URL."""
    match = _SCHEME.match(_IGNORED_IN_URL.sub("", href).lower())
    return match.group(1) if match else None


def assert_safe(html: str) -> None:
    """Only allow-listed elements, no event handlers or styles, only safe link schemes, every link with rel."""
    parsed = parse(html)
    assert parsed.other == []
    for tag, attrs in parsed.elements:
        assert tag in ALLOWED_TAGS, f"<{tag}> in {html!r}"
        names = [name.lower() for name, _ in attrs]
        assert not [name for name in names if name.startswith("on")], html
        assert "style" not in names, html
        assert set(names) <= {"href", "rel", "start"}, html
        values = dict(attrs)
        if "href" in values:
            assert tag == "a", html
            scheme = href_scheme(values["href"] or "")
            assert scheme is None or scheme in SAFE_SCHEMES, f"{values['href']!r} in {html!r}"
        if tag == "a":
            assert set((values.get("rel") or "").split()) == REL, html


def visible_text(html: str) -> str:
    """The text a reader sees, without the newlines that separate blocks in the source."""
    return "".join(parse(html).text).strip()


XSS_PAYLOADS = [
    # Script tags: plain, mixed case, split, nested, in code.
    pytest.param("<script>alert(1)</script>", id="script"),
    pytest.param("<SCRIPT>alert(1)</SCRIPT>", id="script-upper"),
    pytest.param("<ScRiPt src=//evil.example/x.js></sCrIpT>", id="script-mixed-case-src"),
    pytest.param("<script\n>alert(1)</script\n>", id="script-split-lines"),
    pytest.param("<scr<script>ipt>alert(1)</scr</script>ipt>", id="script-nested-malformed"),
    pytest.param("<<script>script>alert(1)<</script>/script>", id="script-double-bracket"),
    pytest.param('<script/xss src="http://evil.example/x.js"></script>', id="script-slash-attr"),
    pytest.param("`<script>alert(1)</script>`", id="script-in-code-span"),
    pytest.param("```html\n<script>alert(1)</script>\n```", id="script-in-fence"),
    pytest.param("    <script>alert(1)</script>", id="script-in-indented-code"),
    pytest.param("\\<script>alert(1)\\</script>", id="script-backslash-escaped"),
    pytest.param("&lt;script&gt;alert(1)&lt;/script&gt;", id="script-as-entities"),
    pytest.param("# <script>alert(1)</script>", id="script-in-heading"),
    pytest.param("> <script>alert(1)</script>", id="script-in-blockquote"),
    pytest.param("| a |\n|---|\n| <script>alert(1)</script> |", id="script-in-table"),
    # Event handlers.
    pytest.param("<img src=x onerror=alert(1)>", id="img-onerror"),
    pytest.param('<img src="x" ONERROR="alert(1)">', id="img-onerror-upper"),
    pytest.param("<img/src=x/onerror=alert(1)>", id="img-slashes"),
    pytest.param('<img src="x\nonerror=alert(1)>', id="img-split-lines"),
    pytest.param("<body onload=alert(1)>", id="body-onload"),
    pytest.param('<a href="#" onclick="alert(1)">click</a>', id="a-onclick"),
    pytest.param('<div onmouseover="alert(1)">hover</div>', id="div-onmouseover"),
    pytest.param("<details open ontoggle=alert(1)>", id="details-ontoggle"),
    pytest.param("**<img src=x onerror=alert(1)>**", id="onerror-in-strong"),
    pytest.param("<<img src=x onerror=alert(1)//<", id="img-unclosed"),
    # javascript:, vbscript:, data: and file: in Markdown links, with encoding, whitespace and case tricks.
    pytest.param("[x](javascript:alert(1))", id="md-link-javascript"),
    pytest.param("[x](JaVaScRiPt:alert(1))", id="md-link-mixed-case"),
    pytest.param("[x](jav&#x09;ascript:alert(1))", id="md-link-tab-entity"),
    pytest.param("[x](jav&#x0A;ascript:alert(1))", id="md-link-newline-entity"),
    pytest.param("[x](jav&Tab;ascript:alert(1))", id="md-link-named-tab-entity"),
    pytest.param("[x](&#106;avascript:alert(1))", id="md-link-decimal-entity"),
    pytest.param(
        "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))", id="md-link-all-entities"
    ),
    pytest.param("[x](javascript&colon;alert(1))", id="md-link-colon-entity"),
    pytest.param("[x](javascript%3Aalert(1))", id="md-link-percent-colon"),
    pytest.param("[x](%6Aavascript:alert(1))", id="md-link-percent-letter"),
    pytest.param("[x]( javascript:alert(1))", id="md-link-leading-space"),
    pytest.param("[x](<javascript:alert(1)>)", id="md-link-angle-destination"),
    pytest.param("[x](\x01javascript:alert(1))", id="md-link-control-char"),
    pytest.param("- [x](javascript:alert(1))", id="md-link-in-list"),
    pytest.param("[x](vbscript:msgbox(1))", id="md-link-vbscript"),
    pytest.param("[x](VBScript:msgbox(1))", id="md-link-vbscript-case"),
    pytest.param("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", id="md-link-data"),
    pytest.param("[x](DATA:text/html,<script>alert(1)</script>)", id="md-link-data-upper"),
    pytest.param("[x](file:///etc/passwd)", id="md-link-file"),
    pytest.param('[x](https://example.com "t\\" onmouseover=\\"alert(1)")', id="md-link-title-quotes"),
    pytest.param("[x](https://example.com 'a\" onclick=\"alert(1)')", id="md-link-title-single-quotes"),
    pytest.param('[x](https://example.com/"onmouseover="alert(1))', id="md-link-quote-in-url"),
    # Autolinks.
    pytest.param("<javascript:alert(1)>", id="autolink-javascript"),
    pytest.param("<JAVASCRIPT:alert(1)>", id="autolink-javascript-upper"),
    pytest.param("<vbscript:msgbox(1)>", id="autolink-vbscript"),
    pytest.param("<data:text/html,alert(1)>", id="autolink-data"),
    pytest.param('<https://example.com/"onmouseover="alert(1)>', id="autolink-quote"),
    # Reference-style links.
    pytest.param("[x][r]\n\n[r]: javascript:alert(1)", id="reference-javascript"),
    pytest.param('[x][r]\n\n[r]: <javascript:alert(1)> "t"', id="reference-angle-javascript"),
    pytest.param("[r]\n\n[r]: jAvAsCrIpT:alert(1)", id="reference-shortcut-mixed-case"),
    pytest.param("[x][r]\n\n[r]: data:text/html,<script>alert(1)</script>", id="reference-data"),
    # Images.
    pytest.param("![x](javascript:alert(1))", id="image-javascript"),
    pytest.param("![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", id="image-data-svg"),
    pytest.param("![x](data:image/png;base64,iVBORw0KGgo=)", id="image-data-png"),
    pytest.param('![x" onerror="alert(1)](https://example.com/a.png)', id="image-alt-quotes"),
    pytest.param('![x](https://example.com/a.png "t\\" onerror=\\"alert(1)")', id="image-title-quotes"),
    pytest.param("![x][img]\n\n[img]: javascript:alert(1)", id="image-reference-javascript"),
    pytest.param("[![x](https://example.com/a.png)](javascript:alert(1))", id="image-in-javascript-link"),
    # SVG and MathML.
    pytest.param("<svg onload=alert(1)>", id="svg-onload"),
    pytest.param("<svg><script>alert(1)</script></svg>", id="svg-script"),
    pytest.param('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', id="svg-xlink"),
    pytest.param('<math href="javascript:alert(1)">x</math>', id="math-href"),
    pytest.param("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", id="math-mutation"),
    # Frames, objects, embeds.
    pytest.param('<iframe src="javascript:alert(1)"></iframe>', id="iframe-javascript"),
    pytest.param('<iframe srcdoc="<script>alert(1)</script>"></iframe>', id="iframe-srcdoc"),
    pytest.param('<object data="data:text/html,<script>alert(1)</script>"></object>', id="object-data"),
    pytest.param('<embed src="javascript:alert(1)">', id="embed"),
    # Styles.
    pytest.param("<style>body{background:url(javascript:alert(1))}</style>", id="style-tag"),
    pytest.param('<p style="background:url(javascript:alert(1))">x</p>', id="style-attribute"),
    pytest.param('<div style="width: expression(alert(1))">x</div>', id="style-expression"),
    # Raw links, comments and declarations.
    pytest.param('<a href="javascript:alert(1)">x</a>', id="raw-a-javascript"),
    pytest.param('<a href="jav&#x09;ascript:alert(1)">x</a>', id="raw-a-tab-entity"),
    pytest.param("<!--<img src=x onerror=alert(1)>-->", id="comment"),
    pytest.param("<![CDATA[<script>alert(1)</script>]]>", id="cdata"),
    # Page-level elements.
    pytest.param('<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', id="meta-refresh"),
    pytest.param('<base href="javascript:alert(1)//">', id="base-href"),
    pytest.param('<form action="javascript:alert(1)"><input type=submit></form>', id="form-action"),
    pytest.param("<input autofocus onfocus=alert(1)>", id="input-onfocus"),
    pytest.param("<button formaction=javascript:alert(1)>x</button>", id="button-formaction"),
    pytest.param('<link rel="stylesheet" href="javascript:alert(1)">', id="link-tag"),
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_renders_harmless(payload):
    """No payload yields a foreign element, an event handler, a style or a dangerous link."""
    html = render_markdown(payload)
    assert isinstance(html, Markup)
    assert_safe(html)


@pytest.mark.parametrize(
    "html",
    [
        '<a href="javascript:alert(1)" onclick="x()" title="t" style="color:red">x</a>',
        '<img src="https://example.com/p.png"><iframe src="https://example.com"></iframe>',
        "<h1>page title</h1><h2>section</h2><div><span>x</span></div>",
        '<ol start="2" type="i" reversed><li class="x" id="y">a</li></ol>',
        "<script>alert(1)</script><style>p{}</style><!-- c -->",
        '<a href="vbscript:x" rel="opener">x</a><a href="data:text/html,x">y</a>',
    ],
)
def test_sanitiser_decides_whatever_the_renderer_emits(html):
    """Defence in depth: HTML markdown-it would never produce is still cut down to the allow-list."""
    cleaned = _sanitise(html)
    assert_safe(cleaned)
    assert "alert" not in cleaned


def test_raw_html_shows_as_text():
    """Raw HTML is not interpreted: the reader sees the tags as typed."""
    html = render_markdown('Hi <b onclick="x()">there</b>')
    assert parse(html).elements == [("p", [])]
    assert visible_text(html) == 'Hi <b onclick="x()">there</b>'


def test_strong_and_emphasis():
    """**x** and *x* become <strong> and <em>."""
    assert render_markdown("**重要** and *note*") == "<p><strong>重要</strong> and <em>note</em></p>\n"


def test_lists():
    """Bullet and numbered lists, the numbered one keeping its first number."""
    html = render_markdown("- 一\n- 二\n\n3. three\n4. four")
    assert [tag for tag, _ in parse(html).elements] == ["ul", "li", "li", "ol", "li", "li"]
    assert ("ol", [("start", "3")]) in parse(html).elements


def test_link_gets_rel_and_loses_title():
    """A link keeps its href and text, gains rel and drops the title attribute."""
    html = render_markdown('[公告](https://example.cn/notice/1 "title")')
    assert html == '<p><a href="https://example.cn/notice/1" rel="nofollow noopener noreferrer">公告</a></p>\n'


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("<https://example.cn/a?b=1&c=2>", "https://example.cn/a?b=1&c=2"),
        ("<mailto:yw@example.cn>", "mailto:yw@example.cn"),
        ("<yw@example.cn>", "mailto:yw@example.cn"),
        ("[会议](/meetings/12#minutes)", "/meetings/12#minutes"),
        ("[x][r]\n\n[r]: https://example.cn/r", "https://example.cn/r"),
    ],
)
def test_safe_links_survive(source, href):
    """Autolinks, mailto, relative links and reference-style links stay links."""
    (element,) = parse(render_markdown(source)).elements[1:]
    assert element[0] == "a"
    assert dict(element[1])["href"] == href


def test_code_block_shows_script_as_text():
    """A fenced block keeps <script> as escaped text the reader sees, and loses its language class."""
    html = render_markdown("```html\n<script>alert(1)</script>\n```")
    assert html == "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n"
    assert visible_text(html) == "<script>alert(1)</script>"


def test_inline_code():
    """Backticks make inline code with its content escaped."""
    assert render_markdown("用 `a < b` 比较") == "<p>用 <code>a &lt; b</code> 比较</p>\n"


def test_chinese_text_untouched():
    """Chinese punctuation and full-width characters pass through as typed."""
    text = "业主大会定于５月１日召开，请大家准时参加！（地点：会所）"
    assert render_markdown(text) == f"<p>{text}</p>\n"


def test_single_newline_is_a_line_break():
    """Chinese users type one newline for a new line, so a soft break renders as <br>; a blank line a paragraph."""
    assert render_markdown("第一行\n第二行\n\n新段落") == "<p>第一行<br>\n第二行</p>\n<p>新段落</p>\n"


@pytest.mark.parametrize(
    ("source", "tag"),
    [
        ("# 标题", "h3"),
        ("## 小节", "h4"),
        ("### 三级", "h5"),
        ("#### 四级", "h6"),
        ("###### 六级", "h6"),
        ("标题\n===", "h3"),
    ],
)
def test_headings_move_below_the_page_headings(source, tag):
    """The page owns h1 and h2: user headings start at h3 and stop at h6."""
    assert [t for t, _ in parse(render_markdown(source)).elements] == [tag]


def test_blockquote_rule_and_table():
    """Blockquotes, horizontal rules and pipe tables render; column alignment (a style) is dropped."""
    html = render_markdown("> 引用\n\n---\n\n| 房号 | 面积 |\n|:--|--:|\n| 101 | 88.50 |")
    tags = [tag for tag, _ in parse(html).elements]
    assert tags[:3] == ["blockquote", "p", "hr"]
    assert tags[3:] == ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]
    assert "style" not in html


def test_image_becomes_a_link_to_an_http_url():
    """An image never loads by itself: it becomes a link reading its alt text."""
    html = render_markdown("![平面图](https://example.cn/plan.png)")
    assert html == '<p><a href="https://example.cn/plan.png" rel="nofollow noopener noreferrer">平面图</a></p>\n'


@pytest.mark.parametrize(
    ("source", "text", "hrefs"),
    [
        ("![平面图](data:image/png;base64,iVBORw0KGgo=)", "平面图", []),
        ("![平面图](/static/plan.png)", "平面图", []),
        ("[![logo](https://example.cn/l.png)](https://example.cn)", "logo", ["https://example.cn"]),
    ],
)
def test_image_otherwise_becomes_its_alt_text(source, text, hrefs):
    """A non-http(s) image is just its alt text, and an image inside a link adds no second link."""
    html = render_markdown(source)
    assert visible_text(html) == text
    assert [dict(attrs)["href"] for tag, attrs in parse(html).elements if tag == "a"] == hrefs


@pytest.mark.parametrize("empty", [None, "", "\n\n  \n"])
def test_empty_input(empty):
    """Nothing to show renders as empty Markup."""
    assert render_markdown(empty) == Markup("")


def test_long_text_renders_like_short_text():
    """Long minutes go through the same renderer as a short comment."""
    paragraph = "**甲** " + "乙" * 6000
    assert render_markdown(paragraph) == f"<p><strong>甲</strong> {'乙' * 6000}</p>\n"


def test_plain_text_filter_in_templates(app):
    """`{{ body|plain_text }}` (excerpts) shows the words without Markdown marks, escaped once."""
    template = app.jinja_env.from_string("<p>{{ body|plain_text }}</p>")
    with app.app_context():
        assert template.render(body="**议题** <i>x</i> & y") == "<p>议题 &lt;i&gt;x&lt;/i&gt; &amp; y</p>"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (None, ""),
        ("", ""),
        ("# 标题\n\n**重要**：请   *准时*\n参加。", "标题 重要：请 准时 参加。"),
        ("- 一\n- 二\n\n> 引用", "一 二 引用"),
        ("[公告](https://example.cn) ![图](https://example.cn/p.png)", "公告 图"),
        ("`a < b` &amp; <b>raw</b>", "a < b & <b>raw</b>"),
        ("```\nprint(1)\n```\n结束", "print(1) 结束"),
        ("| 房号 | 面积 |\n|--|--|\n| 101 | 88.50 |", "房号 面积 101 88.50"),
        ("[x][r]\n\n[r]: https://example.cn", "x"),
    ],
)
def test_plain_text(source, expected):
    """Markup removed, entities decoded, whitespace collapsed: words for search and excerpts."""
    assert plain_text(source) == expected
