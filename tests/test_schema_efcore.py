"""EF Core entities: DbSet<T>, conventions, attributes and fluent configuration."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from backend_skills import Report, score
from backend_skills.checkers.schema import merge_schema, resolve_models
from backend_skills.checkers.schema._efcore import read_efcore

from .conftest import TreeFactory

BASE = """
    namespace Shop.Core;

    public abstract class BaseEntity
    {
        public virtual int Id { get; protected set; }
    }
"""

ORDER = """
    namespace Shop.Core;

    public class Order : BaseEntity, IAggregateRoot
    {
        public string BuyerId { get; private set; }
        public DateTimeOffset OrderDate { get; private set; } = DateTimeOffset.Now;
        public string? Note { get; set; }
        public List<OrderItem> Items { get; set; } = new();
        public decimal Total() => 0;
    }
"""

ITEM = """
    namespace Shop.Core;

    public class OrderItem : BaseEntity
    {
        public string? Sku { get; set; }
        public Product Product { get; set; }
    }
"""

PRODUCT = """
    namespace Shop.Core;

    [Table("Catalog")]
    [Index(nameof(Name), IsUnique = true)]
    public class Product
    {
        [Key]
        public Guid ProductKey { get; set; }
        [Required, MaxLength(50)]
        public string? Name { get; set; }
        public Status Status { get; set; }
        [NotMapped]
        public string? Display { get; set; }
    }
"""

TAG = """
    namespace Shop.Core;

    public class Tag
    {
        public string? Label { get; set; }
    }
"""

CONTEXT = """
    using Microsoft.EntityFrameworkCore;

    namespace Shop.Infrastructure;

    public class ShopContext : DbContext
    {
        public DbSet<Order> Orders { get; set; }
        public DbSet<OrderItem> OrderItems { get; set; }
        public DbSet<Product> Products { get; set; }

        protected override void OnModelCreating(ModelBuilder builder)
        {
            builder.Entity<Tag>(b =>
            {
                b.HasKey(t => t.Label);
                b.ToTable("Tags");
            });
        }
    }
"""

CONFIG = """
    using Microsoft.EntityFrameworkCore;

    namespace Shop.Infrastructure;

    public class OrderConfiguration : IEntityTypeConfiguration<Order>
    {
        public void Configure(EntityTypeBuilder<Order> builder)
        {
            builder.Property(o => o.Note)
                .HasMaxLength(256)
                .IsRequired();
            builder.HasIndex(o => new { o.BuyerId, o.OrderDate });
        }
    }
