"""``OSC`` matches the vocabulary and refuses typos."""
from __future__ import annotations

import pytest

from oscartes_kg.namespaces import OSC, vocabulary_terms


def test_generated_terms_match_the_ontology():
    declared = sorted(name for name in OSC.__annotations__ if not name.startswith("_"))
    assert declared == vocabulary_terms()


def test_a_typo_fails():
    assert str(OSC.Initiative) == "https://w3id.org/oscartes/ns#Initiative"
    with pytest.raises(AttributeError):
        OSC.Initiativ  # noqa: B018
