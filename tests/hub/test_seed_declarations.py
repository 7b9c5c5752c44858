"""Every seeded kind's entries are declared once (hub.kinds: Kind.seed); the loader, the
hub document's writer and its reader work from these declarations, so they must hold."""

import pytest

from hub import kinds
from hub.content import document as doc
from hub.content.entries import LINK, LINKS, MARKDOWN, SLUG
from hub.content.loader import DATA_DIR, FILES, LOAD_ORDER

SEEDED = kinds.seeded()


@pytest.mark.parametrize("kind", SEEDED, ids=lambda kind: kind.type_name)
def test_a_seed_declares_model_fields_with_one_slug_and_one_text(kind):
    seed = kind.seed
    names = [f.name for f in seed.fields]
    assert len(names) == len(set(names))
    assert [f.type for f in seed.fields].count(SLUG) == 1
    assert [f.type for f in seed.fields].count(MARKDOWN) == 1
    assert seed.title in names
    for field in seed.fields:
        model_field = kind.model._meta.get_field(field.name)  # raises if it is not one
        assert model_field.is_relation == field.is_relation, field.name
        if field.is_relation:
            assert field.target in doc.SEEDS, field.name
    for name in seed.lines:  # every line has a label, read back by it
        assert seed.field(name).label, name
    assert (DATA_DIR / seed.file).is_file()


def test_sections_have_unique_ids_and_positions():
    sections = [s for kind in SEEDED for s in kind.seed.sections]
    assert len({s.id for s in sections}) == len(sections)
    assert len({s.position for s in sections}) == len(sections)
    assert [s.id for s in doc.SECTIONS] == [
        s.id for s in sorted(sections, key=lambda s: s.position)
    ]


def test_every_kind_loads_after_the_kinds_it_links_to():
    for kind in SEEDED:
        for field in kind.seed.fields:
            if field.type in (LINK, LINKS) and field.target != kind.seed.entry:
                assert LOAD_ORDER.index(field.target) < LOAD_ORDER.index(kind.seed.entry)
    assert set(FILES) == {kind.seed.entry for kind in SEEDED}