"""


def _files() -> dict[str, str]:
    return {
        "src/Core/BaseEntity.cs": BASE,
        "src/Core/Order.cs": ORDER,
        "src/Core/OrderItem.cs": ITEM,
        "src/Core/Product.cs": PRODUCT,
        "src/Core/Tag.cs": TAG,
        "src/Infrastructure/ShopContext.cs": CONTEXT,
        "src/Infrastructure/OrderConfiguration.cs": CONFIG,
    }


def _tables() -> dict[str, Any]:
    files = {
        path: ("source", read_efcore(path, textwrap.dedent(text)))
        for path, text in _files().items()
    }
    return dict(merge_schema(resolve_models(files)))


def _score(root: Path) -> Report:
    return score(root, skills=["database"], isolated=True)


def test_entities_are_the_classes_a_dbcontext_or_configuration_names() -> None:
    tables = _tables()
    # BaseEntity and the DbContext are no tables; Tag is configured with Entity<Tag>().
    assert sorted(t.facts["name"] for t in tables.values()) == [
        "Catalog",
        "OrderItems",
        "Orders",
        "Tags",
    ]


def test_keys_by_convention_attribute_and_fluent_api() -> None:
    tables = _tables()
    assert tables["orders"].facts["pk"] == ["Id"]  # inherited Id convention
    assert tables["catalog"].facts["pk"] == ["ProductKey"]  # [Key]
    assert tables["tags"].facts["pk"] == ["Label"]  # HasKey


def test_nullability_from_types_attributes_and_is_required() -> None:
    orders = _tables()["orders"].columns
    assert orders["orderdate"]["not_null"] is True  # value type
    assert orders["note"]["not_null"] is True  # Property(...).IsRequired()
    assert "total" not in orders  # a method, not a column
    catalog = _tables()["catalog"].columns
    assert catalog["name"]["not_null"] is True  # [Required]
    assert catalog["status"]["not_null"] is True  # an enum property: a value column
    assert "display" not in catalog  # [NotMapped]


def test_navigations_imply_indexed_foreign_keys() -> None:
    tables = _tables()
    items = tables["orderitems"]
    # Order.Items -> shadow OrderId on OrderItems; OrderItem.Product -> ProductId.
    assert {"cols": ["OrderId"], "ref": "orders"} in items.facts["fks"]
    assert {"cols": ["ProductId"], "ref": "catalog"} in items.facts["fks"]
    assert items.columns["orderid"]["indexed"] is True  # EF Core indexes foreign keys
    assert tables["orders"].indexes == [["BuyerId", "OrderDate"]]
    assert tables["catalog"].facts["uniques"] == [["Name"]]


def test_findings_point_at_the_entity_class(make_tree: TreeFactory) -> None:
    report = _score(make_tree(_files()))
    constraints = [(f.path, f.line) for f in report.findings if f.rule == "BSDB104"]
    # OrderItem's only non-key columns are nullable (Sku, the shadow keys).
    assert constraints == [("src/Core/OrderItem.cs", 3)]
    assert report.criterion("database.primary_keys").score == 100.0
    assert report.criterion("database.fk_indexes").score == 100.0


def test_a_clean_model_has_no_schema_findings(make_tree: TreeFactory) -> None:
    clean = ITEM.replace("public string? Sku", "[Required]\n        public string? Sku")
    report = _score(make_tree({**_files(), "src/Core/OrderItem.cs": clean}))
    rules = {"BSDB101", "BSDB102", "BSDB103", "BSDB104"}
    assert [f.rule for f in report.findings if f.rule in rules] == []


def test_a_key_from_a_base_class_outside_the_repository_is_not_reported_missing(
    make_tree: TreeFactory,
) -> None:
    """``Cart : EntityBase<Cart, CartId>`` (a NuGet package's base, as Ardalis.SharedKernel
    declares it) gets its key from code the repository does not hold: not seen, so not a
    missing key; an entity whose bases are all in the repository still is."""
    cart = """
        namespace Shop.Core;

        public class Cart : EntityBase<Cart, CartId>, IAggregateRoot
        {
            public DateTime CreatedOn { get; private set; }
        }
    """
    log = """
        namespace Shop.Core;

        public class AuditLog : Auditable
        {
            public string Message { get; set; } = "";
        }
    """
    auditable = """
        namespace Shop.Core;

        public abstract class Auditable
        {
            public DateTime At { get; set; }
        }
    """
    context = """
        namespace Shop.Infrastructure;

        public class ShopContext : DbContext
        {
            public DbSet<Cart> Carts => Set<Cart>();
            public DbSet<AuditLog> Logs => Set<AuditLog>();
        }
    """
    report = _score(
        make_tree(
            {
                "src/Core/Cart.cs": textwrap.dedent(cart),
                "src/Core/AuditLog.cs": textwrap.dedent(log),
                "src/Core/Auditable.cs": textwrap.dedent(auditable),
                "src/Infrastructure/ShopContext.cs": textwrap.dedent(context),
            }
        )
    )
    missing = [f.path for f in report.findings if f.rule == "BSDB101"]
    assert missing == ["src/Core/AuditLog.cs"]


def test_a_key_typed_by_the_generic_base_s_type_parameter() -> None:
    """Blogifier: ``AppEntity<TKey> { [Key] public virtual TKey Id }`` and ``Post :
    AppEntity<int>``: ``TKey`` is the key's type, not a navigation to a class ``TKey``."""
    base = """
        namespace Blog.Data;

        public abstract class AppEntity<TKey> where TKey : IEquatable<TKey>
        {
            [Key]
            public virtual TKey Id { get; set; } = default!;
        }
    """
    post = """
        namespace Blog.Data;

        public class Post : AppEntity<int>
        {
            public string Title { get; set; } = default!;
        }
    """
    context = """
        namespace Blog.Data;

        public class AppDbContext : DbContext
        {
            public DbSet<Post> Posts { get; set; } = default!;
        }
    """
    files = {
        path: ("source", read_efcore(path, textwrap.dedent(text)))
        for path, text in {
            "Data/AppEntity.cs": base,
            "Data/Post.cs": post,
            "Data/AppDbContext.cs": context,
        }.items()
    }
    tables = dict(merge_schema(resolve_models(files)))
    assert tables["posts"].facts["pk"] == ["Id"]
    assert "id" in tables["posts"].columns
