"""NoSQL rules (``BSDB201``-``BSDB208``, criterion ``database.nosql``).

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
_REDIS_JS = (
    r"""require\(\s*['"](?:redis|ioredis)['"]|from\s+['"](?:redis|ioredis|@redis/client)['"]"""
)
_FLASK = "from flask import Flask, request\nfrom pymongo import MongoClient\n\napp = Flask(__name__)\ndb = MongoClient()['shop']\n"

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
            _FLASK + "\n@app.get('/orders')\ndef orders():\n"
            "    limit = request.args['min']\n"
            "    return list(db.orders.find({'$where': f'this.total > {limit}'}).limit(20))\n",
            lines=(10,),
            path="app.py",
        ),
        Example(
            "python",
            _FLASK + "\n@app.get('/orders')\ndef orders():\n"
            "    limit = float(request.args['min'])\n"
            "    return list(db.orders.find({'total': {'$gt': limit}}).limit(20))\n",
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
            _FLASK + "\n@app.post('/login')\ndef login():\n"
            "    user = db.users.find_one({'name': request.json['name'],"
            " 'password': request.json['password']})\n"
            "    found = db.users.find_one(request.args.to_dict())\n"
            "    return {'ok': bool(user and found)}\n",
            lines=(9, 10),
            path="app.py",
        ),
        Example(
            "python",
            _FLASK + "\n@app.post('/login')\ndef login():\n"
            "    body = request.get_json()\n"
            "    user = db.users.find_one({'name': str(body['name'])})\n"
            "    other = db.users.find_one({'name': request.args['name']})\n"
            "    return {'ok': bool(user and other)}\n",
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
            _FLASK + "\n@app.get('/orders')\ndef orders():\n"
            "    return list(db.orders.find({'status': 'open'}))\n",
            lines=(9,),
            path="app.py",
        ),
        Example(
            "python",
            _FLASK + "\n@app.get('/orders')\ndef orders():\n"
            "    cursor = db.orders.find({'status': 'open'})\n"
            "    cursor.limit(50)\n"
            "    first = db.orders.find({}, limit=10)\n"
            "    return list(cursor) + list(first)\n\n\n"
            "def export():\n    return list(db.orders.find())\n",
            path="app.py",
        ),
    ),
)

REDIS_COMMANDS = Rule(
    id="BSDB204",
    title="Redis KEYS, FLUSHALL or FLUSHDB in application code",
    skill="database",
    criterion=NOSQL,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    checker="python_ast",
    extra_languages=("python",),
    message="Redis `{name}` in application code",
    cwe=400,
    rationale=(
        "KEYS walks every key in one blocking call (Redis is single-threaded: every client "
        "waits), and FLUSHALL/FLUSHDB erase every key of the instance, including other "
        "features' data; neither belongs on an application code path."
    ),
    fix=(
        "Iterate with SCAN (`scan_iter(match=..., count=...)`), keep the keys you need in a "
        "set, and delete by key or let keys expire instead of flushing."
    ),
    patterns=(
        Pattern(
            languages=JS,
            query="""(call_expression function: (member_expression property: (property_identifier) @name
              (#any-of? @name "keys" "KEYS" "flushall" "flushAll" "FLUSHALL" "flushdb" "flushDb" "FLUSHDB"))) @match""",
            text=r"\.(?:keys|KEYS)\(\s*['\"`]|\.(?:flush(?:all|All|db|Db)|FLUSH(?:ALL|DB))\(",
            file_text=_REDIS_JS,
            needles=("keys", "KEYS", "flush", "FLUSH"),
        ),
        Pattern(
            languages=("java",),
            query="""(method_invocation name: (identifier) @name
              (#any-of? @name "keys" "flushAll" "flushDB" "flushall" "flushdb")) @match""",
            text=r"\.keys\(\s*\"|\.flush(?:All|DB|all|db)\(",
            file_text=r"\bimport\s+(?:redis\.clients\.jedis|io\.lettuce|org\.redisson)\.",
            needles=("keys", "flush"),
        ),
        Pattern(
            languages=("csharp",),
            query="""(invocation_expression function: (member_access_expression name: (identifier) @name
              (#any-of? @name "FlushDatabase" "FlushDatabaseAsync" "FlushAllDatabases" "FlushAllDatabasesAsync"))) @match""",
            file_text=r"\busing\s+StackExchange\.Redis\b",
            needles=("Flush",),
        ),
        Pattern(
            languages=("go",),
            query="""(call_expression function: (selector_expression field: (field_identifier) @name
              (#any-of? @name "Keys" "FlushAll" "FlushDB" "FlushAllAsync" "FlushDBAsync"))) @match""",
            file_text=r"github\.com/(?:redis|go-redis)/(?:go-)?redis",
            needles=("Keys", "Flush"),
        ),
    ),
    examples=(
        Example(
            "python",
            "import redis\n\ncache = redis.Redis()\n\n\ndef clear():\n"
            "    for key in cache.keys('session:*'):\n        cache.delete(key)\n"
            "    cache.flushdb()\n",
            lines=(7, 9),
            path="app.py",
        ),
        Example(
            "python",
            "import redis\n\ncache = redis.Redis()\n\n\ndef clear(data: dict):\n"
            "    for key in cache.scan_iter(match='session:*', count=500):\n"
            "        cache.delete(key)\n    return list(data.keys())\n",
            path="app.py",
        ),
        Example(
            "javascript",
            """const Redis = require('ioredis');
const redis = new Redis();
async function clear() {
  const keys = await redis.keys('session:*');
  await redis.flushall();
  return Object.keys({ a: 1 }).length + keys.length;
}
""",
            lines=(4, 5),
        ),
        Example(
            "javascript",
            """const Redis = require('ioredis');
const redis = new Redis();
async function names(user) {
  const stream = redis.scanStream({ match: 'session:*', count: 100 });
  return Object.keys(user);
}
""",
        ),
        Example(
            "java",
            """import redis.clients.jedis.Jedis;
class Cache {
  void clear(Jedis jedis) {
    for (String k : jedis.keys("session:*")) { jedis.del(k); }
    jedis.flushAll();
  }
}
""",
            lines=(4, 5),
        ),
        Example(
            "java",
            """import redis.clients.jedis.Jedis;
import java.util.Map;
class Cache {
  int size(Map<String, String> m, Jedis jedis) { jedis.del("a"); return m.keySet().size(); }
}
""",
        ),
        Example(
            "csharp",
            """using StackExchange.Redis;
class Cache {
  void Clear(IServer server) { server.FlushDatabase(); }
}
""",
            lines=(3,),
        ),
        Example(
            "csharp",
            """using StackExchange.Redis;
class Cache {
  void Clear(IDatabase db) { db.KeyDelete("a"); }
}
""",
        ),
        Example(
            "go",
            """package cache

import "github.com/redis/go-redis/v9"

func Clear(ctx context.Context, rdb *redis.Client) {
	keys, _ := rdb.Keys(ctx, "session:*").Result()
	rdb.FlushDB(ctx)
	_ = keys
}
""",
            lines=(6, 7),
        ),
        Example(
            "go",
            """package cache

import "github.com/redis/go-redis/v9"

func Clear(ctx context.Context, rdb *redis.Client) {
	iter := rdb.Scan(ctx, 0, "session:*", 100).Iterator()
	_ = iter
}
""",
        ),
    ),
)

