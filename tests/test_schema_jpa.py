"""JPA / Hibernate entities feed the schema criteria (tables, keys, FK indexes, NOT NULL)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from backend_skills import Report, score
from backend_skills.checkers.schema import evaluate_schema, merge_schema, resolve_models
from backend_skills.checkers.schema._jpa import read_jpa

from .conftest import TreeFactory

BASE = """
    package app.model;

    import jakarta.persistence.*;

    @MappedSuperclass
    public class BaseEntity {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        private Integer id;
    }
"""

OWNER = """
    package app.model;

    import jakarta.persistence.*;
    import jakarta.validation.constraints.NotBlank;

    @Entity
    @Table(name = "owners", indexes = {@Index(name = "ix_last", columnList = "last_name")})
    public class Owner extends BaseEntity {
        @Column(name = "last_name", nullable = false, length = 30)
        private String lastName;

        @NotBlank
        private String telephone;

        @OneToMany(cascade = CascadeType.ALL)
        @JoinColumn(name = "owner_id")
        private List<Pet> pets;

        private static final long serialVersionUID = 1L;
    }
"""

PET = """
    package app.model;

    import jakarta.persistence.*;

    @Entity
    @Table(name = "pets")
    public class Pet extends BaseEntity {
        private String nickname;

        @ManyToOne(optional = false)
        @JoinColumn(name = "type_id")
        private PetType type;

        @ManyToMany
        @JoinTable(name = "pet_tags", joinColumns = @JoinColumn(name = "pet_id"),
                inverseJoinColumns = @JoinColumn(name = "tag_id"))
        private Set<Tag> tags;
    }
"""

SMALL = """
    package app.model;

    import jakarta.persistence.*;

    @Entity
    @Table(name = "types")
    public class PetType extends BaseEntity {
        @Column(nullable = false, unique = true)
        private String name;
    }
"""

TAG = """
    package app.model;

    import jakarta.persistence.*;

    @Entity
    public class Tag extends BaseEntity {
        private String label;
    }
