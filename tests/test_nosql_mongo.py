"""The MongoDB units of the ``nosql`` analysis (``checkers/analyses/_nosql_mongo.py``):
what counts as constant code, which cursors are bounded, which calls take a filter, and
the index and schema evidence."""

from __future__ import annotations

import ast
import textwrap

import pytest

from backend_skills.checkers.analyses._nosql_mongo import (
    MongoRules,
    bounded,
    constant_names,
    declares_index,
    filter_problem,
    find_method,
    index_lines,
    is_constant,
    mongo_site,
    operator_code,
    parents_of,
    schema_lines,
)
from backend_skills.checkers.analyses._request_data import RequestData
from backend_skills.checkers.analyses._server_common import TreeIndex, walk_body


def _expr(code: str) -> ast.expr:
    return ast.parse(code, mode="eval").body


def _module(code: str) -> ast.Module:
    return ast.parse(textwrap.dedent(code).lstrip("\n"))


@pytest.mark.parametrize(
    ("code", "constant"),
    [
        ("'this.total > 10'", True),
        ("JS", True),  # a module-level constant
        ("f'this.total > 10'", True),
        ("f'this.total > {limit}'", False),
        ("'this.a > ' + '1'", True),
        ("'this.a > ' + limit", False),
        ("bson.Code('function() {}')", True),
        ("Code(source)", False),
        ("{'body': 'function() {}', 'lang': 'js'}", True),
        ("{'body': 'function() {}', 'args': []}", False),  # a list is not judged constant
        ("{'body': body}", False),
        ("limit", False),
        ("build(js)", False),
    ],
)
def test_constant_code(code: str, constant: bool) -> None:
    assert is_constant(_expr(code), frozenset({"JS"})) is constant


def test_constant_names_are_module_level_literals_only() -> None:
    tree = _module(
        """
        JS = "this.a > 1"
        ALIAS = JS
        BUILT = make()
        A = B = "x"

        def f():
            LOCAL = "y"
        """
    )
    assert constant_names(tree) == {"JS", "A", "B"}


@pytest.mark.parametrize(
    ("operator", "value", "code"),
    [
        ("$where", "{'body': body}", ["{'body': body}"]),
        ("$function", "{'body': body, 'args': ['$a'], 'lang': 'js'}", ["body"]),
        ("$accumulator", "src", ["src"]),
    ],
)
def test_operator_code_leaves_out_arguments_and_language(
    operator: str, value: str, code: list[str]
) -> None:
    assert [ast.unparse(c) for c in operator_code(operator, _expr(value))] == code


def _request(code: str) -> tuple[RequestData, ast.expr]:
    """The request data of a one-function module and the filter it passes to ``find``."""
    tree = _module(code)
    func = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))
    call = next(
        n
        for n in ast.walk(func)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "find"
    )
    return RequestData(func), call.args[0]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("return db.users.find(request.json)", "the whole request object is the filter"),
        ("return db.users.find({**request.args})", "the request object is unpacked"),
        ("return db.users.find({'name': request.json['name']})", "`name` takes a JSON request"),
        ("body = request.get_json()\n    return db.users.find({'name': body['name']})", "`name`"),
        ("return db.users.find({'name': str(request.json['name'])})", None),
        ("return db.users.find({'name': request.args['name']})", None),  # form values: strings
        ("return db.users.find({'name': 'ann'})", None),
    ],
)
def test_filter_problem(body: str, problem: str | None) -> None:
    request, expr = _request(f"def view():\n    {body}\n")
    found = filter_problem(expr, request)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(problem)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("db.users.find_one(request.json)", ["request.json"]),
        ("db.users.update_one(filter=request.json, update={})", ["request.json"]),
        ("db.users.aggregate([{'$match': request.json}, {'$limit': 5}])", ["request.json"]),
        ("db.users.aggregate(pipeline)", []),
        ("User.objects(**request.json)", ["request.json"]),  # MongoEngine keyword filters
        ("User.objects(__raw__=request.json)", ["request.json"]),
        ("db.users.insert_one(request.json)", []),  # a document, not a filter
    ],
)
def test_filter_args(call: str, expected: list[str]) -> None:
    tree = _module("import mongoengine\n")
    rules = MongoRules("app.py", tree, TreeIndex(tree).imports)
    node = _expr(call)
    assert isinstance(node, ast.Call)
    assert isinstance(node.func, ast.Attribute)
    assert [ast.unparse(e) for e in rules.filter_args(node, node.func.attr)] == expected


@pytest.mark.parametrize(
    ("code", "method"),
    [
        ("db.orders.find({'open': True})", "find"),
        ("Order.find_all()", "find_all"),
        ("db.orders.find({}, limit=10)", ""),
        ("'text'.find('x')", ""),
        ("text.find('x')", ""),
        ("text.find(f'{x}')", ""),
        ("db.orders.find_one({})", ""),
    ],
)
def test_find_method(code: str, method: str) -> None:
    assert find_method(_expr(code)) == method


@pytest.mark.parametrize(
    ("body", "is_bounded"),
    [
        ("return list(db.orders.find())", False),
        ("return list(db.orders.find().limit(20))", True),
        ("return db.orders.find()[:20]", True),
        ("return await db.orders.find().to_list(length=50)", True),
        ("return await db.orders.find().to_list(None)", False),
        ("return list(islice(db.orders.find(), 10))", True),
        ("cursor = db.orders.find()\n    cursor.limit(5)\n    return list(cursor)", True),
        ("cursor = db.orders.find()\n    return list(cursor)", False),
        ("return db.orders.find().sort('date')", False),
    ],
)
def test_cursor_bounded(body: str, is_bounded: bool) -> None:
    tree = _module(f"async def view():\n    {body}\n")
    func = tree.body[0]
    assert isinstance(func, ast.AsyncFunctionDef)
    nodes = list(walk_body(func.body))
    call = next(n for n in nodes if find_method(n))
    assert isinstance(call, ast.Call)
    assert bounded(call, parents_of(nodes), nodes) is is_bounded


@pytest.mark.parametrize(
    ("code", "declares"),
    [
        ("db.orders.create_index([('user', 1)])", True),
        ("IndexModel([('user', 1)])", True),
        ("pymongo.IndexModel('user')", True),
        ("StringField(unique=True)", True),
        ("Field(index=True)", True),
        ("Field(index=False)", False),
        ("StringField(unique=None)", False),
        ("db.orders.insert_one({})", False),
    ],
)
def test_declares_index(code: str, declares: bool) -> None:
    call = _expr(code)
    assert isinstance(call, ast.Call)
    assert declares_index(call) is declares


def test_index_and_schema_lines_and_the_mongo_site() -> None:
    tree = _module(
        """
        from beanie import Document
        from pymongo import MongoClient

        db = MongoClient()["shop"]
        db.orders.create_index("user")
        db.create_collection("audit", validator={"$jsonSchema": {"bsonType": "object"}})


        class Order(Document):
            total: float

            class Settings:
                indexes = ["user"]


        META = {"indexes": ["user"]}
        """
    )
    index = TreeIndex(tree)
    assert index_lines(index) == [5, 13, 16]
    assert schema_lines(index, index.imports) == [6, 6, 9]
    assert mongo_site(index, index.imports) == 4


def test_mongo_site_falls_back_to_the_first_import() -> None:
    tree = _module(
        "import os\nfrom mongoengine import Document\n\n\nclass A(Document):\n    pass\n"
    )
    index = TreeIndex(tree)
    assert mongo_site(index, index.imports) == 2
