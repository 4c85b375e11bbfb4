"""Redis and DynamoDB rules (``BSDB204``-``BSDB206``, criterion ``database.nosql``); the
MongoDB ones are in :mod:`._nosql`.

Each rule is declared once: its text, its Python examples (run through the ``nosql``
analysis of the ``python_ast`` checker by ``tests/test_rules_registry.py``) and, for
``BSDB204``, its patterns and examples in the tree-sitter languages (run by
``tests/test_languages_rules.py``). ``docs/database.md`` explains the analysis.
"""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Pattern, Rule
from ._nosql import JS, NOSQL

_REDIS_JS = (
    r"""require\(\s*['"](?:redis|ioredis)['"]|from\s+['"](?:redis|ioredis|@redis/client)['"]"""
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
            "import redis\n\n"
            "cache = redis.Redis()\n\n\n"
            "def clear():\n"
            '    for key in cache.keys("session:*"):\n'
            "        cache.delete(key)\n"
            "    cache.flushdb()\n",
            lines=(7, 9),
            path="app.py",
        ),
        Example(
            "python",
            "import redis\n\n"
            "cache = redis.Redis()\n\n\n"
            "def clear(data: dict):\n"
            '    for key in cache.scan_iter(match="session:*", count=500):\n'
            "        cache.delete(key)\n"
            "    return list(data.keys())\n",
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
            "import redis\n\n"
            "cache = redis.Redis()\n\n\n"
            "def remember(key, value):\n"
            "    cache.set(key, value)\n"
            '    cache.hset("user:1", mapping=value)\n',
            lines=(7, 8),
            path="app.py",
        ),
        Example(
            "python",
            "import redis\n\n"
            "cache = redis.Redis()\n\n\n"
            "def remember(key, value):\n"
            "    cache.set(key, value, ex=300)\n"
            "    cache.setex(key, 60, value)\n"
            '    cache.hset("user:1", mapping=value)\n'
            '    cache.expire("user:1", 600)\n',
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
            "import boto3\n"
            "from flask import Flask\n\n"
            "app = Flask(__name__)\n"
            'table = boto3.resource("dynamodb").Table("orders")\n\n\n'
            '@app.get("/orders")\n'
            "def orders():\n"
            '    return table.scan()["Items"]\n',
            lines=(10,),
            path="app.py",
        ),
        Example(
            "python",
            "import boto3\n"
            "from boto3.dynamodb.conditions import Key\n"
            "from flask import Flask\n\n"
            "app = Flask(__name__)\n"
            'table = boto3.resource("dynamodb").Table("orders")\n\n\n'
            '@app.get("/orders/<user>")\n'
            "def orders(user):\n"
            '    return table.query(KeyConditionExpression=Key("user").eq(user))["Items"]\n',
            path="app.py",
        ),
    ),
)

RULES = (REDIS_COMMANDS, CACHE_WITHOUT_EXPIRY, DYNAMODB_SCAN)
