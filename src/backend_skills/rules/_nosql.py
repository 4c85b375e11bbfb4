"""MongoDB rules (``BSDB201``-``BSDB203``, ``BSDB207``, ``BSDB208``, criterion
``database.nosql``); the Redis and DynamoDB ones are in :mod:`._nosql_keyvalue`.

Each rule is declared once: its text, its Python examples (run through the ``nosql``
analysis of the ``python_ast`` checker by ``tests/test_rules_registry.py``) and, for
the rules the tree-sitter languages also match, their patterns and examples (run by
``tests/test_languages_rules.py``). ``docs/database.md`` explains the analysis.
"""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Pattern, Rule

NOSQL = "database.nosql"
JS = ("javascript", "typescript")
_FLASK = 'from flask import Flask, request\nfrom pymongo import MongoClient\n\napp = Flask(__name__)\ndb = MongoClient()["shop"]\n'

SERVER_JAVASCRIPT = Rule(
    id="BSDB201",
    title="MongoDB server-side JavaScript ($where, $function, $accumulator, mapReduce) built from non-constant input",
    skill="database",
    criterion=NOSQL,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    checker="python_ast",
    extra_languages=("python",),
    message="MongoDB `$where` runs JavaScript built from non-constant input on the server: use query operators and pass values as values",
    cwe=943,
    varies=(
        "Confidence is high when the function holding the code reads request data, "
        "medium otherwise."
    ),
    rationale=(
        "`$where`, `$function`, `$accumulator` and mapReduce run JavaScript on the database "
        "server; text assembled from values lets whoever controls a value run code there "
        "(NoSQL injection, CWE-943) and is slow, since no index serves it."
    ),
    fix=(
        "Express the condition with ordinary query operators ($gt, $in, $expr) and pass "
        "values as values; keep any server-side JavaScript a constant."
    ),
    examples=(
        Example(
            "python",
            _FLASK + "\n\n"
            '@app.get("/orders")\n'
            "def orders():\n"
            '    limit = request.args["min"]\n'
            '    return list(db.orders.find({"$where": f"this.total > {limit}"}).limit(20))\n',
            lines=(11,),
            path="app.py",
        ),
        Example(
            "python",
            _FLASK + "\n\n"
            '@app.get("/orders")\n'
            "def orders():\n"
            '    limit = float(request.args["min"])\n'
            '    return list(db.orders.find({"total": {"$gt": limit}}).limit(20))\n',
            path="app.py",
        ),
    ),
)

FILTER_VALUES = Rule(
    id="BSDB202",
    title="Request data used directly as a MongoDB filter (operator injection)",
    skill="database",
    criterion=NOSQL,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    checker="python_ast",
    extra_languages=("python",),
    message="a value from the request reaches the MongoDB filter of `{name}` uncast",
    cwe=943,
    rationale=(
        "A filter taken whole from the request, or a JSON body value put in a filter "
        "uncast, lets the client send operators instead of values: "
        '`{"password": {"$ne": null}}` logs in without a password and `{"$where": ...}` '
        "runs code (NoSQL operator injection, CWE-943)."
    ),
    fix=(
        "Build the filter from named fields and cast each value to the type expected "
        "(`str(body['user'])`, `ObjectId(...)`), or validate the body with a schema "
        "(pydantic, marshmallow) first; never pass request.json/request.args.to_dict() "
        "as the filter."
    ),
    patterns=(
        Pattern(
            languages=JS,
            query="""(call_expression function: (member_expression property: (property_identifier) @name
              (#any-of? @name "find" "findOne" "findOneAndUpdate" "findOneAndDelete" "updateOne" "updateMany"
                "deleteOne" "deleteMany" "countDocuments" "exists" "where"))
              arguments: (arguments . (object (pair value: (member_expression) @arg)))) @match""",
            text=r"^[^(]*\(\s*\{[^}]*:\s*req\.(?:body|query|params)\.",
            file_text=r"""['"](?:mongodb|mongoose)['"]""",
            needles=("req.body", "req.query", "req.params"),
        ),
    ),
    examples=(
        Example(
            "python",
            _FLASK + "\n\n"
            '@app.post("/login")\n'
            "def login():\n"
            '    user = db.users.find_one({"name": request.json["name"], "password": request.json["password"]})\n'
            "    found = db.users.find_one(request.args.to_dict())\n"
            '    return {"ok": bool(user and found)}\n',
            lines=(10, 11),
            path="app.py",
        ),
        Example(
            "python",
            _FLASK + "\n\n"
            '@app.post("/login")\n'
            "def login():\n"
            "    body = request.get_json()\n"
            '    user = db.users.find_one({"name": str(body["name"])})\n'
            '    other = db.users.find_one({"name": request.args["name"]})\n'
            '    return {"ok": bool(user and other)}\n',
            path="app.py",
        ),
        Example(
            "javascript",
            """const mongoose = require('mongoose');
const User = mongoose.model('User', new mongoose.Schema({ name: String }));
app.post('/login', async (req, res) => {
  const user = await User.findOne({ name: req.body.name, password: req.body.password });
  res.json(user);
});
""",
            lines=(4,),
        ),
        Example(
            "javascript",
            """const mongoose = require('mongoose');
const User = mongoose.model('User', new mongoose.Schema({ name: String }));
app.post('/login', async (req, res) => {
  const user = await User.findOne({ name: String(req.body.name) });
  res.json(user);
});
""",
        ),
    ),
)

