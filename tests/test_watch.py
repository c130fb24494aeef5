"""The watch's core: saved searches in their private graph, newly matching entities from the
history, and e-mail digests received by a real SMTP server on 127.0.0.1 (aiosmtpd)."""
from __future__ import annotations

import email
import email.policy
import socket
import time

import pyoxigraph as ox
import pytest
from aiosmtpd.controller import Controller

from oscartes_kg import bootstrap, catalogue, changes, digests, graphs, roles, watch
from oscartes_kg.cli import main
from oscartes_kg.config import Settings
from oscartes_kg.errors import NotFound, UsageError
from oscartes_kg.store import open_store

OSC = "https://w3id.org/oscartes/ns#"
ID = "https://w3id.org/oscartes/id/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
OWNER = ID + "user/abc"


class Inbox:
    """aiosmtpd handler keeping every message received."""

    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(
            envelope.content, policy=email.policy.default)))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd checks its own port, so it needs a real one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


@pytest.fixture
def kb(tmp_path):
    with open_store(data=tmp_path / "kb") as store:
        bootstrap.init_store(store, demo=True)
        yield store


def _add_event(store, slug: str, label: str) -> str:
    """Publish an event through the real write path (validated, recorded in the history)."""
    node = ox.NamedNode(ID + "event/" + slug)
    quads = [ox.Quad(node, RDF_TYPE, ox.NamedNode(OSC + "Event"), graphs.DEMO),
             ox.Quad(node, LABEL, ox.Literal(label, language="fr"), graphs.DEMO),
             ox.Quad(node, ox.NamedNode("http://schema.org/startDate"),
                     ox.Literal("2031-05-04", datatype=ox.NamedNode(
                         "http://www.w3.org/2001/XMLSchema#date")), graphs.DEMO)]
    changes.apply(store, changes.Change(added=quads, targets={graphs.DEMO}), role="curator",
                  author="test", message="new event")
    return node.value


def test_parse_query_checks_every_parameter():
    assert watch.parse_query([("q", "vélo"), ("kind", "event"), ("kind", "event")]) == \
        watch.Query("vélo", ("event",))
    with pytest.raises(UsageError, match="type inconnu"):
        watch.parse_query([("kind", "spaceship")])
    with pytest.raises(UsageError, match="n'est pas une IRI"):
        watch.parse_query([("theme", "x> } DROP ALL {")])


def test_newly_matching_entities_come_newest_first_and_respect_since(kb):
    connection = watch.catalogue_connection(catalogue.open_catalogue(kb))
    query = watch.parse_query([("q", "reparation velo"), ("kind", "event")])
    assert watch.recent_matches(kb, connection, query) == []
    first = _add_event(kb, "atelier-reparation-velo-1", "Atelier réparation vélo n°1")
    time.sleep(1.1)
    mark = watch.recent_matches(kb, connection, query)[0].time
    second = _add_event(kb, "atelier-reparation-velo-2", "Atelier réparation vélo n°2")
    _add_event(kb, "concert", "Concert au jardin")
    connection = watch.catalogue_connection(catalogue.open_catalogue(kb))
    found = watch.recent_matches(kb, connection, query)
    assert [m.iri for m in found] == [second, first]
    assert found[0].label == "Atelier réparation vélo n°2" and found[0].kind == "event"
    assert [m.iri for m in watch.recent_matches(kb, connection, query, since=mark)] == [second]
    # A theme narrows like /search: the demo's events of that theme only.
    themed = watch.parse_query([("theme", ID + "theme/mobilite")])
    assert second not in {m.iri for m in watch.recent_matches(kb, connection, themed)}


def test_saved_searches_are_private_and_owned(kb):
    saved = watch.save(kb, OWNER, "Vélo", watch.parse_query([("q", "vélo")]), email="a@example.org")
    assert watch.saved_by(kb, OWNER) == [saved]
    assert watch.get(kb, saved.id, OWNER).email == "a@example.org"
    with pytest.raises(NotFound):
        watch.get(kb, saved.id, ID + "user/other")
    assert not graphs.is_public(watch.WATCH_GRAPH)
    assert watch.WATCH_GRAPH not in roles.readable_graphs(None, kb.graphs())
    assert watch.WATCH_GRAPH not in roles.readable_graphs("curator", kb.graphs())
    with pytest.raises(UsageError, match="adresse électronique invalide"):
        watch.save(kb, OWNER, "Vélo", watch.parse_query([("q", "vélo")]), email="a@b\r\nBcc: x@y")
    with pytest.raises(UsageError, match="ne cherche rien"):
        watch.save(kb, OWNER, "Rien", watch.Query())
    assert watch.by_token(kb, saved.token).iri == saved.iri
    watch.stop_digest(kb, saved)
    assert watch.with_digest(kb) == []
    watch.delete(kb, saved.id, OWNER)
    assert watch.saved_by(kb, OWNER) == [] and kb.count(watch.WATCH_GRAPH) == 0


