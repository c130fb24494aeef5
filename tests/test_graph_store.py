"""/graph-store over real HTTP, on both backends: the SPARQL 1.1 Graph Store HTTP Protocol with
indirect identification, writes validated like `load`, private graphs answering 404."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
import requests

from conftest import SECRET_MAIL, served_site
from oscartes_kg import graphs

COLLECTIVE = "https://w3id.org/oscartes/id/organisation/oscartes"
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OSC = "https://w3id.org/oscartes/ns#"


@pytest.fixture(scope="module", params=["embedded", "remote"])
def site(request, tmp_path_factory, module_live_server):
    with served_site(request, tmp_path_factory, module_live_server, request.param) as served:
        served.store_url = served.url + "/graph-store"
        yield served


def _graph(site, name: str) -> str:
    return f"https://w3id.org/oscartes/graph/import/gsp-{site.backend}-{name}"


def _triples(answer, rdf_format=ox.RdfFormat.TURTLE) -> set:
    assert answer.status_code == 200, answer.text
    return {ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(answer.content, format=rdf_format)}


def _turtle(*lines: str) -> bytes:
    return "\n".join(lines).encode()


GOOD = _turtle(f"<{COLLECTIVE}> <{SEE_ALSO}> <https://example.org/gsp> .")


def test_get_a_public_graph_in_each_rdf_format(site):
    for accept, rdf_format in (("text/turtle", ox.RdfFormat.TURTLE),
                               ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                               ("application/ld+json", ox.RdfFormat.JSON_LD),
                               ("application/rdf+xml", ox.RdfFormat.RDF_XML)):
        answer = requests.get(site.store_url, params={"graph": graphs.DEMO.value},
                              headers={"Accept": accept}, timeout=30)
        assert answer.headers["Content-Type"].startswith(accept)
        triples = _triples(answer, rdf_format)
        labels = {t.object.value for t in triples
                  if t.subject == ox.NamedNode(COLLECTIVE) and t.predicate == ox.NamedNode(LABEL)}
        assert labels and all("OSCARTES" in label for label in labels)
    assert requests.get(site.store_url, params={"graph": graphs.DEMO.value},
                        headers={"Accept": "image/png"}, timeout=30).status_code == 406


def test_head_answers_like_get_without_a_body(site):
    head = requests.head(site.store_url, params={"graph": graphs.DEMO.value}, timeout=30)
    assert head.status_code == 200 and head.headers["Content-Type"].startswith("text/turtle")
    assert head.content == b""
    assert requests.head(site.store_url, params={"graph": _graph(site, "none")},
                         timeout=30).status_code == 404


def test_default_graph_is_the_union_of_public_graphs(site):
    union = _triples(requests.get(site.store_url, params={"default": ""}, timeout=30))
    demo = _triples(requests.get(site.store_url, params={"graph": graphs.DEMO.value}, timeout=30))
    assert demo < union
    assert SECRET_MAIL not in {t.object.value for t in union if isinstance(t.object, ox.Literal)}


def test_private_and_unknown_graphs_answer_404(site):
    for graph in (graphs.PRIVATE_CONTACTS.value, graphs.PRIVATE_ACCOUNTS.value, _graph(site, "none")):
        answer = requests.get(site.store_url, params={"graph": graph},
                              headers={"Accept": "application/json"}, timeout=30)
        assert answer.status_code == 404 and SECRET_MAIL not in answer.text
    contacts = requests.get(site.store_url, params={"graph": graphs.PRIVATE_CONTACTS.value},
                            headers=site.bearer("curator"), timeout=30)
    assert contacts.status_code == 200 and SECRET_MAIL in contacts.text


def test_writes_need_a_token_and_a_role(site):
    graph = _graph(site, "auth")
    for method in ("PUT", "POST", "DELETE"):
        anonymous = requests.request(method, site.store_url, params={"graph": graph}, data=GOOD,
                                     headers={"Content-Type": "text/turtle"}, timeout=30)
        assert anonymous.status_code == 401 and "Bearer" in anonymous.headers["WWW-Authenticate"]
        contributor = requests.request(method, site.store_url, params={"graph": graph}, data=GOOD,
                                       timeout=30, headers={"Content-Type": "text/turtle",
                                                            **site.bearer("contributor")})
        assert contributor.status_code == 403
    assert requests.get(site.store_url, params={"graph": graph}, timeout=30).status_code == 404


def test_put_creates_201_then_replaces_204_post_merges_delete_removes(site):
    graph = _graph(site, "cycle")
    write = {"Content-Type": "text/turtle", **site.bearer("curator")}
    created = requests.put(site.store_url, params={"graph": graph}, data=GOOD, headers=write,
                           timeout=30)
    assert created.status_code == 201, created.text
    replacement = _turtle(f"<{COLLECTIVE}> <{SEE_ALSO}> <https://example.org/gsp-2> .")
    replaced = requests.put(site.store_url, params={"graph": graph}, data=replacement,
                            headers=write, timeout=30)
    assert replaced.status_code == 204
    merged = requests.post(site.store_url, params={"graph": graph}, data=GOOD, headers=write,
                           timeout=30)
    assert merged.status_code == 204
    objects = {t.object.value for t in _triples(requests.get(site.store_url, params={"graph": graph},
                                                             timeout=30))}
    assert objects == {"https://example.org/gsp", "https://example.org/gsp-2"}
    deleted = requests.delete(site.store_url, params={"graph": graph}, headers=site.bearer("curator"),
                              timeout=30)
    assert deleted.status_code == 204
    assert requests.get(site.store_url, params={"graph": graph}, timeout=30).status_code == 404
    again = requests.delete(site.store_url, params={"graph": graph}, headers=site.bearer("curator"),
                            timeout=30)
    assert again.status_code == 404


def test_post_to_a_new_graph_is_201_and_json_ld_bodies_are_read(site):
    graph = _graph(site, "jsonld")
    body = json.dumps({"@id": COLLECTIVE, SEE_ALSO: {"@id": "https://example.org/jsonld"}})
    answer = requests.post(site.store_url, params={"graph": graph}, data=body.encode(), timeout=30,
                           headers={"Content-Type": "application/ld+json", **site.bearer("curator")})
    assert answer.status_code == 201, answer.text
    assert len(_triples(requests.get(site.store_url, params={"graph": graph}, timeout=30))) == 1


def test_a_violating_write_is_422_with_the_report_and_changes_nothing(site):
    graph = _graph(site, "invalid")
    nameless = _turtle(f"<https://w3id.org/oscartes/id/organisation/sans-nom> a <{OSC}Organisation> .")
    as_json = requests.put(site.store_url, params={"graph": graph}, data=nameless, timeout=30,
                           headers={"Content-Type": "text/turtle", "Accept": "application/json",
                                    **site.bearer("curator")})
    assert as_json.status_code == 422
    assert any(e["entity"].endswith("sans-nom") for e in as_json.json()["errors"])
    as_turtle = requests.post(site.store_url, params={"graph": graph}, data=nameless, timeout=30,
                              headers={"Content-Type": "text/turtle", "Accept": "text/turtle",
                                       **site.bearer("curator")})
    assert as_turtle.status_code == 422 and as_turtle.headers["Content-Type"].startswith("text/turtle")
    report = rdflib.Graph().parse(data=as_turtle.text, format="turtle")
    assert (None, rdflib.SH.conforms, rdflib.Literal(False)) in report
    assert requests.get(site.store_url, params={"graph": graph}, timeout=30).status_code == 404


def test_bad_requests_get_the_right_status(site):
    write = site.bearer("curator")
    graph = _graph(site, "bad")
    malformed = requests.put(site.store_url, params={"graph": graph}, data=b"<a> <b> .", timeout=30,
                             headers={"Content-Type": "text/turtle", **write})
    assert malformed.status_code == 400
    unsupported = requests.put(site.store_url, params={"graph": graph}, data=b"x", timeout=30,
                               headers={"Content-Type": "text/plain", **write})
    assert unsupported.status_code == 415
    remote_context = requests.post(site.store_url, params={"graph": graph}, timeout=30,
                                   data=b'{"@context": "http://127.0.0.1:1/c", "@id": "http://e/a"}',
                                   headers={"Content-Type": "application/ld+json", **write})
    assert remote_context.status_code == 400 and "@context" in remote_context.json()["error"]
    assert requests.get(site.store_url, timeout=30).status_code == 400
    both = requests.get(site.store_url, params={"graph": graphs.DEMO.value, "default": ""},
                        timeout=30)
    assert both.status_code == 400
    patch = requests.patch(site.store_url, params={"graph": graph}, timeout=30)
    assert patch.status_code == 405 and "PUT" in patch.headers["Allow"]
    replace_default = requests.put(site.store_url, params={"default": ""}, data=GOOD, timeout=30,
                                   headers={"Content-Type": "text/turtle", **write})
    assert replace_default.status_code == 405 and "PUT" not in replace_default.headers["Allow"]
    schema = requests.put(site.store_url, params={"graph": graphs.SHAPES.value}, data=GOOD,
                          timeout=30, headers={"Content-Type": "text/turtle", **site.bearer("admin")})
    assert schema.status_code == 403


def test_post_to_the_default_graph_lands_in_contributions(site):
    link = f"https://example.org/default-{site.backend}"
    body = _turtle(f"<{COLLECTIVE}> <{SEE_ALSO}> <{link}> .")
    answer = requests.post(site.store_url, params={"default": ""}, data=body, timeout=30,
                           headers={"Content-Type": "text/turtle", **site.bearer("curator")})
    assert answer.status_code in (201, 204), answer.text
    contributions = _triples(requests.get(site.store_url, params={"graph": graphs.CONTRIBUTIONS.value},
                                          timeout=30))
    assert ox.Triple(ox.NamedNode(COLLECTIVE), ox.NamedNode(SEE_ALSO), ox.NamedNode(link)) in contributions


def test_public_dumps_follow_a_protocol_write(site):
    import gzip

    before = gzip.decompress(requests.get(site.url + "/dumps/public.nq.gz", timeout=60).content)
    graph = _graph(site, "dump")
    link = f"https://example.org/dump-{site.backend}"
    answer = requests.put(site.store_url, params={"graph": graph}, timeout=30,
                          data=_turtle(f"<{COLLECTIVE}> <{SEE_ALSO}> <{link}> ."),
                          headers={"Content-Type": "text/turtle", **site.bearer("curator")})
    assert answer.status_code == 201
    after = gzip.decompress(requests.get(site.url + "/dumps/public.nq.gz", timeout=60).content)
    assert link.encode() not in before
    if site.backend == "embedded":  # a remote store's dumps are remade by age (dumps_max_age)
        assert link.encode() in after and SECRET_MAIL.encode() not in after
