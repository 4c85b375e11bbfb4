"""NoSQL and resilience rules of the tree-sitter languages (issue 16).

The rule text (title, severity, rationale, fix, CWE) is declared once, in
:mod:`backend_skills.checkers.analyses._rulebook`, with the Python examples the Python
analyses run; here the same rules get their patterns and examples for JavaScript,
TypeScript, Java, C# and Go. Python examples are run by ``tests/test_nosql.py`` and
``tests/test_resilience.py``, the others by ``tests/test_languages_rules.py``.
"""

from __future__ import annotations

from backend_skills.checkers.analyses._rulebook import BY_ID

from ._model import Example, Pattern, Rule

JS = ("javascript", "typescript")
_REDIS_JS = (
    r"""require\(\s*['"](?:redis|ioredis)['"]|from\s+['"](?:redis|ioredis|@redis/client)['"]"""
)


def _declared(
    rule_id: str, message: str, patterns: tuple[Pattern, ...], examples: tuple[Example, ...]
) -> Rule:
    spec = BY_ID[rule_id]
    return Rule(
        id=spec.id,
        title=spec.title,
        skill=spec.skill,
        criterion=spec.criterion,
        severity=spec.severity,
        confidence=spec.confidence,
        cwe=spec.cwe,
        message=message,
        rationale=spec.rationale,
        fix=spec.fix,
        patterns=patterns,
        examples=examples,
    )


REDIS_COMMANDS = _declared(
    "BSDB204",
    "Redis `{name}` in application code",
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

FILTER_VALUES = _declared(
    "BSDB202",
    "a value from the request reaches the MongoDB filter of `{name}` uncast",
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

SESSIONS = _declared(
    "BSSCL125",
    "express-session without a `store`: sessions live in this process's memory",
    patterns=(
        Pattern(
            languages=JS,
            query="""(call_expression function: (identifier) @name (#eq? @name "session")
              arguments: (arguments . (object))) @match""",
            text=r"^(?![\s\S]*\bstore\s*:)",
            file_text=r"""['"]express-session['"]""",
            needles=("session(",),
        ),
    ),
    examples=(
        Example(
            "javascript",
            """const session = require('express-session');
app.use(session({ secret: process.env.SECRET, resave: false }));
""",
            lines=(2,),
        ),
        Example(
            "javascript",
            """const session = require('express-session');
const RedisStore = require('connect-redis').default;
app.use(session({ store: new RedisStore({ client }), secret: process.env.SECRET }));
""",
        ),
    ),
)

RATE_LIMITS = _declared(
    "BSSCL127",
    "express-rate-limit without a `store`: counters live in this process's memory",
    patterns=(
        Pattern(
            languages=JS,
            query="""(call_expression function: (identifier) @name (#any-of? @name "rateLimit" "RateLimit" "slowDown")
              arguments: (arguments . (object))) @match""",
            text=r"^(?![\s\S]*\bstore\s*:)",
            file_text=r"""['"]express-(?:rate-limit|slow-down)['"]""",
            needles=("rateLimit(", "RateLimit(", "slowDown("),
        ),
    ),
    examples=(
        Example(
            "javascript",
            """const rateLimit = require('express-rate-limit');
app.use(rateLimit({ windowMs: 60000, max: 100 }));
""",
            lines=(2,),
        ),
        Example(
            "javascript",
            """const rateLimit = require('express-rate-limit');
const { RedisStore } = require('rate-limit-redis');
app.use(rateLimit({ windowMs: 60000, max: 100, store: new RedisStore({ sendCommand }) }));
""",
        ),
    ),
)

TIMEOUTS = _declared(
    "BSSCL120",
    "`{name}` uses a Go HTTP client without a timeout",
    patterns=(
        Pattern(
            languages=("go",),
            query="""(call_expression function: (selector_expression operand: (identifier) @pkg (#eq? @pkg "http")
              field: (field_identifier) @name (#any-of? @name "Get" "Post" "Head" "PostForm"))) @match""",
            needles=("http.",),
        ),
        Pattern(
            languages=("go",),
            query="""(composite_literal type: (qualified_type package: (package_identifier) @pkg (#eq? @pkg "http")
              name: (type_identifier) @name (#eq? @name "Client"))) @match""",
            text=r"^(?![\s\S]*\bTimeout\s*:)",
            needles=("http.Client",),
        ),
    ),
    examples=(
        Example(
            "go",
            """package billing

import "net/http"

func Invoice(url string) (*http.Response, error) {
	client := &http.Client{}
	_, _ = client.Get(url)
	return http.Get(url)
}
""",
            lines=(6, 8),
        ),
        Example(
            "go",
            """package billing

import (
	"net/http"
	"time"
)

var client = &http.Client{Timeout: 5 * time.Second}

func Invoice(url string) (*http.Response, error) {
	return client.Get(url)
}
""",
        ),
    ),
)

RULES = (FILTER_VALUES, REDIS_COMMANDS, TIMEOUTS, SESSIONS, RATE_LIMITS)