def test_digest_is_sent_once_in_french_with_unsubscribe(kb, smtp, tmp_path):
    port, inbox = smtp
    settings = Settings(data=tmp_path / "kb", smtp_host="127.0.0.1", smtp_port=port,
                        smtp_starttls=False, public_url="https://veille.example")
    saved = watch.save(kb, OWNER, "Ateliers vélo", watch.parse_query([("q", "atelier velo")]),
                       email="camille@example.org")
    time.sleep(1.1)
    event = _add_event(kb, "atelier-velo-gare", "Atelier vélo <à la gare>")
    assert digests.send_digests(kb, settings) == digests.Sent(1, 0)
    (recipients, message), = inbox.messages
    assert recipients == ["camille@example.org"]
    assert message["Subject"] == "Veille OSCARTES « Ateliers vélo » : 1 nouveauté"
    assert message["From"] == settings.smtp_from
    unsubscribe = f"https://veille.example/watch/unsubscribe/{saved.token}"
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"  # may be folded
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Voici les nouveautés de votre veille « Ateliers vélo »" in text
    assert "Atelier vélo <à la gare> (Événement" in text and event.replace(
        "https://w3id.org/oscartes/id/", "https://veille.example/id/") in text
    assert "Atelier vélo &lt;à la gare&gt;" in html and "<à la gare>" not in html
    assert f'href="{unsubscribe}"' in html and "Se désabonner" in html
    assert "https://veille.example/watch/feed.atom?q=atelier+velo" in text
    # Nothing new: nothing sent again.
    assert digests.send_digests(kb, settings) == digests.Sent(0, 1)
    assert len(inbox.messages) == 1


def test_cli_send_digests(kb, smtp, tmp_path, monkeypatch):
    from click.testing import CliRunner

    port, inbox = smtp
    watch.save(kb, OWNER, "Fête", watch.parse_query([("q", "fete des possibles")]),
               email="b@example.org")
    kb.flush()
    kb.close()
    for name, value in {"OSCARTES_SMTP_HOST": "127.0.0.1", "OSCARTES_SMTP_PORT": str(port),
                        "OSCARTES_SMTP_STARTTLS": "false"}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["watch", "send-digests", "--data", str(tmp_path / "kb"),
                                       "--since", "2000-01-01T00:00:00+00:00",
                                       "--base-url", "http://127.0.0.1:5000"])
    assert result.exit_code == 0, result.output
    assert "1 digest(s) sent" in result.output
    (_, message), = inbox.messages
    assert "Fête des possibles 2021" in message.get_body(("plain",)).get_content()
    no_smtp = CliRunner().invoke(main, ["watch", "send-digests", "--data", str(tmp_path / "kb"),
                                        "--since", "2000-01-01T00:00:00+00:00"],
                                 env={"OSCARTES_PUBLIC_URL": "", "OSCARTES_SMTP_HOST": ""})
    assert no_smtp.exit_code == 3 and "adresse publique" in no_smtp.output


def test_gdpr_export_and_erase_cover_saved_searches(kb):
    from oscartes_kg import accounts, gdpr

    person = ID + "person/camille-veille"
    account = accounts.create(kb, "camille@example.org", "un long secret", "contributor",
                              acts_for=person)
    saved = watch.save(kb, account.iri, "Vélo", watch.parse_query([("q", "vélo")]),
                       email="camille@example.org")
    exported = gdpr.export(kb, person)
    assert any(q.graph_name == watch.WATCH_GRAPH and q.subject.value == saved.iri
               and q.object == ox.Literal("camille@example.org") for q in exported)
    gdpr.erase(kb, person)
    assert kb.count(watch.WATCH_GRAPH) == 0 and watch.saved_by(kb, account.iri) == []
