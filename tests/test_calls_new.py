"""A curator adds a call from its URL (issue 7 section 4): ``/calls/new?url=`` opens the call
form pre-filled with the URL and the page's title, read over real HTTP from a live local server;
the SSRF guard refuses loopback and private addresses (unless the test setting allows them),
other schemes, redirects to refused addresses, slow pages and what lies past 1 MB; what the
curator then posts is checked by the shapes.
"""
from __future__ import annotations

import html
import re
import time

import pytest
from flask import Flask, Response, redirect

from oscartes_kg import page_title
from web_helpers import csrf_from, log_in, site

TITLE = "Appel à projets « Jardins nourriciers » 2027 &amp; plus"


def call_site() -> tuple[Flask, dict]:
    """A small site publishing call pages, counting the requests it receives."""
    pages = Flask("call-pages")
    hits = {"count": 0}

    @pages.before_request
    def count():
        hits["count"] += 1

    @pages.get("/appel")
    def appel():
        return f"<!doctype html><html><head><meta charset='utf-8'><title>\n  {TITLE}\n</title></head><body>x</body></html>"

    @pages.get("/redirige")
    def redirige():
        return redirect("/appel", 302)

    @pages.get("/boucle")
    def boucle():
        return redirect("/boucle", 302)

    @pages.get("/vers-ailleurs")
    def vers_ailleurs():
        return redirect("http://127.0.0.2:9/secret", 302)

    @pages.get("/vers-fichier")
    def vers_fichier():
        return redirect("file:///etc/passwd", 302)

    @pages.get("/lente")
    def lente():
        time.sleep(2)
        return "<title>Trop tard</title>"

    @pages.get("/enorme")
    def enorme():
        def body():
            yield b"<html><head>"
            for _ in range(24):                      # 1.5 MB before the title
                yield b"<!-- " + b"x" * 65_000 + b" -->"
            yield b"<title>Au-dela du premier mega-octet</title></head></html>"
        return Response(body(), mimetype="text/html")

    @pages.get("/donnees")
    def donnees():
        return {"title": "pas une page"}

    return pages, hits


@pytest.fixture
def pages(live_server):
    app, hits = call_site()
    return live_server(app), hits


def test_title_is_read_from_a_live_page_and_redirects_are_followed(pages):
    base, _ = pages
    expected = html.unescape(TITLE)
    assert page_title.fetch_title(f"{base}/appel", allow_private=frozenset({"127.0.0.1"})).title == expected
    assert page_title.fetch_title(f"{base}/redirige", allow_private=True).title == expected


def test_loopback_and_private_addresses_are_refused_before_connecting(pages):
    base, hits = pages
    for url in (f"{base}/appel", f"http://localhost:{base.rsplit(':', 1)[1]}/appel",
                "http://10.1.2.3/appel", "http://169.254.169.254/latest/meta-data/",
                "http://[::1]/appel", "http://0.0.0.0/"):
        fetched = page_title.fetch_title(url)
        assert fetched.title is None and "protection SSRF" in fetched.problem, url
    assert hits["count"] == 0


def test_redirects_to_refused_addresses_and_loops_are_refused(pages):
    base, _ = pages
    only_here = frozenset({"127.0.0.1"})
    elsewhere = page_title.fetch_title(f"{base}/vers-ailleurs", allow_private=only_here)
    assert "protection SSRF" in elsewhere.problem          # 127.0.0.2 is loopback too
    to_file = page_title.fetch_title(f"{base}/vers-fichier", allow_private=only_here)
    assert to_file.problem.startswith("redirection vers une adresse refusée")
    assert page_title.fetch_title(f"{base}/boucle", allow_private=only_here).problem.startswith("trop de redirections")


def test_slow_pages_time_out_and_nothing_past_one_megabyte_is_read(pages):
    base, _ = pages
    slow = page_title.fetch_title(f"{base}/lente", allow_private=True, timeout=0.5)
    assert slow.title is None and "délai" in slow.problem
    big = page_title.fetch_title(f"{base}/enorme", allow_private=True)
    assert big.title is None and big.problem.startswith("la page n'a pas de titre")
    assert page_title.fetch_title(f"{base}/donnees", allow_private=True).problem.startswith("ce n'est pas une page HTML")


def test_the_connected_address_is_checked_again_before_anything_is_sent(pages):
    """As after a DNS answer that changed since the first check (rebinding): the guarded
    connection itself refuses the loopback peer, and the page never sees the request."""
    import requests

    base, hits = pages
    with requests.Session() as session:
        session.mount("http://", page_title._GuardedAdapter(False))
        with pytest.raises(page_title.Refused):
            session.get(f"{base}/appel", timeout=5)
    assert hits["count"] == 0


def test_other_schemes_are_refused():
    for url in ("file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1/", "http:///x", "javascript:alert(1)"):
        with pytest.raises(page_title.UsageError):
            page_title.fetch_title(url)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """The demo site that may read 127.0.0.1 (the test setting) and one that may not."""
    root = tmp_path_factory.mktemp("calls-new")
    with site(root / "allowed", fetch_private_addresses=True) as (allowed, _), \
            site(root / "guarded") as (guarded, _):
        yield allowed, guarded


def test_curators_get_the_call_form_prefilled_and_the_shapes_check_what_they_post(web, pages):
    allowed, _ = web
    base, _ = pages
    client = allowed.test_client()
    log_in(client)
    url = f"{base}/appel"
    page = client.get("/calls/new", query_string={"url": url}).text
    assert 'action="/contribute/call"' in page
    assert f'name="url" type="url" value="{url}"' in page
    label = re.search(r'<input id="f-label" name="label" type="text" value="([^"]*)"', page).group(1)
    assert html.unescape(label) == html.unescape(TITLE)
    token = csrf_from(page)
    missing = client.post("/contribute/call", data={"csrf_token": token, "label": html.unescape(label), "url": url})
    assert missing.status_code == 422
    assert "La date limite de l&#39;appel à projets est obligatoire" in missing.text
    written = client.post("/contribute/call", data={"csrf_token": token, "label": html.unescape(label),
                                                   "url": url, "deadline": "2027-03-31"})
    assert written.status_code == 303
    shown = client.get(written.headers["Location"]).text
    assert "Jardins nourriciers" in shown and url in shown


def test_the_guard_holds_in_the_app_without_the_test_setting(web, pages):
    _, guarded = web
    base, hits = pages
    client = guarded.test_client()
    log_in(client)
    page = client.get("/calls/new", query_string={"url": f"{base}/appel"}).text
    assert "protection SSRF" in page and 'value="Appel' not in page
    assert f'value="{base}/appel"' in page     # the address is kept: the curator types the rest
    assert hits["count"] == 0
    assert client.get("/calls/new", query_string={"url": "file:///etc/passwd"}).status_code == 400


def test_only_curators_and_admins_may_add_a_call_from_its_url(web, pages):
    allowed, _ = web
    base, hits = pages
    anonymous = allowed.test_client().get("/calls/new", query_string={"url": f"{base}/appel"})
    assert anonymous.status_code == 303 and anonymous.headers["Location"].startswith("/login?next=")
    contributor = allowed.test_client()
    log_in(contributor, "contrib")
    assert contributor.get("/calls/new", query_string={"url": f"{base}/appel"}).status_code == 403
    assert hits["count"] == 0
    admin = allowed.test_client()
    log_in(admin, "root")
    assert admin.get("/calls/new", query_string={"url": f"{base}/appel"}).status_code == 200