CACHE_WITHOUT_EXPIRY = Rule(
    id="BSDB205",
    title="Redis cache write without an expiry",
    skill="database",
    criterion=NOSQL,
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python",),
    message="Redis `set` writes a key without an expiry (no ex=/px= and no expire in this function): the cache grows without bound",
    cwe=400,
    rationale=(
        "A cache key written without a time to live stays until memory runs out: the "
        "cache grows without bound, serves stale data forever and, under an eviction "
        "policy of noeviction, makes writes fail."
    ),
    fix=(
        "Give every cache write an expiry: `set(key, value, ex=300)`, `setex`, or "
        "`expire(key, ttl)` after `hset` in the same function."
    ),
    examples=(
        Example(
            "python",
            "import redis\n\ncache = redis.Redis()\n\n\ndef remember(key, value):\n"
            "    cache.set(key, value)\n    cache.hset('user:1', mapping=value)\n",
            lines=(7, 8),
            path="app.py",
        ),
        Example(
            "python",
            "import redis\n\ncache = redis.Redis()\n\n\ndef remember(key, value):\n"
            "    cache.set(key, value, ex=300)\n    cache.setex(key, 60, value)\n"
            "    cache.hset('user:1', mapping=value)\n    cache.expire('user:1', 600)\n",
            path="app.py",
        ),
    ),
)

DYNAMODB_SCAN = Rule(
    id="BSDB206",
    title="DynamoDB Scan in a request handler",
    skill="database",
    criterion=NOSQL,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python",),
    message="DynamoDB Scan in request handler `orders` reads the whole table: query by key or through an index",
    cwe=770,
    rationale=(
        "A Scan reads every item of the table (and pays for it in read capacity) however "
        "few it returns; on a request path it gets slower and dearer as the table grows."
    ),
    fix=(
        "Design the key schema for the access pattern and use Query on the table or a "
        "global secondary index; keep Scan for offline jobs."
    ),
    examples=(
        Example(
            "python",
            "import boto3\nfrom flask import Flask\n\napp = Flask(__name__)\n"
            "table = boto3.resource('dynamodb').Table('orders')\n\n\n"
            "@app.get('/orders')\ndef orders():\n    return table.scan()['Items']\n",
            lines=(10,),
            path="app.py",
        ),
        Example(
            "python",
            "import boto3\nfrom boto3.dynamodb.conditions import Key\nfrom flask import Flask\n\n"
            "app = Flask(__name__)\ntable = boto3.resource('dynamodb').Table('orders')\n\n\n"
            "@app.get('/orders/<user>')\ndef orders(user):\n"
            "    return table.query(KeyConditionExpression=Key('user').eq(user))['Items']\n",
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
            "from pymongo import MongoClient\n\ndb = MongoClient()['shop']\n\n\n"
            "def orders(user):\n    return db.orders.find_one({'user': user})\n",
            lines=(3,),
            path="app.py",
        ),
        Example(
            "python",
            "from pymongo import MongoClient\n\ndb = MongoClient()['shop']\n"
            "db.orders.create_index([('user', 1)])\n"
            "db.create_collection('audit', validator={'$jsonSchema': {'bsonType': 'object'}})\n\n\n"
            "def orders(user):\n    return db.orders.find_one({'user': user})\n",
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
            "from pymongo import MongoClient\n\ndb = MongoClient()['shop']\n"
            "db.orders.create_index('user')\n",
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

RULES = (
    SERVER_JAVASCRIPT,
    FILTER_VALUES,
    UNBOUNDED_FIND,
    REDIS_COMMANDS,
    CACHE_WITHOUT_EXPIRY,
    DYNAMODB_SCAN,
    NO_INDEX,
    NO_SCHEMA,
)