UNBOUNDED_FIND = Rule(
    id="BSDB203",
    title="MongoDB read without a limit in a request handler",
    skill="database",
    criterion=NOSQL,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python",),
    message="`find()` in a request handler has no limit: it returns the whole collection as it grows; chain .limit(n) (and paginate)",
    cwe=770,
    rationale=(
        "A `find()` with no limit in a request handler returns the whole collection as it "
        "grows: response time, memory and database load grow with the data (OWASP API4 "
        "unrestricted resource consumption)."
    ),
    fix=(
        "Chain `.limit(n)` (with `.skip()` or a range on an indexed field for the next "
        "page), pass `limit=`, or `to_list(length=n)` with motor; return one document with "
        "`find_one()`."
    ),
    examples=(
        Example(
            "python",
            _FLASK + "\n\n"
            '@app.get("/orders")\n'
            "def orders():\n"
            '    return list(db.orders.find({"status": "open"}))\n',
            lines=(10,),
            path="app.py",
        ),
        Example(
            "python",
            _FLASK + "\n\n"
            '@app.get("/orders")\n'
            "def orders():\n"
            '    cursor = db.orders.find({"status": "open"})\n'
            "    cursor.limit(50)\n"
            "    first = db.orders.find({}, limit=10)\n"
            "    return list(cursor) + list(first)\n\n\n"
            "def export():\n"
            "    return list(db.orders.find())\n",
            path="app.py",
        ),
    ),
)

NO_INDEX = Rule(
    id="BSDB207",
    title="MongoDB in use but no index declared",
    skill="database",
    criterion=NOSQL,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python",),
    message=(
        "MongoDB is used but no index is declared anywhere in the code (create_index, IndexModel, "
        "ODM index declarations): every filter and sort scans the collection"
    ),
    rationale=(
        "Without indexes beyond `_id`, every filter and sort scans the collection: fine "
        "with a hundred documents, an outage with a million. Indexes belong in the code "
        "(create_index at start-up or in a migration, or declared on the ODM model) so "
        "every environment has them."
    ),
    fix=(
        "Declare the indexes your queries need: `collection.create_index([('user', 1)])` "
        "at start-up, MongoEngine `meta = {'indexes': [...]}`, Beanie `Indexed(str)` or "
        "`Settings.indexes`, ODMantic `Field(index=True)`."
    ),
    examples=(
        Example(
            "python",
            "from pymongo import MongoClient\n\n"
            'db = MongoClient()["shop"]\n\n\n'
            "def orders(user):\n"
            '    return db.orders.find_one({"user": user})\n',
            lines=(3,),
            path="app.py",
        ),
        Example(
            "python",
            "from pymongo import MongoClient\n\n"
            'db = MongoClient()["shop"]\n'
            'db.orders.create_index([("user", 1)])\n'
            'db.create_collection("audit", validator={"$jsonSchema": {"bsonType": "object"}})\n\n\n'
            "def orders(user):\n"
            '    return db.orders.find_one({"user": user})\n',
            path="app.py",
        ),
    ),
)

NO_SCHEMA = Rule(
    id="BSDB208",
    title="MongoDB in use without schema validation",
    skill="database",
    criterion=NOSQL,
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python",),
    message=(
        "MongoDB is used with no schema validation: no $jsonSchema validator and no ODM model "
        "(Beanie, MongoEngine, ODMantic) states the documents' shape"
    ),
    rationale=(
        "A schemaless collection accepts any document any code path writes; a `$jsonSchema` "
        "validator or an ODM model (Beanie, MongoEngine, ODMantic) states the shape once "
        "and rejects the rest."
    ),
    fix=(
        "Create collections with `validator={'$jsonSchema': {...}}` (or `collMod`), or read "
        "and write through ODM models."
    ),
    examples=(
        Example(
            "python",
            "from pymongo import MongoClient\n\n"
            'db = MongoClient()["shop"]\n'
            'db.orders.create_index("user")\n',
            lines=(3,),
            path="app.py",
        ),
        Example(
            "python",
            "from beanie import Document, Indexed\n\n\nclass Order(Document):\n"
            "    user: Indexed(str)\n    total: float\n",
            path="app.py",
        ),
    ),
)

RULES = (SERVER_JAVASCRIPT, FILTER_VALUES, UNBOUNDED_FIND, NO_INDEX, NO_SCHEMA)