"""


def _files() -> dict[str, str]:
    return {
        "src/main/java/app/model/BaseEntity.java": BASE,
        "src/main/java/app/model/Owner.java": OWNER,
        "src/main/java/app/model/Pet.java": PET,
        "src/main/java/app/model/PetType.java": SMALL,
        "src/main/java/app/model/Tag.java": TAG,
    }


def _tables() -> dict[str, Any]:
    """The merged tables (facts, columns by lower-case name, indexes) of the entity set."""
    files = {
        path: ("source", read_jpa(path, textwrap.dedent(text))) for path, text in _files().items()
    }
    return dict(merge_schema(resolve_models(files)))


def _score(root: Path) -> Report:
    return score(root, skills=["database"], isolated=True)


def test_entities_inherit_the_key_of_their_mapped_superclass() -> None:
    tables = _tables()
    assert sorted(tables) == ["owners", "pet_tags", "pets", "tag", "types"]
    for key in ("owners", "pets", "types", "tag"):
        assert tables[key].facts["pk"] == ["id"]
    assert "BaseEntity" not in str(sorted(tables))


def test_columns_nullability_and_names() -> None:
    owners = _tables()["owners"].columns
    assert owners["last_name"]["not_null"] is True
    assert owners["telephone"]["not_null"] is True  # @NotBlank
    assert "serial_version_uid" not in owners
    pets = _tables()["pets"].columns
    assert pets["nickname"]["not_null"] is False
    assert pets["type_id"]["not_null"] is True  # optional = false
    assert pets["type_id"]["ref"] == "types"  # resolved to PetType's table


def test_relations_become_foreign_keys_on_the_right_table() -> None:
    tables = _tables()
    # @OneToMany + @JoinColumn on Owner puts owner_id on pets.
    pets_fks = tables["pets"].facts["fks"]
    assert {"cols": ["owner_id"], "ref": "owners"} in pets_fks
    assert {"cols": ["type_id"], "ref": "types"} in pets_fks
    link = tables["pet_tags"].facts
    assert link["pk"] == ["pet_id", "tag_id"]
    assert link["fks"] == [
        {"cols": ["pet_id"], "ref": "pets"},
        {"cols": ["tag_id"], "ref": "tag"},
    ]
    assert tables["owners"].indexes == [["last_name"]]


def test_unindexed_foreign_keys_and_unconstrained_tables_are_found_at_the_entity(
    make_tree: TreeFactory,
) -> None:
    report = _score(make_tree(_files()))
    fk_index = [(f.path, f.line) for f in report.findings if f.rule == "BSDB103"]
    # pets: type_id and owner_id; the pet_tags link table: tag_id (its key leads with pet_id).
    assert fk_index == [
        ("src/main/java/app/model/Pet.java", 7),
        ("src/main/java/app/model/Pet.java", 14),
    ]
    constraints = [(f.path, f.line) for f in report.findings if f.rule == "BSDB104"]
    assert constraints == [("src/main/java/app/model/Tag.java", 6)]
    assert report.criterion("database.primary_keys").score == 100.0
    assert report.criterion("database.primary_keys").metrics["schema.tables"] == 5.0


def test_a_clean_entity_set_has_no_schema_findings(make_tree: TreeFactory) -> None:
    clean_pet = PET.replace(
        '@Table(name = "pets")',
        '@Table(name = "pets", indexes = {@Index(columnList = "type_id"), '
        '@Index(columnList = "owner_id")})',
    ).replace(
        "private String nickname;", "@Column(nullable = false)\n        private String nickname;"
    )
    clean_pet = clean_pet[: clean_pet.index("@ManyToMany")] + "}\n"
    clean_tag = TAG.replace("private String label;", "@NotNull\n        private String label;")
    files = {
        **_files(),
        "src/main/java/app/model/Pet.java": clean_pet,
        "src/main/java/app/model/Tag.java": clean_tag,
    }
    report = _score(make_tree(files))
    schema_rules = {"BSDB101", "BSDB102", "BSDB103", "BSDB104"}
    assert [f.rule for f in report.findings if f.rule in schema_rules] == []
    assert report.criterion("database.fk_indexes").score == 100.0


def test_without_entities_the_schema_is_not_assessed(make_tree: TreeFactory) -> None:
    root = make_tree({"src/main/java/app/Util.java": "class Util { int x; }\n"})
    assert not _score(root).criterion("database.primary_keys").applicable


def test_schema_is_evaluated_from_resolved_facts_only() -> None:
    facts = read_jpa("Tag.java", textwrap.dedent(TAG))
    report = evaluate_schema({"Tag.java": ("source", facts)})
    tables = {m.name: m.value for m in report.metrics}
    # Tag's base class is in a file not given: the table is read, and its key, declared
    # by a base class that is not seen, is not reported missing.
    assert tables["schema.tables"] == 1.0
    assert tables["schema.pk_share"] == 1.0
    assert [f.rule for f in report.findings if f.rule == "BSDB101"] == []
    base = read_jpa("BaseEntity.java", textwrap.dedent(BASE))
    resolved = dict(
        merge_schema(
            resolve_models({"Tag.java": ("source", facts), "BaseEntity.java": ("source", base)})
        )
    )
    assert resolved["tag"].facts["pk"] == ["id"]  # inherited from the base, once it is seen


def test_generated_value_ids_are_not_generated_code(make_tree: TreeFactory) -> None:
    """``@GeneratedValue`` on a key is not the ``@generated`` marker of generated files."""
    from backend_skills.core.discovery import discover
    from backend_skills.core.models import Role

    root = make_tree(_files())
    roles = {f.path: f.role for f in discover(root).files}
    assert roles["src/main/java/app/model/BaseEntity.java"] is Role.SOURCE
