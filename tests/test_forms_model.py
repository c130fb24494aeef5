"""The form model built from the real shapes as the store holds them (oscartes_kg.forms)."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from oscartes_kg import dumps, forms, graphs
from oscartes_kg.forms.values import parse_form
from oscartes_kg.store import open_store
from web_helpers import log_in, make_site_data, site

XSD = "http://www.w3.org/2001/XMLSchema#"
OSCSH = "https://w3id.org/oscartes/shapes#"
SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    data = tmp_path_factory.mktemp("forms") / "kb"
    make_site_data(data)
    with open_store(data=data) as opened:
        yield opened


class Form(dict):
    """A posted form: name -> list of values."""

    def getlist(self, name):
        return list(dict.get(self, name, []))

    def get(self, name, default=None):
        values = dict.get(self, name)
        return values[0] if values else default


def test_every_kind_has_a_form_with_a_required_name_first(store):
    for kind in forms.KINDS:
        model = forms.model_for(store, kind)
        first = model.groups[0].fields[0]
        assert (first.name, first.required, first.label("fr"), first.label("en")) == ("label", True, "nom", "name")
        assert model.groups[0].label("fr") == "Identité"


def test_sections_follow_group_order_then_field_order(store):
    model = forms.model_for(store, "event")
    assert [g.label("fr") for g in model.groups] == [
        "Identité", "Présentation", "Thèmes et compétences", "Dates", "Localisation", "Contact",
        "Acteurs liés"]
    assert model.field("organizer").label("fr") == "organisateur"  # schema:organizer, osc:Actor
    dates = next(g for g in model.groups if g.label("fr") == "Dates")
    assert [f.name for f in dates.fields] == ["startDate", "endDate"]
    start = model.field("startDate")
    assert start.required and set(start.datatypes) == {XSD + "date", XSD + "dateTime", XSD + "gYearMonth", XSD + "gYear"}


def test_one_field_per_property_with_the_strictest_constraints(store):
    description = forms.model_for(store, "organisation").field("description")
    assert (description.widget, description.max_length, description.min_length) == ("textarea", 5000, 20)
    assert description.help("en").startswith("A few sentences")
    lat = forms.model_for(store, "organisation").field("lat")
    assert (lat.widget, lat.max_count, lat.minimum, lat.maximum) == ("number", 1, -90.0, 90.0)


def test_thesaurus_choices_are_a_tree_in_the_shape_scheme(store):
    theme = forms.model_for(store, "initiative").field("theme")
    assert theme.widget == "choice" and theme.scheme == "https://w3id.org/oscartes/id/scheme/themes"
    by_iri = {iri: (labels, depth) for iri, labels, depth in theme.choices}
    assert by_iri["https://w3id.org/oscartes/id/theme/alimentation"] == ({"fr": "Alimentation", "en": "Food"}, 0)
    assert by_iri["https://w3id.org/oscartes/id/theme/agriculture-biologique"][1] == 2
    order = [iri for iri, _, _ in theme.choices]
    assert order.index("https://w3id.org/oscartes/id/theme/agriculture-paysanne") < \
        order.index("https://w3id.org/oscartes/id/theme/agriculture-biologique")
    kinds = forms.model_for(store, "need").field("needOfferKind")
    assert kinds.required and len(kinds.choices) == 7


def test_references_communes_and_the_consent_sub_form(store):
    need = forms.model_for(store, "need")
    assert (need.field("postedBy").widget, need.field("postedBy").reference_class) == (
        "reference", "https://w3id.org/oscartes/ns#Actor")
    assert need.field("commune").widget == "commune"
    assert forms.model_for(store, "call").field("funder").widget == "reference"
    person = forms.model_for(store, "person")
    consent = person.field("consent")
    assert consent.widget == "nested" and consent.required
    assert [s.name for s in consent.fields] == ["date", "consentScope", "consentMethod", "consentWithdrawn"]
    assert person.field("consent.date").widget == "date" and person.field("consent.date").required


def test_person_contact_details_are_private_fields_and_vcard_is_left_out(store):
    person = forms.model_for(store, "person")
    assert person.field("email").private and person.field("telephone").private
    assert person.field("hasEmail") is None and person.field("hasTelephone") is None
    assert not forms.model_for(store, "organisation").field("email").private


def test_review_lifecycle_is_not_a_form_field(store):
    initiative = forms.model_for(store, "initiative")
    assert initiative.by_path("https://w3id.org/oscartes/ns#hasCharterReview") is None
    assert initiative.field("carriedBy").widget == "reference"


def test_unknown_kind(store):
    from oscartes_kg.errors import NotFound
    with pytest.raises(NotFound):
        forms.model_for(store, "territory")


def test_values_are_parsed_strictly(store):
    model = forms.model_for(store, "event")
    parsed = parse_form(model, Form(label=["Fête"], startDate=["2026-02-30"], url=["http://exa mple.org"],
                                    theme=["https://evil.example/x"], lat=["abc"]), store)
    assert set(parsed.errors) == {"startDate", "url", "theme", "lat"}
    parsed = parse_form(model, Form(label=["Fête"], startDate=["2026-05"], commune=["91692"]), store)
    assert not parsed.errors
    values = {t.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]: t.object for t in parsed.draft}
    assert values["startDate"] == ox.Literal("2026-05", datatype=ox.NamedNode(XSD + "gYearMonth"))
    assert values["lat"] == ox.Literal("48.681", datatype=ox.NamedNode(XSD + "decimal"))  # the centroid
    parsed = parse_form(model, Form(label=["Fête"], startDate=["2026"], address=["1 rue des Lilas"]), store)
    assert "géocodage" in parsed.errors["commune"][0]


def test_a_new_property_shape_in_the_store_appears_in_the_form(tmp_path):
    with site(tmp_path) as (app, _):
        store = app.extensions["oscartes_store"]
        assert forms.model_for(store, "commons").field("license") is None
        shape = ox.NamedNode(OSCSH + "CommonsLicenceForTest")
        node = ox.NamedNode(OSCSH + "CommonsShape")
        s = lambda p, o: ox.Quad(shape, ox.NamedNode(SH + p), o, graphs.SHAPES)  # noqa: E731
        store.insert([
            ox.Quad(node, ox.NamedNode(SH + "property"), shape, graphs.SHAPES),
            s("path", ox.NamedNode("http://purl.org/dc/terms/license")),
            s("name", ox.Literal("licence du commun", language="fr")),
            s("name", ox.Literal("licence of the commons", language="en")),
            s("description", ox.Literal("Sous quelle licence le commun est partagé.", language="fr")),
            s("datatype", ox.NamedNode(XSD + "anyURI")), s("maxCount", ox.Literal("1", datatype=ox.NamedNode(XSD + "integer"))),
            s("group", ox.NamedNode(OSCSH + "CommonsGroup")), s("order", ox.Literal("3", datatype=ox.NamedNode(XSD + "decimal")))])
        dumps.stamp_change(store)  # what every write path does
        licence = forms.model_for(store, "commons").field("license")
        assert (licence.widget, licence.max_count, licence.label("fr")) == ("url", 1, "licence du commun")
        client = app.test_client()
        log_in(client, "contrib")
        page = client.get("/contribute/commons").get_data(as_text=True)
        assert 'name="license" type="url"' in page and "licence du commun" in page
        assert "Sous quelle licence le commun est partagé." in page


def test_model_is_cached_per_schema_version(store):
    assert forms.model_for(store, "offer") is forms.model_for(store, "offer")
